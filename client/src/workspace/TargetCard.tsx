// One target's progress: count against threshold, the breadth conditions, each milestone (overdue
// ones flagged), the projection at the current pace, and (with the days of the counted
// activities) the chart of the count over the year against the milestone line.
import { useMemo } from 'react';
import type { TargetProgress } from '../../../server/contract/workspace/progress.js';
import { useI18n } from '../i18n/index.js';
import { EChart } from '../research/EChart.js';
import { targetLineOption } from './targetChart.js';
import { monthDay, useTargetChartLabels } from './format.js';

export function TargetCard({ progress, countedDays, asOf }: { progress: TargetProgress; countedDays?: readonly string[]; asOf: string }) {
  const { t } = useI18n();
  const labels = useTargetChartLabels();
  const { target, evaluation: e } = progress;
  const option = useMemo(() => (countedDays ? targetLineOption(target, e, countedDays, asOf, labels) : null), [target, e, countedDays, asOf, labels]);
  const overdue = e.milestones.filter((m) => m.overdue);
  return (
    <div className={`panel ws-target${overdue.length ? ' ws-overdue' : ''}`} data-testid="ws-target">
      <div className="ws-target-head">
        <strong>{target.title}</strong>
        <span className="muted"> · {target.kinds.map((k) => t(`ws.kind.${k}`)).join(' + ')}</span>
        <span className={`ws-badge ${e.complete ? 'ok' : 'no'}`}>{e.complete ? t('ws.met') : t('ws.notMet')}</span>
      </div>
      <div className="ws-count" data-testid="ws-count">
        {t('ws.count', { count: e.count, threshold: e.threshold, percent: e.percent })}
      </div>
      <div className="ws-bar" aria-hidden>
        <div className="ws-bar-fill" style={{ width: `${Math.min(100, e.percent)}%` }} />
      </div>
      <div className="ws-projection" data-testid="ws-projection">
        {e.projection ? t('ws.projection', { date: monthDay(e.projection.by), count: e.projection.count, threshold: e.threshold }) : t('ws.projection.none')}
      </div>
      <ul className="ws-breadth">
        {e.breadth.subjects && <li className={e.breadth.subjects.met ? 'ok' : 'no'}>{t('ws.breadth.subjects', { have: e.breadth.subjects.have, need: e.breadth.subjects.need })}</li>}
        {e.breadth.teachers && <li className={e.breadth.teachers.met ? 'ok' : 'no'}>{t('ws.breadth.teachers', { have: e.breadth.teachers.have, need: e.breadth.teachers.need })}</li>}
        {e.breadth.months && (
          <li className={e.breadth.months.met ? 'ok' : 'no'}>
            {t('ws.breadth.months')}
            {!e.breadth.months.met && ` · ${t('ws.breadth.missing', { months: e.breadth.months.missing.join('、') })}`}
          </li>
        )}
      </ul>
      {e.milestones.length > 0 && (
        <ul className="ws-milestones">
          {e.milestones.map((m) => (
            <li key={m.by} className={m.met ? 'ok' : m.overdue ? 'late' : 'pending'} data-testid={m.overdue ? 'ws-milestone-overdue' : undefined}>
              {t('ws.milestone', { date: monthDay(m.by), percent: m.percent, needed: m.needed, reached: m.reached })} ·{' '}
              {m.met ? t('ws.milestone.met') : m.overdue ? t('ws.milestone.overdue') : t('ws.milestone.pending')}
            </li>
          ))}
        </ul>
      )}
      {option && <EChart option={option} height={220} testId="ws-target-chart" />}
    </div>
  );
}
