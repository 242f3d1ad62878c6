// S-T analysis (Student–Teacher behaviour sampling, 傅德荣/刘飞 method): sample the lesson every
// 15/30/60 s and code T or S. Two codings: 'window' (default) codes T when the teacher is the main
// speaker of the sample window; 'point' (the classical method) codes what is heard at the sampling
// instant, the window's midpoint. Every sample carries a confidence (./stConfidence.ts).
// Rt = NT/N (teacher occupancy), Ch = (g−1)/N (behaviour conversion rate, g = runs of equal
// codes). Pure functions: the server, the report exporter, the benchmark and tests share them.
import { nearestBoundaryMs, overlapMs } from './spanQuery.js';
import { pointConfidence, windowConfidence } from './stConfidence.js';
import { bySpeaker, speechPerCell, unionSpans, type Span, type SpeakerTimeline } from './timeline.js';

export type StCode = 'T' | 'S';
export type StInterval = 15 | 30 | 60;
export type StMethod = 'window' | 'point';
export const ST_METHODS: readonly StMethod[] = ['window', 'point'];
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
  /** Point method: the sampling instant (the window's midpoint); window method: the window's middle too. */
  atMs: number;
  /** Teacher speech ms in the window (point method: in the ±0.5-s neighbourhood of the instant). */
  teacherMs: number;
  /** Speech ms of the loudest-speaking classroom in the window (point: neighbourhood), and which one. */
  studentMs: number;
  studentClassroomId: string | null;
  auto: StCode;
  /** How sure the automatic code is, 0–1 (stConfidence.ts). */
  confidence: number;
  /** The researcher's correction, if any; the automatic code stays beside it. */
  corrected: StCode | null;
  code: StCode;
}

export interface StAnalysis {
  intervalS: StInterval;
  method: StMethod;
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

/** Point method: the neighbourhood of the instant whose majority decides (a word gap does not flip it). */
export const POINT_HALF_MS = 500;

interface Speakers {
  teacher: Span[];
  classrooms: Array<[id: string, spans: Span[]]>;
  teacherUncertain: Span[];
  classUncertain: Map<string, Span[]>;
}

function speakers(tracks: SpeakerTimeline[]): Speakers {
  const { teacher, classrooms } = bySpeaker(tracks);
  const unsure = new Map<string, Span[]>();
  const teacherUnsure: Span[] = [];
  for (const t of tracks) {
    const u = t.uncertain ?? [];
    if (t.speaker === 'teacher') teacherUnsure.push(...u);
    else {
      const key = t.classroomId ?? t.trackId;
      unsure.set(key, [...(unsure.get(key) ?? []), ...u]);
    }
  }
  return {
    teacher,
    classrooms: [...classrooms],
    teacherUncertain: unionSpans(teacherUnsure),
    classUncertain: new Map([...unsure].map(([k, v]) => [k, unionSpans(v)])),
  };
}

/** The classroom that spoke most in [from, to) and how long (null when none spoke). */
function topClassroom(sp: Speakers, from: number, to: number): { id: string | null; ms: number } {
  let best: { id: string | null; ms: number } = { id: null, ms: 0 };
  for (const [id, spans] of sp.classrooms) {
    const ms = overlapMs(spans, from, to);
    if (ms > best.ms) best = { id, ms };
  }
  return best;
}

/**
 * Uncertain ms in [from, to) on the deciding tracks: the teacher's and one classroom's — the one
 * where it is largest. A classroom whose sound attribution removed as a leak, unsure, has no
 * speech left there yet is exactly the side that could flip the code, so it counts too.
 */
function uncertainIn(sp: Speakers, from: number, to: number): number {
  let worst = overlapMs(sp.teacherUncertain, from, to);
  for (const spans of sp.classUncertain.values()) {
    if (!spans.length) continue;
    worst = Math.max(worst, overlapMs(unionSpans([...sp.teacherUncertain, ...spans]), from, to));
  }
  return worst;
}

type AutoSample = Omit<StSample, 'corrected' | 'code'>;

function windowSamples(sp: Speakers, durationMs: number, step: number, n: number): AutoSample[] {
  const teacherCells = speechPerCell(sp.teacher, step, n);
  const classCells = sp.classrooms.map(([id, spans]) => [id, speechPerCell(spans, step, n)] as const);
  const out: AutoSample[] = [];
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
    const fromMs = k * step;
    const toMs = Math.min(durationMs, (k + 1) * step);
    // Main speaker: the teacher when they spoke, and no classroom spoke more. Silence is S —
    // in S-T sampling the teacher's not speaking is the students' time (thinking, practice).
    const auto: StCode = teacherMs > 0 && teacherMs >= studentMs ? 'T' : 'S';
    const confidence = windowConfidence({
      teacherMs,
      studentMs,
      windowMs: toMs - fromMs,
      uncertainMs: uncertainIn(sp, fromMs, toMs),
    });
    out.push({ index: k, fromMs, toMs, atMs: Math.round((fromMs + toMs) / 2), teacherMs, studentMs, studentClassroomId, auto, confidence });
  }
  return out;
}

function pointSamples(sp: Speakers, durationMs: number, step: number, n: number): AutoSample[] {
  const out: AutoSample[] = [];
  for (let k = 0; k < n; k++) {
    const fromMs = k * step;
    const toMs = Math.min(durationMs, (k + 1) * step);
    // The instant is the window's midpoint, so sample k still belongs to window k (and the
    // corrections keyed by index apply to both methods).
    const atMs = Math.min(durationMs, Math.round((k + 0.5) * step));
    const lo = Math.max(0, atMs - POINT_HALF_MS);
    const hi = Math.min(durationMs, atMs + POINT_HALF_MS);
    const teacherMs = overlapMs(sp.teacher, lo, hi);
    const top = topClassroom(sp, lo, hi);
    // T when the teacher's speech holds the majority of the neighbourhood and no classroom speaks more there.
    const auto: StCode = hi > lo && teacherMs * 2 > hi - lo && teacherMs >= top.ms ? 'T' : 'S';
    const classSpans = top.id ? (sp.classrooms.find(([id]) => id === top.id)?.[1] ?? []) : [];
    const boundaryMs = Math.min(nearestBoundaryMs(sp.teacher, atMs), nearestBoundaryMs(classSpans, atMs));
    const confidence = pointConfidence({ boundaryMs, uncertainShare: hi > lo ? uncertainIn(sp, lo, hi) / (hi - lo) : 0 });
    out.push({ index: k, fromMs, toMs, atMs, teacherMs, studentMs: top.ms, studentClassroomId: top.id, auto, confidence });
  }
  return out;
}

/** S-T coding of a lesson from its voice-activity timelines, with optional corrections. */
export function analyseSt(
  tracks: SpeakerTimeline[],
  durationMs: number,
  intervalS: StInterval = 30,
  corrections: ReadonlyMap<number, StCode> = new Map(),
  method: StMethod = 'window',
): StAnalysis {
  const step = intervalS * 1000;
  const n = sampleCount(durationMs, intervalS);
  const sp = speakers(tracks);
  const auto = method === 'point' ? pointSamples(sp, durationMs, step, n) : windowSamples(sp, durationMs, step, n);
  const samples: StSample[] = auto.map((s) => {
    const corrected = corrections.get(s.index) ?? null;
    return { ...s, corrected, code: corrected ?? s.auto };
  });
  const codes = samples.map((s) => s.code);
  return {
    intervalS,
    method,
    samples,
    auto: stFigures(samples.map((s) => s.auto)),
    figures: stFigures(codes),
    curve: stCurve(codes),
  };
}
