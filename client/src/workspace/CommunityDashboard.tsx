// /workspace/communities/:id — a community's year: each target rolled up over its pairings (a
// chart of count against threshold per pairing), every pairing's state, the caller's own
// contribution, and for the community admin the targets editor with "copy last year" and
// "start from the bureau's template". Filters: year, school, subject.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { PublicUser } from '../../../server/contract/domain.js';
import type { PlanResponse } from '../../../server/contract/workspace/plan.js';
import type { CommunityProgressResponse, TargetRollup } from '../../../server/contract/workspace/progress.js';
import type { ActivityKind, MilestoneResult, Target, TargetEvaluation } from '../../../server/contract/workspace/targets.js';
import { errorText } from '../api.js';
import { Choice } from '../components/Choice.js';
import { useI18n } from '../i18n/index.js';
import { Link } from '../router.js';
import { EChart } from '../research/EChart.js';
import { toast } from '../toast.js';
import { Contribution } from './PairingDashboard.js';
import { TargetsEditor } from './TargetsEditor.js';
import { countBarsOption } from './targetChart.js';
import { monthDay, thisYear, useTargetChartLabels, yearChoices } from './format.js';
import { pairingPath, workspaceApi } from './workspaceApi.js';
import './workspace.css';

/** "同步课堂 1 · 送教下乡 1": what counted for a pairing, per kind. */
function useCountedText(): (counted: Partial<Record<ActivityKind, number>>) => string {
  const { t } = useI18n();
  return (counted) =>
    Object.entries(counted)
      .filter(([, n]) => n)
      .map(([k, n]) => `${t(`ws.kind.${k as ActivityKind}`)} ${n}`)
      .join(' · ');
}

export function CommunityDashboard({ communityId, user }: { communityId: string; user: PublicUser }) {
  const { t } = useI18n();
  const [year, setYear] = useState(thisYear());
  const [schoolId, setSchoolId] = useState('');
  const [subject, setSubject] = useState('');
  const [data, setData] = useState<CommunityProgressResponse | null>(null);
  const [plan, setPlan] = useState<PlanResponse | null>(null);
  const [error, setError] = useState('');
  const manages = user.role === 'community_admin';
  const countedText = useCountedText();
  const reload = useCallback(() => {
    workspaceApi.communityProgress(communityId, { year, schoolId, subject }).then(
      (d) => (setData(d), setError('')),
      (e) => setError(errorText(e)),
    );
    workspaceApi.communityPlan(communityId, year).then(setPlan, () => setPlan(null));
  }, [communityId, year, schoolId, subject]);
  useEffect(reload, [reload]);
  const act = (p: Promise<PlanResponse>) =>
    p.then(
      () => reload(),
      (e) => toast.error(errorText(e)),
    );
  const save = async (targets: Target[]) => {
    setPlan(await workspaceApi.saveCommunityPlan(communityId, year, targets));
    reload();
  };
  if (error) return <div className="page-message">{error}</div>;
  if (!data) return <div className="muted-text">{t('ws.loading')}</div>;
  return (
    <div className="ws-page" data-testid="ws-community">
      <h2>
        {t('ws.title')} · {data.community.name}
      </h2>
      <div className="ws-filters">
        <label>
          {t('ws.year')} <Choice value={year} options={yearChoices()} onChange={(v) => setYear(Number(v))} data-testid="ws-year" />
        </label>
        <label>
          {t('ws.school')} <Choice value={schoolId} none={t('ws.all')} options={data.schools.map((s) => [s.id, s.name])} onChange={setSchoolId} data-testid="ws-school" />
        </label>
        <label>
          {t('ws.subject')} <Choice value={subject} none={t('ws.all')} options={data.subjects.map((s) => [s, s])} onChange={setSubject} data-testid="ws-subject" />
        </label>
        {plan && <span className="muted">{t(`ws.source.${plan.source}`)}</span>}
      </div>
      {plan && plan.targets.length === 0 && (
        <div className="panel ws-empty" data-testid="ws-empty">
          <strong>{t('ws.empty.title', { year })}</strong>
          <p>{manages ? t('ws.empty.admin') : t('ws.empty.reader', { year })}</p>
          {manages && (
            <div className="ws-actions">
              <button type="button" disabled={!plan.canCopyLastYear} data-testid="ws-copy-last-year" onClick={() => void act(workspaceApi.copyLastYear(communityId, year))}>
                {t('ws.copyLastYear')}
              </button>
              <button type="button" disabled={!plan.hasTemplate} data-testid="ws-from-template" onClick={() => void act(workspaceApi.fromTemplate(communityId, year))}>
                {t('ws.fromTemplate')}
              </button>
            </div>
          )}
        </div>
      )}
      {data.rollup.length > 0 && (
        <section>
          <h3>{t('ws.rollup')}</h3>
          <div className="ws-targets">
            {data.rollup.map((r) => (
              <RollupCard key={r.targetId} rollup={r} data={data} />
            ))}
          </div>
        </section>
      )}
      <section className="panel">
        <h3 className="panel-title">{t('ws.pairings')}</h3>
        <table className="ws-table" data-testid="ws-pairings">
          <tbody>
            {data.pairings.map((p) => (
              <tr
                key={p.pairing.id}
                className={p.targets.some((x) => x.evaluation.milestones.some((m) => m.overdue)) ? 'ws-late-row' : ''}
                data-testid="ws-pairing-row"
                data-rural={p.pairing.ruralSchool.name}
              >
                <td>
                  <Link to={pairingPath(p.pairing.id)}>{t('ws.pairing', { city: p.pairing.citySchool.name, rural: p.pairing.ruralSchool.name })}</Link>
                </td>
                <td data-testid="ws-pairing-counted">{countedText(p.counted) || t('ws.counted.none')}</td>
                {p.targets.map((x) => (
                  <td key={x.target.id} title={x.target.title}>
                    {x.target.title}: {x.evaluation.count}/{x.evaluation.threshold}
                    {x.evaluation.milestones.some((m) => m.overdue) && <span className="ws-badge no"> {t('ws.milestone.overdue')}</span>}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {data.mine && <Contribution mine={data.mine} />}
      {manages && plan && (
        <TargetsEditor year={year} targets={plan.own} title={t('ws.editor.title', { year })} saveLabel={t('ws.editor.save')} onSave={save} />
      )}
    </div>
  );
}

/** A pairing's next milestone: the first not yet past (its day counts as not past), else the year's last. */
function nextMilestone(e: TargetEvaluation, asOf: string): MilestoneResult | undefined {
  return e.milestones.find((m) => m.by >= asOf) ?? e.milestones[e.milestones.length - 1];
}

function RollupCard({ rollup: r, data }: { rollup: TargetRollup; data: CommunityProgressResponse }) {
  const { t } = useI18n();
  const labels = useTargetChartLabels();
  const held = useMemo(
    () =>
      data.pairings.flatMap((p) => {
        const x = p.targets.find((y) => y.target.id === r.targetId);
        return x ? [{ name: p.pairing.ruralSchool.name, evaluation: x.evaluation, next: nextMilestone(x.evaluation, data.asOf) }] : [];
      }),
    [data, r.targetId],
  );
  const option = useMemo(
    () => countBarsOption(held.map((h) => ({ name: h.name, count: h.evaluation.count, threshold: h.evaluation.threshold, milestone: h.next?.needed })), labels),
    [held, labels],
  );
  // The milestone line in words: the earliest next milestone, summed over the pairings that face it
  // on that day (a pairing with targets of its own may have other days).
  const nextDay = held.reduce<string | null>((d, h) => (h.next && (!d || h.next.by < d) ? h.next.by : d), null);
  const facing = held.filter((h) => h.next?.by === nextDay);
  const milestone = nextDay && {
    date: monthDay(nextDay),
    percent: facing[0].next!.percent,
    needed: facing.reduce((s, h) => s + h.next!.needed, 0),
    reached: facing.reduce((s, h) => s + h.next!.reached, 0),
    pairings: facing.length,
  };
  return (
    <div className={`panel ws-target${r.overdue ? ' ws-overdue' : ''}`} data-testid="ws-rollup">
      <strong data-testid="ws-rollup-title">{r.title}</strong>
      <div className="muted">{t('ws.rollup.line', { complete: r.complete, pairings: r.pairings, onPace: r.onPace, overdue: r.overdue, count: r.count, threshold: r.threshold })}</div>
      {milestone && (
        <div className="muted" data-testid="ws-rollup-milestone">
          {t('ws.rollup.milestone', milestone)}
        </div>
      )}
      <EChart option={option} height={220} testId="ws-rollup-chart" />
    </div>
  );
}
