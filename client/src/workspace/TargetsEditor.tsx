// The year's targets as a community admin (or a bureau reviewer, for the template) edits them:
// each target its activity kinds counted together, threshold, breadth conditions and dated
// milestones (the seeds' 40/60/80/100% line by default). Saving sends the whole list; the server
// validates it (targetSchema) and answers with what it stored.
import { useEffect, useState, type FormEvent } from 'react';
import { ACTIVITY_KINDS, seedMilestones, type ActivityKind, type Milestone, type Target } from '../../../server/contract/workspace/targets.js';
import { errorText } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { toast } from '../toast.js';

export function TargetsEditor({ year, targets, title, saveLabel, onSave }: { year: number; targets: Target[]; title: string; saveLabel: string; onSave(targets: Target[]): Promise<void> }) {
  const { t } = useI18n();
  const [list, setList] = useState<Target[]>(targets);
  const [busy, setBusy] = useState(false);
  useEffect(() => setList(targets), [targets]);
  const save = async (next: Target[]) => {
    setBusy(true);
    try {
      await onSave(next);
      toast.info(t('ws.editor.saved'));
    } catch (e) {
      toast.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel ws-editor" data-testid="ws-editor">
      <h3 className="panel-title">{title}</h3>
      {list.length === 0 && <div className="muted">{t('ws.editor.none')}</div>}
      <ul className="ws-editor-list">
        {list.map((x) => {
          const terms = x.terms[x.terms.length - 1];
          return (
            <li key={x.id}>
              <strong>{x.title}</strong> · {x.kinds.map((k) => t(`ws.kind.${k}`)).join(' + ')} ≥ {terms.threshold}
              {terms.milestones.length > 0 && <span className="muted"> · {terms.milestones.map((m) => `${m.by.slice(5)} ${m.percent}%`).join(' / ')}</span>}{' '}
              <button type="button" className="link" disabled={busy} onClick={() => setList(list.filter((y) => y.id !== x.id))}>
                {t('ws.editor.remove')}
              </button>
              <Revise target={x} onRevise={(next) => setList(list.map((y) => (y.id === x.id ? next : y)))} />
            </li>
          );
        })}
      </ul>
      <NewTarget year={year} onAdd={(x) => setList([...list, x])} />
      <button type="button" className="primary" disabled={busy} data-testid="ws-editor-save" onClick={() => void save(list)}>
        {saveLabel}
      </button>
    </section>
  );
}

/**
 * Changes a target's threshold from a day on as a new version of its terms: milestones before
 * that day stay judged by the old threshold (a target raised in June does not fail April).
 */
function Revise({ target, onRevise }: { target: Target; onRevise(t: Target): void }) {
  const { t } = useI18n();
  const last = target.terms[target.terms.length - 1];
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
  const [from, setFrom] = useState(today > target.year.from && today <= target.year.to ? today : target.year.from);
  const [threshold, setThreshold] = useState(last.threshold);
  return (
    <span className="ws-revise">
      {' · '}
      {t('ws.editor.revise')}{' '}
      <input type="date" value={from} min={target.year.from} max={target.year.to} onChange={(e) => setFrom(e.target.value)} aria-label={t('ws.editor.reviseFrom')} />
      <input type="number" min={1} max={100000} value={threshold} onChange={(e) => setThreshold(Math.max(1, Number(e.target.value) || 1))} aria-label={t('ws.editor.threshold')} />
      <button
        type="button"
        className="link"
        onClick={() => {
          // The version from that day replaces one that starts the same day; earlier ones stay.
          const kept = target.terms.filter((x) => x.from !== from);
          onRevise({ ...target, terms: [...kept, { ...last, from, threshold }].sort((a, b) => (a.from < b.from ? -1 : 1)) });
        }}
      >
        {t('ws.editor.reviseApply')}
      </button>
    </span>
  );
}

function NewTarget({ year, onAdd }: { year: number; onAdd(t: Target): void }) {
  const { t } = useI18n();
  const [title, setTitle] = useState('');
  const [kinds, setKinds] = useState<ActivityKind[]>(['sync_lesson']);
  const [threshold, setThreshold] = useState(10);
  const [minSubjects, setMinSubjects] = useState(0);
  const [minTeachers, setMinTeachers] = useState(0);
  const [everyMonth, setEveryMonth] = useState(false);
  const [milestones, setMilestones] = useState<Milestone[]>(seedMilestones(year));
  useEffect(() => setMilestones(seedMilestones(year)), [year]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!kinds.length) return toast.error(t('ws.editor.needKinds'));
    const from = `${year}-01-01`;
    onAdd({
      id: `t-${Date.now().toString(36)}`,
      title: title.trim() || `${kinds.map((k) => t(`ws.kind.${k}`)).join('/')} ≥ ${threshold}`,
      kinds,
      year: { from, to: `${year}-12-31` },
      terms: [
        {
          from,
          threshold,
          breadth: {
            ...(minSubjects > 0 ? { minSubjects } : {}),
            ...(minTeachers > 0 ? { minTeachers } : {}),
            ...(everyMonth ? { everyMonth: true, exceptMonths: [2, 7, 8] } : {}),
          },
          milestones: milestones.filter((m) => m.by.startsWith(String(year))),
        },
      ],
    });
    setTitle('');
  };
  return (
    <form className="ws-form" onSubmit={submit} data-testid="ws-new-target">
      <label>
        {t('ws.editor.name')} <input value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} data-testid="ws-target-title" />
      </label>
      <fieldset>
        <legend>{t('ws.editor.kinds')}</legend>
        {ACTIVITY_KINDS.map((k) => (
          <label key={k} className="ws-kind">
            <input type="checkbox" checked={kinds.includes(k)} onChange={(e) => setKinds(e.target.checked ? [...kinds, k] : kinds.filter((x) => x !== k))} />
            {t(`ws.kind.${k}`)}
          </label>
        ))}
      </fieldset>
      <label>
        {t('ws.editor.threshold')} <input type="number" min={1} max={100000} value={threshold} onChange={(e) => setThreshold(Math.max(1, Number(e.target.value) || 1))} data-testid="ws-target-threshold" />
      </label>
      <label>
        {t('ws.editor.minSubjects')} <input type="number" min={0} max={50} value={minSubjects} onChange={(e) => setMinSubjects(Math.max(0, Number(e.target.value) || 0))} />
      </label>
      <label>
        {t('ws.editor.minTeachers')} <input type="number" min={0} max={500} value={minTeachers} onChange={(e) => setMinTeachers(Math.max(0, Number(e.target.value) || 0))} />
      </label>
      <label>
        <input type="checkbox" checked={everyMonth} onChange={(e) => setEveryMonth(e.target.checked)} /> {t('ws.editor.everyMonth')}
      </label>
      <fieldset>
        <legend>{t('ws.editor.milestones')}</legend>
        {milestones.map((m, i) => (
          <span key={i} className="ws-milestone-edit">
            <input type="date" value={m.by} min={`${year}-01-01`} max={`${year}-12-31`} onChange={(e) => setMilestones(milestones.map((x, j) => (j === i ? { ...x, by: e.target.value } : x)))} />
            <input type="number" min={0} max={100} value={m.percent} onChange={(e) => setMilestones(milestones.map((x, j) => (j === i ? { ...x, percent: Math.min(100, Math.max(0, Number(e.target.value) || 0)) } : x)))} />%
          </span>
        ))}
      </fieldset>
      <button type="submit" data-testid="ws-target-add">
        {t('ws.editor.add')}
      </button>
    </form>
  );
}
