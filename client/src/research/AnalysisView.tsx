// 课堂分析: S-T figures and type (raw Rt and Ch always shown), S-T curve, Rt–Ch diagram with the
// type regions, talk timeline per track, talk shares and per-classroom bars, the sample codes
// with researcher corrections (automatic code kept beside), Flanders ratios from coded notes.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { PublicUser } from '../../../server/contract/domain.js';
import type { LessonAnalysis } from '../../../server/contract/research.js';
import { LESSON_TYPE_KEYS, type LessonType } from '../../../server/contract/analysis/st.js';
import { errorText } from '../api.js';
import { Choice } from '../components/Choice.js';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { toast } from '../toast.js';
import { classroomBarsOption, talkSharesOption, talkTimelineOption } from './chartOptions.js';
import { EChart } from './EChart.js';
import { researchApi } from './researchApi.js';
import { StCharts } from './StCharts.js';
import { useChartLabels } from './useChartLabels.js';

export function typeKey(type: LessonType | null): MessageKey {
  return type ? (`research.an.type.${LESSON_TYPE_KEYS[type]}` as MessageKey) : 'research.an.type.none';
}

export function useAnalysis(lessonId: string, interval: number) {
  const [analysis, setAnalysis] = useState<LessonAnalysis | null>(null);
  useEffect(() => {
    let alive = true;
    researchApi.analysis(lessonId, interval).then(
      (r) => alive && setAnalysis(r.analysis),
      (e) => toast.error(errorText(e)),
    );
    return () => {
      alive = false;
    };
  }, [lessonId, interval]);
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

export function AnalysisView({ lessonId, user, onSeek }: { lessonId: string; user: PublicUser; onSeek?: (ms: number) => void }) {
  const { t } = useI18n();
  const [interval, setInterval] = useState(30);
  const [a, setA] = useAnalysis(lessonId, interval);
  const labels = useChartLabels();
  const canCorrect = user.role === 'researcher' || user.role === 'community_admin';
  const toggle = useCallback(
    async (index: number) => {
      if (!a || !canCorrect) return;
      const s = a.st.samples[index];
      const next = s.code === 'T' ? 'S' : 'T';
      try {
        // Back to the automatic code removes the correction rather than storing a copy of it.
        const r = await researchApi.correct(lessonId, { intervalS: interval, sampleIndex: index, code: next === s.auto ? null : next });
        setA(r.analysis);
      } catch (e) {
        toast.error(errorText(e));
      }
    },
    [a, canCorrect, interval, lessonId, setA],
  );
  const options = useMemo(
    () =>
      a && {
        st: [{ name: a.title, st: a.st }],
        timeline: talkTimelineOption(a, (tr) => (tr.speaker === 'teacher' ? labels.teacher : (a.classroomNames[tr.classroomId ?? ''] ?? tr.label))),
        shares: talkSharesOption(a, labels),
        bars: classroomBarsOption(a, { speech: t('research.an.seconds.spoken') }),
      },
    [a, labels, t],
  );
  if (!a || !options) return <div className="spinner" aria-hidden />;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const fl = a.flanders;
  return (
    <div className="rs-analysis" data-testid="analysis-view">
      <div className="rs-row">
        <label>
          {t('research.an.interval')}{' '}
          <Choice value={interval} data-testid="st-interval" options={[15, 30, 60].map((n) => [n, t('research.an.seconds', { n })])} onChange={(v) => setInterval(Number(v))} />
        </label>
        <StFigures a={a} />
      </div>
      {a.tracks.length === 0 && <div className="muted">{t('research.an.noData')}</div>}
      <StCharts lessons={options.st} testIdPrefix="chart" />
      <section>
        <h4>{t('research.an.samples')}</h4>
        <div className="rs-samples" data-testid="st-samples">
          {a.st.samples.map((s) => (
            <button
              key={s.index}
              type="button"
              className={`rs-sample rs-sample-${s.code}${s.corrected ? ' rs-corrected' : ''}`}
              title={`${Math.round(s.fromMs / 1000)}s · ${t('research.an.auto')} ${s.auto}${s.corrected ? ` → ${t('research.an.corrected')} ${s.corrected}` : ''}`}
              disabled={!canCorrect}
              data-testid="st-sample"
              onClick={() => void toggle(s.index)}
              onDoubleClick={() => onSeek?.(s.fromMs)}
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
        <EChart option={options.timeline} height={Math.max(120, 40 * a.tracks.length + 50)} testId="chart-talk-timeline" />
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
