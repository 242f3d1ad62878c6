// Scripted synchronous lessons for the analysis checks of issue 13. A lesson is written as one
// letter per 30-s window (the S-T sampling interval), so its type is known by construction and
// verified with the production S-T code in tests/unit/lesson-synth.test.ts:
//   T  the teacher lectures (chunks of 5–9 s with short pauses)
//   Q  lecture with a pupil's short answer that starts while the teacher is still talking
//   F  lecture with a quiet far-field pupil's answer (−15 dB, low-passed, reverberant)
//   A B C  that classroom is on stage: a 2-s teacher prompt, then its pupils speak ~24 s
//   P  practice: everyone silent (S in S-T coding; the teacher's not talking is the pupils' time)
// Turns keep ≥ 0.3 s from window edges and one speaker clearly dominates each window, so the
// truth codes are unambiguous for most samples. Leaks: teacher → every classroom always (the
// projector plays the teacher), classroom → teacher only while it is on stage. Noise changes at
// the middle of the first PP (both sides are then silence, so its level can be measured).
import type { Span } from '../../server/contract/analysis/timeline.js';
import type { LessonType } from '../../server/contract/analysis/st.js';
import type { Leak, LessonScript, NoiseEntry, RoomScript, Turn } from './lessonSynth.js';
import { rng } from './synthDsp.js';

const WINDOW = 30_000;

const TEACHER_VOICES: Array<Pick<RoomScript, 'voice' | 'pitch' | 'speed' | 'text'>> = [
  { voice: 'cmn+m3', pitch: 38, speed: 160, text: 'cmn' },
  { voice: 'cmn+f5', pitch: 52, speed: 170, text: 'cmn4' },
];
const CLASS_VOICES: Array<Pick<RoomScript, 'voice' | 'pitch' | 'speed' | 'text'>> = [
  { voice: 'cmn+f3', pitch: 68, speed: 175, text: 'cmn2' },
  { voice: 'cmn+f2', pitch: 58, speed: 150, text: 'cmn3' },
  { voice: 'cmn+m4', pitch: 62, speed: 185, text: 'cmn5' },
];
const CLASS_IDS = ['A', 'B', 'C'] as const;

export interface PatternOptions {
  name: string;
  seed: number;
  /** One letter per 30-s window (see above). */
  pattern: string;
  /** Number of classrooms (1–3); default the highest classroom letter in the pattern, min 2. */
  classrooms?: number;
  /** Which room's noise changes at the middle of the first PP ('T', 'A', …), and to what. */
  noiseChange: { room: string; to: Omit<NoiseEntry, 'fromMs'> };
  /** Base noise per room (before any change). */
  noise: Record<string, Omit<NoiseEntry, 'fromMs'>>;
}

/** Build a lesson script from a window pattern (deterministic by seed). */
export function scriptFromPattern(o: PatternOptions): LessonScript {
  const r = rng(o.seed);
  const between = (a: number, b: number) => a + r() * (b - a);
  const highest = Math.max(0, ...[...o.pattern].map((c) => CLASS_IDS.indexOf(c as 'A')).map((i) => i + 1));
  const nClass = o.classrooms ?? Math.max(2, highest);
  const classIds = CLASS_IDS.slice(0, nClass);
  const turns: Turn[] = [];
  const onStage = new Map<string, Span[]>(classIds.map((c) => [c, []]));
  let answerer = 0;

  // Next to a silent P window speech keeps 2.5 s from the edge: any teacher speech in a window
  // codes it T, so a turn within 2 s of a P window would make that sample hang on a boundary.
  const margins = (k: number) => ({
    head: o.pattern[k - 1] === 'P' ? between(2500, 2800) : between(300, 700),
    tail: o.pattern[k + 1] === 'P' ? 2500 : 300,
  });

  const lecture = (w: number, k: number, answer: 'none' | 'overlap' | 'far') => {
    const m = margins(k);
    const end = w + WINDOW - m.tail;
    let t = w + m.head;
    const answerAt = w + between(11_000, 16_000);
    let answered = answer === 'none';
    while (t < end - 1500) {
      let to = Math.min(end, t + between(5000, 9000));
      if (!answered && to >= answerAt) {
        to = Math.max(answerAt, t + 1500);
        turns.push({ room: 'T', fromMs: t, toMs: to });
        const who = classIds[answerer++ % classIds.length];
        const from = answer === 'overlap' ? to - between(500, 900) : to + between(400, 700);
        const until = from + between(2200, 3500);
        turns.push({ room: who, fromMs: from, toMs: until, far: answer === 'far' || undefined });
        onStage.get(who)!.push([from - 1000, until + 1000]);
        answered = true;
        t = until + between(500, 900);
        continue;
      }
      turns.push({ room: 'T', fromMs: t, toMs: to });
      t = to + between(500, 1200);
    }
  };

  const stage = (w: number, k: number, who: string) => {
    const m = margins(k);
    const prompt = w + m.head;
    const promptEnd = prompt + between(1500, 2500);
    turns.push({ room: 'T', fromMs: prompt, toMs: promptEnd });
    let t = promptEnd + between(500, 900);
    const end = w + WINDOW - Math.max(400, m.tail);
    while (t < end - 2000) {
      const to = Math.min(end, t + between(6000, 11_000));
      turns.push({ room: who, fromMs: t, toMs: to, far: r() < 0.2 || undefined });
      t = to + between(500, 1000);
    }
    onStage.get(who)!.push([w, w + WINDOW]);
  };

  [...o.pattern].forEach((c, k) => {
    const w = k * WINDOW;
    if (c === 'T') lecture(w, k, 'none');
    else if (c === 'Q') lecture(w, k, 'overlap');
    else if (c === 'F') lecture(w, k, 'far');
    else if (c === 'P') return;
    else if ((classIds as readonly string[]).includes(c)) stage(w, k, c);
    else throw new Error(`pattern letter ${c}`);
  });

  const pp = o.pattern.indexOf('PP');
  if (pp < 0) throw new Error(`${o.name}: the pattern needs a PP for the noise change`);
  const changeMs = (pp + 1) * WINDOW;
  const voiceOfTeacher = TEACHER_VOICES[o.seed % TEACHER_VOICES.length];
  const rooms: RoomScript[] = [
    { id: 'T', role: 'teacher', ...voiceOfTeacher, speechGainDb: 0, noise: [], startOffsetMs: Math.round(between(0, 800)) },
    ...classIds.map(
      (id, i): RoomScript => ({ id, role: 'classroom', ...CLASS_VOICES[i], speechGainDb: -2 - 2 * i, noise: [], startOffsetMs: Math.round(between(500, 3000)) }),
    ),
  ];
  for (const room of rooms) {
    const base = o.noise[room.id] ?? { kind: 'hiss', db: -52 };
    room.noise.push({ fromMs: 0, ...base });
    if (o.noiseChange.room === room.id) room.noise.push({ fromMs: changeMs, ...o.noiseChange.to });
  }
  const leaks: Leak[] = [];
  for (const id of classIds) {
    const min = Math.round(between(50, 150));
    leaks.push({ from: 'T', to: id, gainDb: Math.round(between(-30, -20)), delayMs: { min, max: Math.round(between(min + 100, 400)) } });
  }
  for (const id of classIds) {
    const min = Math.round(between(50, 150));
    leaks.push({
      from: id,
      to: 'T',
      gainDb: Math.round(between(-30, -20)),
      delayMs: { min, max: Math.round(between(min + 100, 400)) },
      during: onStage.get(id)!,
    });
  }
  const round = (x: number) => Math.round(x);
  return {
    name: o.name,
    seed: o.seed,
    durationMs: o.pattern.length * WINDOW,
    rooms,
    turns: turns.map((t) => ({ ...t, fromMs: round(t.fromMs), toMs: round(t.toMs) })).sort((a, b) => a.fromMs - b.fromMs),
    leaks,
  };
}

/** The four 3–5-minute scripts, with the lesson type each is written to be. */
export const LESSON_SCRIPTS: Array<{ type: LessonType; script: LessonScript }> = [
  {
    type: '讲授型',
    script: scriptFromPattern({
      name: 'lecture-qa',
      seed: 101,
      pattern: 'TTQTPPTFTT', // 8 of 10 T: Rt 0.8
      noise: { T: { kind: 'hiss', db: -53 }, A: { kind: 'fan', db: -47 }, B: { kind: 'fan', db: -50 } },
      noiseChange: { room: 'A', to: { kind: 'murmur', db: -42 } },
    }),
  },
  {
    type: '练习型',
    script: scriptFromPattern({
      name: 'practice-murmur',
      seed: 202,
      pattern: 'QPPAPPBPF', // 2 of 9 T: Rt 0.22
      noise: { T: { kind: 'fan', db: -50 }, A: { kind: 'murmur', db: -46 }, B: { kind: 'hiss', db: -50 } },
      noiseChange: { room: 'B', to: { kind: 'fan', db: -43 } },
    }),
  },
  {
    type: '对话型',
    script: scriptFromPattern({
      name: 'dialogue',
      seed: 303,
      pattern: 'TAQBPPFATB', // T S T S S S T S T S: Rt 0.4, Ch 0.7
      noise: { T: { kind: 'hiss', db: -52 }, A: { kind: 'fan', db: -45 }, B: { kind: 'murmur', db: -48 } },
      noiseChange: { room: 'T', to: { kind: 'fan', db: -45 } },
    }),
  },
  {
    type: '混合型',
    script: scriptFromPattern({
      name: 'mixed',
      seed: 404,
      pattern: 'TQBAPPCFTT', // T T S S S S S T T T: Rt 0.5, Ch 0.2
      noise: { T: { kind: 'hiss', db: -54 }, A: { kind: 'fan', db: -48 }, B: { kind: 'fan', db: -50 }, C: { kind: 'hiss', db: -55 } },
      noiseChange: { room: 'B', to: { kind: 'murmur', db: -44 } },
    }),
  },
];

/**
 * A 45-minute pattern (90 windows) of the given type, seeded: 讲授型 mostly lecture with a few
 * Q&A and pupil windows (Rt ≈ 0.85); 练习型 mostly practice with a few lecture and pupil windows
 * (Rt ≈ 0.15); 对话型 alternating teacher and pupil windows in runs of 1–2 (Rt ≈ 0.5, Ch ≈ 0.65);
 * 混合型 blocks of 4–7 lecture windows and 3–6 pupil/practice windows (Rt ≈ 0.55, Ch ≈ 0.2).
 */
export function longPattern(type: LessonType, seed: number, windows = 90, classrooms = 3): string {
  const r = rng(seed);
  const letters = CLASS_IDS.slice(0, classrooms).join('');
  // 'ABC' in the recipes below stands for "some classroom on stage": only the lesson's own.
  const pick = (s: string) => {
    const from = s.replace('ABC', letters);
    return from[Math.floor(r() * from.length)];
  };
  const out: string[] = [];
  while (out.length < windows) {
    if (type === '讲授型') out.push(r() < 0.87 ? pick('TTTQF') : pick('ABC'));
    else if (type === '练习型') out.push(r() < 0.14 ? pick('QF') : r() < 0.2 ? pick('ABC') : 'P');
    else if (type === '对话型') {
      const t = 1 + Math.floor(r() * 2);
      for (let i = 0; i < t; i++) out.push(pick('TQF'));
      const s = 1 + Math.floor(r() * 2);
      for (let i = 0; i < s; i++) out.push(pick('ABCP'));
    } else {
      const t = 4 + Math.floor(r() * 4);
      for (let i = 0; i < t; i++) out.push(pick('TTQF'));
      const s = 3 + Math.floor(r() * 4);
      for (let i = 0; i < s; i++) out.push(pick('ABCPP'));
    }
  }
  const p = out.slice(0, windows);
  // The noise change needs a silent PP; put one (S S) near the middle, where it keeps the type
  // (two S codes among 90 move Rt by ≤ 0.02 and Ch by ≤ 0.02).
  const at = Math.floor(windows / 2);
  p[at] = 'P';
  p[at + 1] = 'P';
  return p.join('');
}

/**
 * A 45-minute, 4-room (teacher + 3 classrooms) script of the given lesson type, for the
 * benchmark; `minutes` and `classrooms` shorten it or leave a classroom out (the demo community
 * has two classroom PCs for the Chromium runs).
 */
export function longScript(type: LessonType, seed: number, opts: { minutes?: number; classrooms?: 1 | 2 | 3 } = {}): LessonScript {
  const classrooms = opts.classrooms ?? 3;
  return scriptFromPattern({
    name: `long-${type}-${seed}`,
    seed,
    pattern: longPattern(type, seed, Math.round((opts.minutes ?? 45) * 2), classrooms),
    classrooms,
    noise: { T: { kind: 'hiss', db: -52 }, A: { kind: 'fan', db: -46 }, B: { kind: 'murmur', db: -47 }, C: { kind: 'hiss', db: -50 } },
    noiseChange: { room: 'A', to: { kind: 'murmur', db: -42 } },
  });
}
