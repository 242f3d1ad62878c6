// /workspace/pairings/:id — one pairing's year: each target against its threshold, the milestone
// line and the projection, the activities behind the counts (and why some did not count), and
// the signed-in teacher's own contribution. Filters: year, subject.
import { useEffect, useMemo, useState } from 'react';
import type { PublicUser } from '../../../server/contract/domain.js';
import type { Contribution as ContributionData, PairingProgressResponse, ProgressActivity } from '../../../server/contract/workspace/progress.js';
import type { ActivityKind, Target } from '../../../server/contract/workspace/targets.js';
import { errorText } from '../api.js';
import { Choice } from '../components/Choice.js';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';
import { TargetCard } from './TargetCard.js';
import { TargetsEditor } from './TargetsEditor.js';
import { thisYear, yearChoices } from './format.js';
import { communityPath, workspaceApi } from './workspaceApi.js';
import './workspace.css';
import { LessonEvidenceLinks } from './LessonEvidenceLinks.js';

export function PairingDashboard({ pairingId, user }: { pairingId: string; user: PublicUser }) {
  const { t } = useI18n();
  const [year, setYear] = useState(thisYear());
  const [subject, setSubject] = useState('');
  const [data, setData] = useState<PairingProgressResponse | null>(null);
  const [error, setError] = useState('');
  const [reload, setReload] = useState(0);
  useEffect(() => {
    let live = true;
    workspaceApi.pairingProgress(pairingId, { year, subject }).then(
      (d) => live && (setData(d), setError('')),
      (e) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [pairingId, year, subject, reload]);
  if (error) return <div className="page-message">{error}</div>;
  if (!data) return <div className="muted-text">{t('ws.loading')}</div>;
  const manages = user.role === 'community_admin';
  return (
    <div className="ws-page" data-testid="ws-pairing">
      <h2>{t('ws.pairing', { city: data.pairing.citySchool.name, rural: data.pairing.ruralSchool.name })}</h2>
      <div className="ws-filters">
        <label>
          {t('ws.year')} <Choice value={year} options={yearChoices()} onChange={(v) => setYear(Number(v))} data-testid="ws-year" />
        </label>
        <label>
          {t('ws.subject')} <Choice value={subject} none={t('ws.all')} options={data.subjects.map((s) => [s, s])} onChange={setSubject} data-testid="ws-subject" />
        </label>
        <span className="muted">{t(`ws.source.${data.source}`)}</span>
        {manages && <Link to={communityPath(data.pairing.communityId)}>{t('ws.title')}</Link>}
      </div>
      {data.targets.length === 0 ? (
        <EmptyPlan year={year} manages={manages} communityId={data.pairing.communityId} />
      ) : (
        <div className="ws-targets">
          {data.targets.map((p) => (
            <TargetCard key={p.target.id} progress={p} asOf={data.asOf} countedDays={countedDaysOf(data.activities, p.target.kinds)} />
          ))}
        </div>
      )}
      {data.mine && <Contribution mine={data.mine} />}
      <ActivityList activities={data.activities} />
      {manages && <PairingTargets pairingId={pairingId} year={year} onSaved={() => setReload((n) => n + 1)} />}
    </div>
  );
}

/** The community admin's editor of this pairing's own targets (empty: the pairing follows the community's). */
function PairingTargets({ pairingId, year, onSaved }: { pairingId: string; year: number; onSaved(): void }) {
  const { t } = useI18n();
  const [own, setOwn] = useState<Target[] | null>(null);
  useEffect(() => {
    workspaceApi.pairingPlan(pairingId, year).then((p) => setOwn(p.own), () => setOwn(null));
  }, [pairingId, year]);
  if (!own) return null;
  const save = async (targets: Target[]) => {
    setOwn((await workspaceApi.savePairingPlan(pairingId, year, targets)).own);
    onSaved();
  };
  return <TargetsEditor year={year} targets={own} title={t('ws.editor.pairingTitle', { year })} saveLabel={t('ws.editor.save')} onSave={save} />;
}

function countedDaysOf(activities: readonly ProgressActivity[], kinds: readonly string[]): string[] {
  return activities.filter((a) => a.counts && kinds.includes(a.kind)).map((a) => a.day);
}

export function EmptyPlan({ year, manages, communityId }: { year: number; manages: boolean; communityId: string }) {
  const { t } = useI18n();
  return (
    <div className="panel ws-empty" data-testid="ws-empty">
      <strong>{t('ws.empty.title', { year })}</strong>
      <p>{manages ? t('ws.empty.admin') : t('ws.empty.reader', { year })}</p>
      {manages && <Link to={communityPath(communityId)}>{t('ws.copyLastYear')} / {t('ws.fromTemplate')}</Link>}
    </div>
  );
}

export function Contribution({ mine }: { mine: ContributionData }) {
  const { t } = useI18n();
  const kinds = Object.entries(mine.byKind).filter(([, n]) => n);
  return (
    <section className="panel" data-testid="ws-mine">
      <h3 className="panel-title">{t('ws.mine')}</h3>
      {kinds.length === 0 ? (
        <div className="muted">{t('ws.mine.none')}</div>
      ) : (
        <div className="ws-mine-kinds">{kinds.map(([k, n]) => `${t(`ws.kind.${k as ActivityKind}`)} ${n}`).join(' · ')}</div>
      )}
      {mine.activities.length > 0 && <ActivityRows activities={mine.activities} />}
    </section>
  );
}

function ActivityList({ activities }: { activities: readonly ProgressActivity[] }) {
  const { t } = useI18n();
  return (
    <section className="panel" data-testid="ws-activities">
      <h3 className="panel-title">{t('ws.activities')}</h3>
      {activities.length === 0 ? <div className="muted">{t('ws.activities.none')}</div> : <ActivityRows activities={activities} />}
    </section>
  );
}

function ActivityRows({ activities }: { activities: readonly ProgressActivity[] }) {
  const { t } = useI18n();
  const rows = useMemo(() => activities.slice(0, 200), [activities]);
  return (
    <table className="ws-table">
      <tbody>
        {rows.map((a) => (
          <tr key={`${a.kind}:${a.id}`} className={a.counts ? '' : 'ws-not-counted'}>
            <td>{a.day}</td>
            <td>{t(`ws.kind.${a.kind}`)}</td>
            <td>{a.title}</td>
            <td>{a.subject}</td>
            <td>
              {a.counts ? t('ws.activity.counts') : t('ws.activity.notCounted')}
              {a.attendance && <span className="muted"> · {t('ws.activity.joint', { joint: a.attendance.jointMin, needed: a.attendance.neededMin })}</span>}
              {a.reason && a.reason !== 'attendance' && <span className="muted"> · {t(`ws.reason.${a.reason}`)}</span>}
            </td>
            <td>{a.kind === 'sync_lesson' && <LessonEvidenceLinks lessonId={a.id} />}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
