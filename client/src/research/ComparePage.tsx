// 同课异构: two recordings of the same topic side by side on one clock (they play in sync), with
// their S-T figures, curves and Rt–Ch points compared.
import { useMemo } from 'react';
import { useI18n } from '../i18n/index.js';
import { rtChOption, stCurveOption } from './chartOptions.js';
import { EChart } from './EChart.js';
import { StFigures, useAnalysis, useChartLabels } from './AnalysisView.js';
import { LessonPlayer, useLessonClock } from './LessonPlayer.js';
import './research.css';

export function ComparePage({ a, b }: { a: string; b: string }) {
  const { t } = useI18n();
  const [x] = useAnalysis(a, 30);
  const [y] = useAnalysis(b, 30);
  const labels = useChartLabels();
  const clock = useLessonClock(Math.max(x?.durationMs ?? 0, y?.durationMs ?? 0));
  const options = useMemo(
    () =>
      x &&
      y && {
        curve: stCurveOption([
          { name: `A · ${x.title}`, curve: x.st.curve, intervalS: 30 },
          { name: `B · ${y.title}`, curve: y.st.curve, intervalS: 30 },
        ]),
        rtch: rtChOption(
          [
            { name: `A · ${x.title}`, rt: x.st.figures.rt, ch: x.st.figures.ch },
            { name: `B · ${y.title}`, rt: y.st.figures.rt, ch: y.st.figures.ch },
          ],
          labels,
        ),
      },
    [x, y, labels],
  );
  return (
    <div className="rs-page" data-testid="compare-page">
      <h2>{t('research.compare')}</h2>
      <div className="rs-compare">
        {[x, y].map((an, i) => (
          <section key={i} data-testid={`compare-${i === 0 ? 'a' : 'b'}`}>
            <h3>
              {i === 0 ? t('research.compare.a') : t('research.compare.b')}: {an?.title ?? '…'}
            </h3>
            <LessonPlayer lessonId={i === 0 ? a : b} clock={clock} testId={`compare-player-${i}`} />
            {an && <StFigures a={an} />}
          </section>
        ))}
      </div>
      {options && (
        <div className="rs-charts">
          <section>
            <h4>{t('research.an.stCurve')}</h4>
            <EChart option={options.curve} testId="compare-st-curve" />
          </section>
          <section>
            <h4>{t('research.an.rtch')}</h4>
            <EChart option={options.rtch} testId="compare-rtch" />
          </section>
        </div>
      )}
    </div>
  );
}
