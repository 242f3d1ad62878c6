// The mentee's growth as lines over their lessons: S-T Rt and Ch (0–1, left axis) and the rubric
// mean (right axis). Loaded lazily by the pair page: ECharts stays out of the app's first chunk.
import { useMemo } from 'react';
import type { GrowthLesson } from '../../../../server/contract/workspace/mentors.js';
import { EChart } from '../../research/EChart.js';
import { useI18n } from '../../i18n/index.js';

export function GrowthChart({ lessons, maxScore }: { lessons: GrowthLesson[]; maxScore: number }) {
  const { t } = useI18n();
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' },
      legend: { data: [t('mentors.growth.rt'), t('mentors.growth.ch'), t('mentors.growth.rubric')] },
      grid: { left: 40, right: 40, top: 40, bottom: 40 },
      xAxis: { type: 'category', data: lessons.map((l) => `${l.day.slice(5)} ${l.title}`), axisLabel: { hideOverlap: true } },
      yAxis: [
        { type: 'value', min: 0, max: 1 },
        { type: 'value', min: 0, max: maxScore, splitLine: { show: false } },
      ],
      series: [
        { name: t('mentors.growth.rt'), type: 'line', connectNulls: false, data: lessons.map((l) => l.st?.rt ?? null) },
        { name: t('mentors.growth.ch'), type: 'line', connectNulls: false, data: lessons.map((l) => l.st?.ch ?? null) },
        { name: t('mentors.growth.rubric'), type: 'line', yAxisIndex: 1, connectNulls: false, data: lessons.map((l) => (l.rubricMean === null ? null : Math.round(l.rubricMean * 100) / 100)) },
      ],
    }),
    [lessons, maxScore, t],
  );
  return <EChart option={option} height={260} testId="mentor-growth-chart" />;
}
