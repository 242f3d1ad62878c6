// The S-T curve and the Rt–Ch diagram side by side, one series per lesson: one lesson on its
// analysis tab, two on 同课异构. The caller memoises `lessons` so the charts redraw only on new data.
import { useMemo } from 'react';
import type { LessonAnalysis } from '../../../server/contract/research.js';
import { useI18n } from '../i18n/index.js';
import { rtChOption, stCurveOption } from './chartOptions.js';
import { EChart } from './EChart.js';
import { useChartLabels } from './useChartLabels.js';

export interface StLesson {
  name: string;
  st: LessonAnalysis['st'];
}

/** Test ids are `${testIdPrefix}-st-curve` and `${testIdPrefix}-rtch`. */
export function StCharts({ lessons, testIdPrefix }: { lessons: readonly StLesson[]; testIdPrefix: string }) {
  const { t } = useI18n();
  const labels = useChartLabels();
  const options = useMemo(
    () => ({
      curve: stCurveOption(lessons.map((l) => ({ name: l.name, curve: l.st.curve, intervalS: l.st.intervalS }))),
      rtch: rtChOption(
        lessons.map((l) => ({ name: l.name, rt: l.st.figures.rt, ch: l.st.figures.ch })),
        labels,
      ),
    }),
    [lessons, labels],
  );
  return (
    <div className="rs-charts">
      <section>
        <h4>{t('research.an.stCurve')}</h4>
        <EChart option={options.curve} testId={`${testIdPrefix}-st-curve`} />
      </section>
      <section>
        <h4>{t('research.an.rtch')}</h4>
        <EChart option={options.rtch} testId={`${testIdPrefix}-rtch`} />
      </section>
    </div>
  );
}
