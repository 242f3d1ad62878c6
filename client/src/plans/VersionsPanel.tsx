// 版本: named snapshots (初稿, 集体修改稿, 二稿 …), a readable diff between any two (or a
// version and now), and restore — which the server applies as an ordinary edit.
import { useCallback, useEffect, useState } from 'react';
import type { PlanVersion } from '../../../server/contract/planEvents.js';
import { errorText } from '../api.js';
import { Choice } from '../components/Choice.js';
import { localeOf, useI18n } from '../i18n/index.js';
import { toast } from '../toast.js';
import { planApi, type BlockDiff } from './planApi.js';

export function VersionsPanel({ planId, canEdit, tick }: { planId: string; canEdit: boolean; tick: number }) {
  const { t, lang } = useI18n();
  const [versions, setVersions] = useState<PlanVersion[]>([]);
  const [name, setName] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('current');
  const [diff, setDiff] = useState<BlockDiff[] | null>(null);
  const [onlyChanges, setOnlyChanges] = useState(true);

  const load = useCallback(
    () =>
      void planApi.versions(planId).then((v) => {
        setVersions(v);
        setFrom((f) => f || v[v.length - 1]?.id || '');
      }, (e) => toast.error(errorText(e))),
    [planId],
  );
  useEffect(load, [load, tick]);

  const save = async () => {
    try {
      await planApi.saveVersion(planId, name.trim());
      setName('');
      load();
      toast.info(t('plan.version.saved'));
    } catch (e) {
      toast.error(errorText(e));
    }
  };
  const compare = async () => {
    try {
      setDiff(await planApi.diff(planId, from, to));
    } catch (e) {
      toast.error(errorText(e));
    }
  };
  const restore = async (v: PlanVersion) => {
    if (!window.confirm(t('plan.version.restoreConfirm', { name: v.name }))) return;
    try {
      await planApi.restore(planId, v.id);
      toast.info(t('plan.version.restored', { name: v.name }));
      load();
    } catch (e) {
      toast.error(errorText(e));
    }
  };
  const time = (iso: string) => new Date(iso).toLocaleString(localeOf(lang), { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  const suggestions = ['初稿', '集体修改稿', '二稿', '定稿'];
  const versionOptions = versions.map((v) => [v.id, v.name] as const);

  return (
    <section className="panel plan-versions" data-testid="plan-versions">
      {canEdit && (
        <div className="row-gap">
          <input list="plan-version-names" value={name} maxLength={60} placeholder={t('plan.version.name')} onChange={(e) => setName(e.target.value)} data-testid="version-name" />
          <datalist id="plan-version-names">
            {suggestions.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
          <button className="primary small" disabled={!name.trim()} onClick={() => void save()} data-testid="version-save">
            {t('plan.version.save')}
          </button>
        </div>
      )}
      <ul className="plan-version-list">
        {versions.length === 0 && <li className="muted-text">{t('plan.version.none')}</li>}
        {[...versions].reverse().map((v) => (
          <li key={v.id} data-testid="version" data-name={v.name}>
            <b>{v.name}</b> <span className="muted-text small-text">{v.createdByName} · {time(v.createdAt)}</span>
            {canEdit && (
              <button className="small" onClick={() => void restore(v)} data-testid={`version-restore-${v.name}`}>
                {t('plan.version.restore')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {versions.length > 0 && (
        <div className="plan-compare">
          <Choice value={from} onChange={setFrom} options={versionOptions} data-testid="diff-from" />
          →
          <Choice value={to} onChange={setTo} options={[['current', t('plan.version.current')], ...versionOptions]} data-testid="diff-to" />
          <button className="small" disabled={!from} onClick={() => void compare()} data-testid="diff-run">
            {t('plan.version.compare')}
          </button>
        </div>
      )}
      {diff && (
        <div className="plan-diff" data-testid="plan-diff">
          <label className="muted-text small-text">
            <input type="checkbox" checked={onlyChanges} onChange={(e) => setOnlyChanges(e.target.checked)} /> {t('plan.version.onlyChanges')}
          </label>
          {diff.every((b) => b.kind === 'same') && <div className="muted-text">{t('plan.version.noChanges')}</div>}
          {diff.map((b, i) =>
            b.kind === 'same' ? (
              onlyChanges ? null : <p key={i} className="diff-same">{b.text}</p>
            ) : b.kind === 'changed' ? (
              <p key={i} className="diff-changed">
                {b.parts.map((p, j) => (p.op === '=' ? <span key={j}>{p.text}</span> : p.op === '+' ? <ins key={j}>{p.text}</ins> : <del key={j}>{p.text}</del>))}
              </p>
            ) : (
              <p key={i} className={`diff-${b.kind}`}>{b.kind === 'added' ? <ins>{b.text}</ins> : <del>{b.text}</del>}</p>
            ),
          )}
        </div>
      )}
    </section>
  );
}
