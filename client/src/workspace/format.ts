// Small shared pieces of the workspace pages: dates as the page's language writes them, the
// chart labels, the years the year filter offers.
import { useMemo } from 'react';
import { tr, useI18n } from '../i18n/index.js';
import type { TargetChartLabels } from './targetChart.js';

/** 'YYYY-MM-DD' → 12月31日 / 12/31. */
export function monthDay(day: string): string {
  return tr('ws.monthDay', { m: Number(day.slice(5, 7)), d: Number(day.slice(8, 10)) });
}

export function thisYear(): number {
  // The school's calendar year (Shanghai): 8 hours ahead of UTC.
  return new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
}

export function yearChoices(): [number, string][] {
  const y = thisYear();
  return [y + 1, y, y - 1, y - 2].map((v) => [v, String(v)]);
}

export function useTargetChartLabels(): TargetChartLabels {
  const { t, lang } = useI18n();
  return useMemo(
    () => ({ actual: t('ws.chart.actual'), milestones: t('ws.chart.milestones'), projection: t('ws.chart.projection'), threshold: t('ws.chart.threshold'), count: t('ws.chart.count') }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [lang],
  );
}
