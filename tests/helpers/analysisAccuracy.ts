// The accuracy measures of issue 13 ("How it is checked"), pure, for the CI checks and the
// benchmark: frame recall/false alarm of a track's speech against its room's scripted speech,
// which S-T samples are unambiguous (their truth code survives every boundary moving by 2 s),
// S-T agreement on those samples, and the Rt/Ch errors.
import { analyseSt, stFigures, type StCode, type StInterval } from '../../server/contract/analysis/st.js';
import { speechPerCell, unionSpans, type Span, type SpeakerTimeline } from '../../server/contract/analysis/timeline.js';

/** Codes one S-T sample per interval from timelines: today's window dominance, or a future method. */
export type StCoder = (tracks: SpeakerTimeline[], durationMs: number, intervalS: StInterval) => StCode[];

/** Today's production coding (window dominance, server/contract/analysis/st.ts). */
export const windowCoder: StCoder = (tracks, durationMs, intervalS) =>
  analyseSt(tracks, durationMs, intervalS).samples.map((s) => s.auto);

function coderOf(method: 'window' | StCoder): StCoder {
  return method === 'window' ? windowCoder : method;
}

/**
 * Recall and false alarm on frames of `frameMs`: a frame is speech when ≥ 50% of it is covered.
 * recall = detected ∧ truth / truth frames (1 when the truth has none); falseAlarm =
 * detected ∧ ¬truth / non-speech truth frames (0 when there are none).
 */
export function frameScores(truth: Span[], detected: Span[], durationMs: number, frameMs = 100): { recall: number; falseAlarm: number } {
  const n = Math.floor(durationMs / frameMs);
  const t = speechPerCell(unionSpans(truth.map((s): Span => [s[0], s[1]])), frameMs, n);
  const d = speechPerCell(unionSpans(detected.map((s): Span => [s[0], s[1]])), frameMs, n);
  let speech = 0, hit = 0, silence = 0, alarm = 0;
  for (let k = 0; k < n; k++) {
    const ts = t[k] >= frameMs / 2;
    const ds = d[k] >= frameMs / 2;
    if (ts) {
      speech++;
      if (ds) hit++;
    } else {
      silence++;
      if (ds) alarm++;
    }
  }
  return { recall: speech ? hit / speech : 1, falseAlarm: silence ? alarm / silence : 0 };
}

/** Spans grown (by > 0) or shrunk (by < 0) at both ends, merged, clipped to [0, durationMs]. */
export function moveBoundaries(spans: Span[], byMs: number, durationMs: number): Span[] {
  return unionSpans(spans.map((s): Span => [Math.max(0, s[0] - byMs), Math.min(durationMs, s[1] + byMs)]).filter(([a, b]) => b > a));
}

/**
 * Indexes of the samples whose truth code is the same under the nominal truth and under four
 * perturbations — the teacher's spans widened and narrowed by `toleranceMs`, and the classrooms'
 * widened and narrowed (independently of the teacher): the sample does not hang on a boundary
 * within 2 s, so an analysis that misplaces boundaries by less cannot be blamed for it.
 */
export function unambiguousSamples(
  truthTracks: SpeakerTimeline[],
  durationMs: number,
  intervalS: StInterval,
  method: 'window' | StCoder = 'window',
  toleranceMs = 2000,
): number[] {
  const code = coderOf(method);
  const moved = (who: 'teacher' | 'classroom', by: number) =>
    truthTracks.map((t) => (t.speaker === who ? { ...t, segments: moveBoundaries(t.segments, by, durationMs) } : t));
  const nominal = code(truthTracks, durationMs, intervalS);
  const variants = [moved('teacher', toleranceMs), moved('teacher', -toleranceMs), moved('classroom', toleranceMs), moved('classroom', -toleranceMs)].map(
    (v) => code(v, durationMs, intervalS),
  );
  return nominal.map((c, i) => i).filter((i) => variants.every((v) => v[i] === nominal[i]));
}

/** Share of the given samples where the analysis agrees with the truth. Throws on none (proves nothing). */
export function stAgreement(got: StCode[], truth: StCode[], indexes: number[]): number {
  if (indexes.length === 0) throw new Error('stAgreement: no samples to compare');
  return indexes.filter((i) => got[i] !== undefined && got[i] === truth[i]).length / indexes.length;
}

/** |Rt(got) − Rt(truth)|. */
export function rtError(got: StCode[], truth: StCode[]): number {
  return Math.abs(stFigures(got).rt - stFigures(truth).rt);
}

/** |Ch(got) − Ch(truth)|. */
export function chError(got: StCode[], truth: StCode[]): number {
  return Math.abs(stFigures(got).ch - stFigures(truth).ch);
}
