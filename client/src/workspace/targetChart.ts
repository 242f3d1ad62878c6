// ECharts options of the workspace dashboards: one target's count over its year against the
// milestone line and the projection, and counts against thresholds side by side. Pure: the
// pages pass the evaluation and the labels in the page's language.
import type { EChartsCoreOption } from 'echarts';
import type { Target, TargetEvaluation } from '../../../server/contract/workspace/targets.js';

export interface TargetChartLabels {
  actual: string;
  milestones: string;
  projection: string;
  threshold: string;
  count: string;
}

const OK = '#2e7d32';
const LATE = '#c62828';
const PENDING = '#9e9e9e';

/** The running count (a step at each counted activity's day), the milestones, the projection to the year's end. */
export function targetLineOption(target: Target, e: TargetEvaluation, countedDays: readonly string[], asOf: string, labels: TargetChartLabels): EChartsCoreOption {
  const { from, to } = target.year;
  const end = asOf < to ? asOf : to;
  const days = countedDays.filter((d) => d >= from && d <= end).sort();
  const actual: [string, number][] = [[from, 0]];
  days.forEach((d, i) => actual.push([d, i + 1]));
  if (end >= from) actual.push([end, days.length]);
  return {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    // Room on the right for the threshold line's label ("目标 10" / "Target 10").
    grid: { left: 40, right: 64, top: 20, bottom: 50 },
    xAxis: { type: 'time', min: from, max: to },
    yAxis: { type: 'value', minInterval: 1, max: (v: { max: number }) => Math.max(v.max, e.threshold) },
    series: [
      {
        name: labels.actual,
        type: 'line',
        step: 'end',
        symbol: 'none',
        data: actual,
        markLine: { silent: true, symbol: 'none', lineStyle: { type: 'dotted' }, label: { formatter: `${labels.threshold} ${e.threshold}` }, data: [{ yAxis: e.threshold }] },
      },
      {
        name: labels.milestones,
        type: 'line',
        data: e.milestones.map((m) => ({ value: [m.by, m.needed], itemStyle: { color: m.met ? OK : m.overdue ? LATE : PENDING } })),
        lineStyle: { type: 'dashed', color: PENDING },
        symbolSize: 10,
      },
      ...(e.projection
        ? [
            {
              name: labels.projection,
              type: 'line',
              symbol: 'none',
              data: [
                [end, e.count],
                [e.projection.by, e.projection.count],
              ],
              lineStyle: { type: 'dashed', color: e.projection.meets ? OK : LATE },
            },
          ]
        : []),
    ],
  };
}

/**
 * Count against threshold for each of several rows (pairings of a target, communities); with
 * `milestone` on the rows, the milestone line too: what each row needs by its next milestone.
 */
export function countBarsOption(rows: readonly { name: string; count: number; threshold: number; milestone?: number }[], labels: TargetChartLabels): EChartsCoreOption {
  const milestones = rows.some((r) => r.milestone !== undefined);
  return {
    tooltip: { trigger: 'axis' },
    legend: { bottom: 0 },
    grid: { left: 40, right: 20, top: 20, bottom: 70, containLabel: true },
    xAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { interval: 0, rotate: rows.length > 4 ? 30 : 0 } },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { name: labels.count, type: 'bar', data: rows.map((r) => ({ value: r.count, itemStyle: { color: r.count >= r.threshold ? OK : '#1565c0' } })) },
      { name: labels.threshold, type: 'bar', data: rows.map((r) => r.threshold), itemStyle: { color: '#cfd8dc' } },
      ...(milestones
        ? [
            {
              name: labels.milestones,
              type: 'line',
              data: rows.map((r) => ({ value: r.milestone ?? null, itemStyle: { color: r.milestone !== undefined && r.count >= r.milestone ? OK : LATE } })),
              lineStyle: { type: 'dashed', color: PENDING },
              symbolSize: 10,
            },
          ]
        : []),
    ],
  };
}
