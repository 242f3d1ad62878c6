// S-T analysis (Student–Teacher behaviour sampling, 傅德荣/刘飞 method): sample the lesson every
// 15/30/60 s, code T when the teacher is the main speaker of that sample window, otherwise S.
// Rt = NT/N (teacher occupancy), Ch = (g−1)/N (behaviour conversion rate, g = runs of equal
// codes). Pure functions: the server, the report exporter, the benchmark and tests share them.
import { bySpeaker, speechPerCell, type SpeakerTimeline } from './timeline.js';

export type StCode = 'T' | 'S';
export type StInterval = 15 | 30 | 60;
export type LessonType = '练习型' | '讲授型' | '对话型' | '混合型';

export const LESSON_TYPE_KEYS: Record<LessonType, 'practice' | 'lecture' | 'dialogue' | 'mixed'> = {
  练习型: 'practice',
  讲授型: 'lecture',
  对话型: 'dialogue',
  混合型: 'mixed',
};

export interface StFigures {
  n: number;
  nT: number;
  runs: number;
  rt: number;
  ch: number;
  /** null for an empty lesson (no samples): there is nothing to classify. */
  type: LessonType | null;
}

export interface StSample {
  index: number;
  /** Window of this sample on the lesson clock. */
  fromMs: number;
  toMs: number;
  teacherMs: number;
  /** Speech ms of the loudest-speaking classroom in the window, and which one. */
  studentMs: number;
  studentClassroomId: string | null;
  auto: StCode;
  /** The researcher's correction, if any; the automatic code stays beside it. */
  corrected: StCode | null;
  code: StCode;
}

export interface StAnalysis {
  intervalS: StInterval;
  samples: StSample[];
  auto: StFigures;
  /** Figures with corrections applied (equal to `auto` when there are none). */
  figures: StFigures;
  /** S-T curve: cumulative [T, S] counts after each sample, starting at [0, 0]. */
  curve: Array<[number, number]>;
}

/** Classification with the thresholds of the S-T literature; Rt wins over Ch. */
export function classify(rt: number, ch: number, n: number): LessonType | null {
  if (n === 0) return null;
  if (rt <= 0.3) return '练习型';
  if (rt >= 0.7) return '讲授型';
  if (ch >= 0.4) return '对话型';
  return '混合型';
}

export function stFigures(codes: StCode[]): StFigures {
  const n = codes.length;
  const nT = codes.filter((c) => c === 'T').length;
  let runs = 0;
  for (let i = 0; i < n; i++) if (i === 0 || codes[i] !== codes[i - 1]) runs++;
  const rt = n ? nT / n : 0;
  const ch = n ? (runs - 1) / n : 0;
  return { n, nT, runs, rt, ch, type: classify(rt, ch, n) };
}

export function stCurve(codes: StCode[]): Array<[number, number]> {
  const out: Array<[number, number]> = [[0, 0]];
  let t = 0;
  let s = 0;
  for (const c of codes) {
    if (c === 'T') t++;
    else s++;
    out.push([t, s]);
  }
  return out;
}

/**
 * Samples: one per full interval of the lesson, plus a last partial window when it covers at
 * least half an interval (a 45-min lesson at 30 s gives 90 samples).
 */
export function sampleCount(durationMs: number, intervalS: StInterval): number {
  if (durationMs <= 0) return 0;
  const step = intervalS * 1000;
  const full = Math.floor(durationMs / step);
  return durationMs - full * step >= step / 2 ? full + 1 : full;
}

/** S-T coding of a lesson from its voice-activity timelines, with optional corrections. */
export function analyseSt(
  tracks: SpeakerTimeline[],
  durationMs: number,
  intervalS: StInterval = 30,
  corrections: ReadonlyMap<number, StCode> = new Map(),
): StAnalysis {
  const step = intervalS * 1000;
  const n = sampleCount(durationMs, intervalS);
  const { teacher, classrooms } = bySpeaker(tracks);
  const teacherCells = speechPerCell(teacher, step, n);
  const classCells = [...classrooms].map(([id, spans]) => [id, speechPerCell(spans, step, n)] as const);
  const samples: StSample[] = [];
  for (let k = 0; k < n; k++) {
    let studentMs = 0;
    let studentClassroomId: string | null = null;
    for (const [id, cells] of classCells) {
      if (cells[k] > studentMs) {
        studentMs = cells[k];
        studentClassroomId = id;
      }
    }
    const teacherMs = teacherCells[k];
    // Main speaker: the teacher when they spoke, and no classroom spoke more. Silence is S —
    // in S-T sampling the teacher's not speaking is the students' time (thinking, practice).
    const auto: StCode = teacherMs > 0 && teacherMs >= studentMs ? 'T' : 'S';
    const corrected = corrections.get(k) ?? null;
    samples.push({
      index: k,
      fromMs: k * step,
      toMs: Math.min(durationMs, (k + 1) * step),
      teacherMs,
      studentMs,
      studentClassroomId,
      auto,
      corrected,
      code: corrected ?? auto,
    });
  }
  const codes = samples.map((s) => s.code);
  return {
    intervalS,
    samples,
    auto: stFigures(samples.map((s) => s.auto)),
    figures: stFigures(codes),
    curve: stCurve(codes),
  };
}
