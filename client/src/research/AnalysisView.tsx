// 课堂分析: S-T figures and type (raw Rt and Ch always shown) by the chosen coding (window
// dominance or point sampling), S-T curve, Rt–Ch diagram with the type regions, the low-confidence
// samples first, the sample codes with researcher corrections (automatic code kept beside), talk
// timeline per track (attributed speech over raw voice activity) with the attribution's leaks,
// talk shares and per-classroom bars, Flanders ratios from coded notes.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { PublicUser } from '../../../server/contract/domain.js';
import type { LessonAnalysis } from '../../../server/contract/research.js';
import { LESSON_TYPE_KEYS, ST_METHODS, type LessonType, type StMethod } from '../../../server/contract/analysis/st.js';
import { LOW_CONFIDENCE } from '../../../server/contract/analysis/stConfidence.js';
import { errorText } from '../api.js';
import { Choice } from '../components/Choice.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { toast } from '../toast.js';
import { classroomBarsOption, talkSharesOption, talkTimelineOption } from './chartOptions.js';
import { EChart } from './EChart.js';
import { LowConfidenceList, sampleSeekMs } from './LowConfidenceList.js';
import { researchApi } from './researchApi.js';
import { StCharts } from './StCharts.js';
import { TrackAttribution } from './TrackAttribution.js';
import { useChartLabels } from './useChartLabels.js';

export function typeKey(type: LessonType | null): MessageKey {
  return type ? (`research.an.type.${LESSON_TYPE_KEYS[type]}` as MessageKey) : 'research.an.type.none';
}

export interface StSettings {
  interval: number;
  method: StMethod;
}

export const DEFAULT_ST: StSettings = { interval: 30, method: 'window' };

export function useAnalysis(lessonId: string, interval: number, method: StMethod = 'window') {
  const [analysis, setAnalysis] = useState<LessonAnalysis | null>(null);
  useEffect(() => {
    let alive = true;
    researchApi.analysis(lessonId, interval, method).then(
      (r) => alive && setAnalysis(r.analysis),
      (e) => toast.error(errorText(e)),
    );
    return () => {
      alive = false;
    };
  }, [lessonId, interval, method]);
  return [analysis, setAnalysis] as const;
}

export function StFigures({ a }: { a: LessonAnalysis }) {
  const { t } = useI18n();
  const f = a.st.figures;
  const corrected = a.st.samples.some((s) => s.corrected);
  return (
    <div className="rs-figures" data-testid="st-figures">
      <strong data-testid="st-type">{t(typeKey(f.type))}</strong>{' '}
      <span data-testid="st-raw">{t('research.an.figures', { n: f.n, rt: f.rt.toFixed(2), ch: f.ch.toFixed(2) })}</span>
      {corrected && (
        <span className="muted" data-testid="st-auto">
          {' '}
          · {t('research.an.auto')}: {t(typeKey(a.st.auto.type))} {t('research.an.figures', { n: a.st.auto.n, rt: a.st.auto.rt.toFixed(2), ch: a.st.auto.ch.toFixed(2) })}
        </span>
      )}
    </div>
  );
}

export function AnalysisView({
  lessonId,
  user,
  onSeek,
  st = DEFAULT_ST,
  onSt,
}: {
  lessonId: string;
  user: PublicUser;
  onSeek?: (ms: number) => void;
  /** The S-T sampling shown; the page keeps it so the report export uses the same. */
  st?: StSettings;
  onSt?: (s: StSettings) => void;
}) {
  const { t } = useI18n();
  const [own, setOwn] = useState(st);
  const settings = onSt ? st : own;
  const setSettings = onSt ?? setOwn;
  const { interval, method } = settings;
  const [a, setA] = useAnalysis(lessonId, interval, method);
  const labels = useChartLabels();
  const canCorrect = user.role === 'researcher' || user.role === 'community_admin';
  const toggle = useCallback(
    async (index: number) => {
      if (!a || !canCorrect) return;
      const s = a.st.samples[index];
      const next = s.code === 'T' ? 'S' : 'T';
      try {
        // Back to the automatic code removes the correction rather than storing a copy of it.
        const r = await researchApi.correct(lessonId, { intervalS: interval, sampleIndex: index, code: next === s.auto ? null : next, method });
        setA(r.analysis);
      } catch (e) {
        toast.error(errorText(e));
      }
    },
    [a, canCorrect, interval, method, lessonId, setA],
  );
  const trackName = useCallback(
    (tr: LessonAnalysis['tracks'][number]) => (tr.speaker === 'teacher' ? labels.teacher : (a?.classroomNames[tr.classroomId ?? ''] ?? tr.label)),
    [a, labels],
  );
  const options = useMemo(
    () =>
      a && {
        st: [{ name: a.title, st: a.st }],
        timeline: talkTimelineOption(a, trackName, { attributed: t('research.an.attributed'), raw: t('research.an.raw') }),
        shares: talkSharesOption(a, labels),
        bars: classroomBarsOption(a, { speech: t('research.an.seconds.spoken') }),
      },
    [a, labels, t, trackName],
  );
  if (!a || !options) return <div className="spinner" aria-hidden />;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const fl = a.flanders;
  return (
    <div className="rs-analysis" data-testid="analysis-view">
      <div className="rs-row">
        <label>
          {t('research.an.interval')}{' '}
          <Choice
            value={interval}
            data-testid="st-interval"
            options={[15, 30, 60].map((n) => [n, t('research.an.seconds', { n })])}
            onChange={(v) => setSettings({ interval: Number(v), method })}
          />
        </label>
        <span className="rs-method" role="radiogroup" aria-label={t('research.an.method')} data-testid="st-method">
          {t('research.an.method')}{' '}
          {ST_METHODS.map((m) => (
            <button
              key={m}
              type="button"
              role="radio"
              aria-checked={method === m}
              className={method === m ? 'active' : ''}
              title={t(`research.an.method.hint.${m}`)}
              data-testid={`st-method-${m}`}
              onClick={() => setSettings({ interval, method: m })}
            >
              {t(`research.an.method.${m}`)}
            </button>
          ))}
        </span>
        <StFigures a={a} />
      </div>
      <div className="muted" data-testid="st-method-shown">
        {t(`research.an.method.${a.st.method}`)}: {t(`research.an.method.hint.${a.st.method}`)}
      </div>
      {a.tracks.length === 0 && <div className="muted">{t('research.an.noData')}</div>}
      <StCharts lessons={options.st} testIdPrefix="chart" />
      <LowConfidenceList st={a.st} canCorrect={canCorrect} onToggle={(i) => void toggle(i)} onSeek={onSeek} />
      <section>
        <h4>{t('research.an.samples')}</h4>
        <div className="rs-samples" data-testid="st-samples">
          {a.st.samples.map((s) => (
            <button
              key={s.index}
              type="button"
              className={`rs-sample rs-sample-${s.code}${s.corrected ? ' rs-corrected' : ''}${s.confidence < LOW_CONFIDENCE ? ' rs-low' : ''}`}
              title={`${Math.round(s.fromMs / 1000)}s · ${t('research.an.auto')} ${s.auto}${s.corrected ? ` → ${t('research.an.corrected')} ${s.corrected}` : ''} · ${t('research.an.confidence', { c: s.confidence.toFixed(2) })}${s.confidence < LOW_CONFIDENCE ? ` · ${t('research.an.lowMark')}` : ''}`}
              disabled={!canCorrect}
              data-testid="st-sample"
              data-low={s.confidence < LOW_CONFIDENCE ? '1' : undefined}
              onClick={() => void toggle(s.index)}
              onDoubleClick={() => onSeek?.(sampleSeekMs(a.st, s))}
            >
              {s.code}
              {s.corrected && <sub>{s.auto}</sub>}
            </button>
          ))}
        </div>
      </section>
      <section>
        <h4>{t('research.an.talk')}</h4>
        <div className="muted" data-testid="talk-shares">
          {t('research.an.talkShares', { t: pct(a.talk.teacherPct), s: pct(a.talk.studentPct), q: pct(a.talk.silencePct) })}
        </div>
        <EChart option={options.timeline} height={Math.max(140, 44 * a.tracks.length + 70)} testId="chart-talk-timeline" />
        <TrackAttribution a={a} trackName={trackName} />
      </section>
      <div className="rs-charts">
        <section>
          <EChart option={options.shares} height={220} testId="chart-talk-shares" />
        </section>
        <section>
          <h4>{t('research.an.talkBars')}</h4>
          <EChart option={options.bars} height={220} testId="chart-classroom-bars" />
        </section>
      </div>
      {fl.total > 0 && (
        <section data-testid="flanders">
          <h4>{t('research.an.flanders')}</h4>
          <div>
            {t('research.an.teacher')} {pct(fl.teacherTalk)} · {t('research.an.student')} {pct(fl.studentTalk)} · {t('research.an.silence')} {pct(fl.silence)}
            {fl.indirectDirect !== null && ` · I/D ${fl.indirectDirect.toFixed(2)}`}
            {fl.questioning !== null && ` · 4/(4+5) ${fl.questioning.toFixed(2)}`}
          </div>
        </section>
      )}
    </div>
  );
}
