// 低置信度样本: the automatic S-T samples the researcher should check first — confidence below
// LOW_CONFIDENCE, least sure first — each with the correction (flip T/S, or undo) and a jump of
// the player to the sample's moment.
import type { StAnalysis, StSample } from '../../../server/contract/analysis/st.js';
import { LOW_CONFIDENCE } from '../../../server/contract/analysis/stConfidence.js';
import { useI18n } from '../i18n/index.js';
import { clockText } from './researchApi.js';

/** Samples under the threshold, ascending by confidence (ties in lesson order). Pure. */
export function lowConfidenceSamples(st: StAnalysis, below = LOW_CONFIDENCE): StSample[] {
  return st.samples.filter((s) => s.confidence < below).sort((a, b) => a.confidence - b.confidence || a.index - b.index);
}

/** Where the player goes for a sample: the sampling instant (point) or the window's start. */
export const sampleSeekMs = (st: StAnalysis, s: StSample) => (st.method === 'point' ? s.atMs : s.fromMs);

export function LowConfidenceList({ st, canCorrect, onToggle, onSeek }: { st: StAnalysis; canCorrect: boolean; onToggle(index: number): void; onSeek?: (ms: number) => void }) {
  const { t } = useI18n();
  const low = lowConfidenceSamples(st);
  return (
    <section data-testid="low-confidence">
      <h4>{t('research.an.low')}</h4>
      <div className="muted">{t('research.an.low.hint', { p: LOW_CONFIDENCE.toFixed(1) })}</div>
      {low.length === 0 ? (
        <div className="muted" data-testid="low-confidence-none">
          {t('research.an.low.none')}
        </div>
      ) : (
        <ol className="rs-low-list">
          {low.map((s) => {
            const at = sampleSeekMs(st, s);
            return (
              <li key={s.index} data-testid="low-sample" data-index={s.index} data-confidence={s.confidence.toFixed(3)} className={s.corrected ? 'rs-corrected-row' : ''}>
                <span>
                  {t('research.an.low.row', { n: s.index + 1, from: clockText(s.fromMs), to: clockText(s.toMs), auto: s.auto, c: s.confidence.toFixed(2) })}
                  {s.corrected && ` → ${t('research.an.corrected')} ${s.corrected}`}
                </span>{' '}
                <button type="button" className="link" disabled={!canCorrect} data-testid="low-sample-flip" onClick={() => onToggle(s.index)}>
                  {s.corrected ? t('research.an.low.undo') : t('research.an.low.flip', { code: s.code === 'T' ? 'S' : 'T' })}
                </button>{' '}
                {onSeek && (
                  <button type="button" className="link" data-testid="low-sample-seek" onClick={() => onSeek(at)}>
                    {t('research.an.low.seek', { t: clockText(at) })}
                  </button>
                )}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
