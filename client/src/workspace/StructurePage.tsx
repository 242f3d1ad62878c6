// /workspace/structure — the community admin sets up the 教共体's structure: its type (融合型 /
// 共建型) and scope (县域 / 市域 / 省域), each pairing's rounds (three-year plans with a theme per
// year) and its leaders with their duties (责任分工). Others see the same read-only (a school's
// staff: their own pairings; a reviewer: every community of the bureau).
import { useCallback, useEffect, useState } from 'react';
import type { PublicUser } from '../../../server/contract/domain.js';
import { COMMUNITY_KINDS, COMMUNITY_SCOPES } from '../../../server/contract/domain.js';
import type { OrgCommunity, OrgPairing, OrgResponse } from '../../../server/contract/workspace/org.js';
import { api, errorText } from '../api.js';
import { useI18n } from '../i18n/index.js';
import { toast } from '../toast.js';
import './workspace.css';

type Person = { id: string; displayName: string; schoolId: string; schoolName: string };

export function StructurePage({ user }: { user: PublicUser }) {
  const { t } = useI18n();
  const [org, setOrg] = useState<OrgResponse | null>(null);
  const [error, setError] = useState('');
  const load = useCallback(() => api<OrgResponse>('GET', '/api/workspace/org').then(setOrg, (e: unknown) => setError(errorText(e))), []);
  useEffect(() => void load(), [load]);
  if (error) return <div className="page-message">{error}</div>;
  if (!org) return <div className="muted-text">{t('app.loading')}</div>;
  const canEdit = user.role === 'community_admin';
  return (
    <div className="ws-page" data-testid="ws-structure">
      <h2>{t('org.structure.title')}</h2>
      {!canEdit && <p className="muted">{t('org.structure.readOnly')}</p>}
      {org.communities.map((c) => (
        <CommunityStructure key={c.id} community={c} canEdit={canEdit} onChange={load} />
      ))}
    </div>
  );
}

function CommunityStructure({ community: c, canEdit, onChange }: { community: OrgCommunity; canEdit: boolean; onChange(): Promise<void> }) {
  const { t } = useI18n();
  const patch = (body: object) =>
    api('PATCH', `/api/workspace/communities/${encodeURIComponent(c.id)}`, body).then(onChange, (e: unknown) => toast.error(errorText(e)));
  return (
    <section className="panel" data-testid="ws-structure-community">
      <h3 className="panel-title">{c.name}</h3>
      <div className="row-gap">
        <label>
          {t('org.structure.kind')}{' '}
          <select value={c.kind} disabled={!canEdit} onChange={(e) => void patch({ kind: e.target.value })} data-testid="ws-community-kind">
            {COMMUNITY_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`org.community.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('org.structure.scope')}{' '}
          <select value={c.scope} disabled={!canEdit} onChange={(e) => void patch({ scope: e.target.value })} data-testid="ws-community-scope">
            {COMMUNITY_SCOPES.map((s) => (
              <option key={s} value={s}>
                {t(`org.community.scope.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {c.pairings.length === 0 && <p className="muted">{t('org.structure.noPairings')}</p>}
      {c.pairings.map((p) => (
        <PairingStructure key={p.id} pairing={p} canEdit={canEdit} onChange={onChange} />
      ))}
    </section>
  );
}

function PairingStructure({ pairing: p, canEdit, onChange }: { pairing: OrgPairing; canEdit: boolean; onChange(): Promise<void> }) {
  const { t } = useI18n();
  const [people, setPeople] = useState<Person[]>([]);
  const [leader, setLeader] = useState({ userId: '', duty: '' });
  const next = (p.rounds.at(-1)?.round ?? 0) + 1;
  const [round, setRound] = useState({ startsOn: '', endsOn: '', themes: '' });
  const id = encodeURIComponent(p.id);
  useEffect(() => {
    if (!canEdit) return;
    api<{ people: Person[] }>('GET', `/api/workspace/schools/${encodeURIComponent(p.citySchool.id)}/people`).then(
      (r) => setPeople(r.people.filter((x) => x.schoolId === p.citySchool.id || x.schoolId === p.ruralSchool.id)),
      () => setPeople([]),
    );
  }, [canEdit, p.citySchool.id, p.ruralSchool.id]);
  const fail = (e: unknown) => toast.error(errorText(e));
  const addRound = () =>
    api('POST', `/api/workspace/pairings/${id}/rounds`, {
      round: next,
      startsOn: round.startsOn,
      endsOn: round.endsOn,
      yearThemes: round.themes.split(/[、,，;；]/).map((s) => s.trim()).filter(Boolean),
    }).then(() => {
      setRound({ startsOn: '', endsOn: '', themes: '' });
      return onChange();
    }, fail);
  const setLeaderDuty = () =>
    api('PUT', `/api/workspace/pairings/${id}/leaders/${encodeURIComponent(leader.userId)}`, { duty: leader.duty }).then(() => {
      setLeader({ userId: '', duty: '' });
      return onChange();
    }, fail);
  const remove = (userId: string) => api('DELETE', `/api/workspace/pairings/${id}/leaders/${encodeURIComponent(userId)}`).then(onChange, fail);
  return (
    <div className="ws-structure-pairing" data-testid="ws-structure-pairing">
      <h4>
        {p.citySchool.name} → {p.ruralSchool.name}
      </h4>
      <div className="muted">{t('org.pairing.rounds')}</div>
      {p.rounds.length === 0 && <div className="muted">{t('org.pairing.noRound')}</div>}
      <ul>
        {p.rounds.map((r) => (
          <li key={r.id}>
            {t('org.pairing.round', { round: String(r.round), from: r.startsOn, to: r.endsOn })}
            {r.yearThemes.length > 0 && ` · ${r.yearThemes.join(' → ')}`}
          </li>
        ))}
      </ul>
      {canEdit && (
        <div className="row-gap" data-testid="ws-round-form">
          <span>{t('org.structure.newRound', { round: String(next) })}</span>
          <input type="date" aria-label={t('org.structure.startsOn')} value={round.startsOn} onChange={(e) => setRound({ ...round, startsOn: e.target.value })} />
          <input type="date" aria-label={t('org.structure.endsOn')} value={round.endsOn} onChange={(e) => setRound({ ...round, endsOn: e.target.value })} />
          <input placeholder={t('org.structure.themes')} value={round.themes} onChange={(e) => setRound({ ...round, themes: e.target.value })} />
          <button disabled={!round.startsOn || !round.endsOn} onClick={() => void addRound()}>
            {t('org.structure.addRound')}
          </button>
        </div>
      )}
      <div className="muted">{t('org.pairing.leaders')}</div>
      {p.leaders.length === 0 && <div className="muted">{t('org.structure.noLeaders')}</div>}
      <ul>
        {p.leaders.map((l) => (
          <li key={l.userId} data-testid="ws-leader">
            {l.displayName}：{l.duty}{' '}
            {canEdit && (
              <button className="link" onClick={() => window.confirm(t('org.structure.removeConfirm', { name: l.displayName })) && void remove(l.userId)}>
                {t('org.structure.remove')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {canEdit && (
        <div className="row-gap" data-testid="ws-leader-form">
          <select value={leader.userId} onChange={(e) => setLeader({ ...leader, userId: e.target.value })} aria-label={t('org.structure.person')}>
            <option value="">{t('org.structure.person')}</option>
            {people.map((x) => (
              <option key={x.id} value={x.id}>
                {x.schoolName} · {x.displayName}
              </option>
            ))}
          </select>
          <input placeholder={t('org.structure.duty')} value={leader.duty} onChange={(e) => setLeader({ ...leader, duty: e.target.value })} />
          <button disabled={!leader.userId || !leader.duty.trim()} onClick={() => void setLeaderDuty()}>
            {t('org.structure.setLeader')}
          </button>
        </div>
      )}
    </div>
  );
}
