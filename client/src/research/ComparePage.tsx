// 同课异构: two recordings of the same topic side by side on one clock (they play in sync), with
// their S-T figures, curves and Rt–Ch points compared.
import { useMemo } from 'react';
import { useI18n } from '../i18n/index.js';
import { StFigures, useAnalysis } from './AnalysisView.js';
import { StCharts } from './StCharts.js';
import { LessonPlayer, useLessonClock } from './LessonPlayer.js';
import './research.css';

export function ComparePage({ a, b }: { a: string; b: string }) {
  const { t } = useI18n();
  const [x] = useAnalysis(a, 30);
  const [y] = useAnalysis(b, 30);
  const clock = useLessonClock(Math.max(x?.durationMs ?? 0, y?.durationMs ?? 0));
  const both = useMemo(
    () =>
      x &&
      y && [
        { name: `A · ${x.title}`, st: x.st },
        { name: `B · ${y.title}`, st: y.st },
      ],
    [x, y],
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
      {both && <StCharts lessons={both} testIdPrefix="compare" />}
    </div>
  );
}
