// The synthetic-lesson generator (tests/helpers/lessonSynth.ts) renders what its script says:
// measured on the rendered PCM (not on the generator's internals) — the leak is in the victim's
// track at the scripted delay and level, noise has the scripted RMS before and after its change,
// the far-field pupil is quieter, the truth is the merged turns, and each script's truth is of
// the lesson type it is written to be according to the production S-T code.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyseSt } from '../../server/contract/analysis/st.js';
import type { Span } from '../../server/contract/analysis/timeline.js';
import { frameScores, stAgreement, unambiguousSamples, windowCoder } from '../helpers/analysisAccuracy.js';
import { LESSON_SCRIPTS, longScript, scriptFromPattern } from '../helpers/lessonScripts.js';
import { leakDelayMs, renderLesson, truthTimelines, writeLessonWavs, type LessonScript, type RenderedLesson } from '../helpers/lessonSynth.js';

const PER_MS = 16;
const db = (power: number) => 10 * Math.log10(power);

/** Mean square of a room's track over lesson-clock [a, b) ms. */
function power(lesson: RenderedLesson, room: string, a: number, b: number): number {
  const r = lesson.rooms.find((x) => x.id === room)!;
  const i0 = Math.round((a - r.startOffsetMs) * PER_MS);
  const i1 = Math.round((b - r.startOffsetMs) * PER_MS);
  let s = 0;
  for (let i = i0; i < i1; i++) s += (r.pcm[i] / 32768) ** 2;
  return s / (i1 - i0);
}

/** 5-ms frame energies of a room's track from lesson-clock ms `a`, `frames` long. */
function envelope(lesson: RenderedLesson, room: string, a: number, frames: number): Float64Array {
  const out = new Float64Array(frames);
  for (let k = 0; k < frames; k++) out[k] = power(lesson, room, a + 5 * k, a + 5 * k + 5);
  return out;
}

function correlation(x: Float64Array, y: Float64Array): number {
  const mx = x.reduce((s, v) => s + v, 0) / x.length;
  const my = y.reduce((s, v) => s + v, 0) / y.length;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy || 1);
}

/** The longest turn of `room` with no other room's turn within 1.5 s of it. */
function isolatedTurn(script: LessonScript, room: string): { fromMs: number; toMs: number } {
  const others = script.turns.filter((t) => t.room !== room);
  const alone = script.turns.filter(
    (t) => t.room === room && !t.far && !others.some((o) => o.fromMs < t.toMs + 1500 && o.toMs > t.fromMs - 1500),
  );
  alone.sort((a, b) => b.toMs - b.fromMs - (a.toMs - a.fromMs));
  expect(alone.length, `an isolated turn of ${room}`).toBeGreaterThan(0);
  return alone[0];
}

function noiseDbAt(script: LessonScript, room: string, ms: number): number {
  const entries = script.rooms.find((r) => r.id === room)!.noise.filter((e) => e.fromMs <= ms);
  return entries[entries.length - 1].db;
}

describe('renderLesson', () => {
  it('is deterministic by seed', () => {
    const base = { pattern: 'TQPP', noise: { A: { kind: 'murmur' as const, db: -45 } }, noiseChange: { room: 'B', to: { kind: 'fan' as const, db: -44 } } };
    const a = renderLesson(scriptFromPattern({ ...base, name: 'short', seed: 9 }));
    const b = renderLesson(scriptFromPattern({ ...base, name: 'short', seed: 9 }));
    const c = renderLesson(scriptFromPattern({ ...base, name: 'short', seed: 10 }));
    for (let k = 0; k < a.rooms.length; k++) expect(Buffer.from(a.rooms[k].pcm.buffer).equals(Buffer.from(b.rooms[k].pcm.buffer))).toBe(true);
    expect(Buffer.from(a.rooms[0].pcm.buffer).equals(Buffer.from(c.rooms[0].pcm.buffer))).toBe(false);
    // WAVs for RTP sources / Chromium's fake capture: 16 kHz as rendered, or resampled to 48 kHz.
    const dir = mkdtempSync(path.join(tmpdir(), 'lesson-wav-'));
    try {
      for (const rate of [16_000, 48_000]) {
        const files = writeLessonWavs(a, path.join(dir, String(rate)), { rate });
        expect(Object.keys(files)).toEqual(a.rooms.map((r) => r.id));
        const wav = readFileSync(files.A);
        expect(wav.readUInt32LE(24)).toBe(rate);
        expect(wav.readUInt16LE(22)).toBe(1);
        const samples = wav.readUInt32LE(40) / 2;
        expect(Math.abs(samples - (a.rooms[1].pcm.length * rate) / 16_000)).toBeLessThanOrEqual(rate / 100);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('a rendered dialogue lesson', () => {
    const { script } = LESSON_SCRIPTS.find((s) => s.type === '对话型')!;
    let lesson: RenderedLesson;
    beforeAll(() => {
      lesson = renderLesson(script);
    });

    it('has one track per room from its own start offset to the lesson end, with distinct offsets', () => {
      const offsets = lesson.rooms.map((r) => r.startOffsetMs);
      expect(new Set(offsets).size).toBe(offsets.length);
      for (const r of lesson.rooms) {
        expect(r.startOffsetMs).toBeGreaterThanOrEqual(0);
        expect(r.startOffsetMs).toBeLessThanOrEqual(3000);
        expect(Math.abs(r.pcm.length - (script.durationMs - r.startOffsetMs) * PER_MS)).toBeLessThanOrEqual(1);
      }
    });

    it('truth spans are the merged turns of that room (checked on a 1-ms grid)', () => {
      for (const r of lesson.rooms) {
        const grid = new Uint8Array(script.durationMs);
        for (const t of script.turns) if (t.room === r.id) grid.fill(1, Math.max(t.fromMs, r.startOffsetMs), t.toMs);
        const fromTruth = new Uint8Array(script.durationMs);
        r.truth.forEach(([a, b], i) => {
          if (i > 0) expect(a).toBeGreaterThan(r.truth[i - 1][1]);
          fromTruth.fill(1, a, b);
        });
        expect(Buffer.from(fromTruth).equals(Buffer.from(grid)), r.id).toBe(true);
      }
    });

    it.each(['A', 'B'])('teacher → %s leaks at the scripted delay and level', (victim) => checkLeak('T', victim));
    it('on-stage classroom A → teacher leaks at the scripted delay and level', () => checkLeak('A', 'T'));

    function checkLeak(from: string, to: string) {
      const li = script.leaks.findIndex((l) => l.from === from && l.to === to);
      const leak = script.leaks[li];
      const turn = isolatedTurn(script, from);
      // Delay: 3 s of envelope from the turn's start (the delay moves little in 3 s).
      const a = turn.fromMs + 200;
      const frames = 600;
      const src = envelope(lesson, from, a, frames);
      let best = -1;
      let bestLag = 0;
      for (let lag = 0; lag <= 500; lag += 5) {
        const c = correlation(src, envelope(lesson, to, a + lag, frames));
        if (c > best) [best, bestLag] = [c, lag];
      }
      expect(best, `correlation ${from}→${to}`).toBeGreaterThan(0.6);
      expect(bestLag).toBeGreaterThanOrEqual(leak.delayMs.min - 10);
      expect(bestLag).toBeLessThanOrEqual(leak.delayMs.max + 10);
      expect(Math.abs(bestLag - leakDelayMs(script, li, a + 1500)), `lag ${bestLag}`).toBeLessThanOrEqual(30);
      // Level: energy of the whole turn against the victim's energy over the same span delayed,
      // minus the victim's scripted noise floor.
      const ps = power(lesson, from, turn.fromMs, turn.toMs);
      const pv = power(lesson, to, turn.fromMs + bestLag, turn.toMs + bestLag);
      const noise = 10 ** (noiseDbAt(script, to, turn.fromMs) / 10);
      const level = db(pv - noise) - db(ps);
      expect(level, `level ${from}→${to} ${level.toFixed(1)} dB, scripted ${leak.gainDb}`).toBeGreaterThanOrEqual(leak.gainDb - 3);
      expect(level).toBeLessThanOrEqual(leak.gainDb + 3);
      expect(leak.gainDb).toBeGreaterThanOrEqual(-30);
      expect(leak.gainDb).toBeLessThanOrEqual(-20);
    }

    it('noise is at the scripted RMS (±1.5 dB) before and after its mid-lesson change', () => {
      const changed = script.rooms.find((r) => r.noise.length > 1)!;
      const change = changed.noise[1].fromMs;
      for (const r of lesson.rooms) {
        const before = db(power(lesson, r.id, change - 28_000, change - 1000));
        const after = db(power(lesson, r.id, change + 1000, change + 28_000));
        expect(Math.abs(before - noiseDbAt(script, r.id, change - 1)), `${r.id} before: ${before.toFixed(1)}`).toBeLessThanOrEqual(1.5);
        expect(Math.abs(after - noiseDbAt(script, r.id, change)), `${r.id} after: ${after.toFixed(1)}`).toBeLessThanOrEqual(1.5);
      }
      expect(changed.noise[0].kind !== changed.noise[1].kind || changed.noise[0].db !== changed.noise[1].db).toBe(true);
    });

    it('the far-field pupil turn is quieter than the same room near', () => {
      const far = script.turns.find((t) => t.far)!;
      const near = script.turns.filter((t) => t.room === far.room && !t.far);
      const noise = (t: { fromMs: number }) => 10 ** (noiseDbAt(script, far.room, t.fromMs) / 10);
      const farDb = db(power(lesson, far.room, far.fromMs, far.toMs) - noise(far));
      const nearDb = db(near.reduce((s, t) => s + power(lesson, far.room, t.fromMs, t.toMs) - noise(t), 0) / near.length);
      expect(nearDb - farDb, `near ${nearDb.toFixed(1)} far ${farDb.toFixed(1)}`).toBeGreaterThanOrEqual(8);
    });
  });
});

describe('lesson scripts', () => {
  it.each(LESSON_SCRIPTS.map((s) => [s.type, s.script] as const))('%s: truth is of its type, with every feature the issue asks for', (type, script) => {
    expect(script.durationMs).toBeGreaterThanOrEqual(180_000);
    expect(script.durationMs).toBeLessThanOrEqual(300_000);
    const st = analyseSt(truthTimelines(script), script.durationMs, 30);
    expect(st.auto.type).toBe(type);
    // Leakage both ways at −20…−30 dB, 50–400 ms.
    const teacher = script.rooms.find((r) => r.role === 'teacher')!.id;
    expect(script.leaks.some((l) => l.from === teacher)).toBe(true);
    expect(script.leaks.some((l) => l.to === teacher && l.during)).toBe(true);
    for (const l of script.leaks) {
      expect(l.gainDb).toBeGreaterThanOrEqual(-30);
      expect(l.gainDb).toBeLessThanOrEqual(-20);
      expect(l.delayMs.min).toBeGreaterThanOrEqual(50);
      expect(l.delayMs.max).toBeLessThanOrEqual(400);
    }
    for (const r of script.rooms) for (const n of r.noise) expect(n.db >= -55 && n.db <= -40, `${r.id} ${n.db}`).toBe(true);
    expect(script.rooms.some((r) => r.noise.length > 1 && r.noise[1].fromMs > 0)).toBe(true);
    expect(script.turns.some((t) => t.far)).toBe(true);
    expect(script.turns.every((t) => t.toMs > t.fromMs)).toBe(true);
    const overlap = script.turns.some((t, i) => script.turns.some((u, j) => j !== i && u.room !== t.room && u.fromMs < t.toMs && u.toMs > t.fromMs));
    expect(overlap).toBe(true);
    expect(new Set(script.rooms.map((r) => r.startOffsetMs)).size).toBe(script.rooms.length);
    expect(new Set(script.rooms.map((r) => r.text)).size).toBe(script.rooms.length);
    expect(new Set(script.rooms.map((r) => `${r.voice}:${r.pitch}:${r.speed}`)).size).toBe(script.rooms.length);
    // Most samples are unambiguous, and the truth agrees with itself on them.
    const truth = truthTimelines(script);
    const sure = unambiguousSamples(truth, script.durationMs, 30, 'window');
    expect(sure.length).toBeGreaterThanOrEqual(st.samples.length - 1);
    const codes = windowCoder(truth, script.durationMs, 30);
    expect(stAgreement(codes, codes, sure)).toBe(1);
  });

  it.each(['讲授型', '练习型', '对话型', '混合型'] as const)('longScript(%s) is a 45-minute lesson of that type', (type) => {
    for (const seed of [1, 2, 3]) {
      const script = longScript(type, seed);
      expect(script.durationMs).toBe(45 * 60_000);
      expect(script.rooms).toHaveLength(4);
      expect(script.turns.every((t) => t.toMs > t.fromMs)).toBe(true);
      expect(script.turns.some((t) => t.far)).toBe(true);
      expect(analyseSt(truthTimelines(script), script.durationMs, 30).auto.type).toBe(type);
    }
  });
});

describe('analysisAccuracy', () => {
  it('frameScores counts 100-ms frames that are at least half speech', () => {
    const truth: Span[] = [[1000, 2000]];
    expect(frameScores(truth, truth, 5000)).toEqual({ recall: 1, falseAlarm: 0 });
    // Detected 1040–2000: frame 1000–1100 is 60% covered, still speech; 3000–3400 is 4 false frames of 40.
    const got = frameScores(truth, [[1040, 2000], [3000, 3400]], 5000);
    expect(got.recall).toBe(1);
    expect(got.falseAlarm).toBeCloseTo(4 / 40, 10);
    expect(frameScores(truth, [[1060, 1500]], 5000).recall).toBeCloseTo(4 / 10, 10);
  });

  it('unambiguousSamples drops a sample decided within 2 s of a boundary', () => {
    const tracks = (teacherTo: number) => [
      { trackId: 't', speaker: 'teacher' as const, classroomId: null, segments: [[0, teacherTo]] as Span[] },
      { trackId: 'a', speaker: 'classroom' as const, classroomId: 'a', segments: [[teacherTo, 30_000], [30_000, 60_000]] as Span[] },
    ];
    // Teacher 0–16 s, class 16–30 s: 16 vs 14 — moving the boundary by 2 s flips it.
    expect(unambiguousSamples(tracks(16_000), 60_000, 30)).toEqual([1]);
    // Teacher 0–25 s: clear.
    expect(unambiguousSamples(tracks(25_000), 60_000, 30)).toEqual([0, 1]);
  });
});
