// Cross-track attribution on rendered rooms: espeak-ng speech over each room's noise, one room's
// speech leaking into the other's microphone attenuated and late, through the production
// decode (ffmpeg, a WAV) and features as the VAD job computes them, and the raw voice activity
// decided over the whole track as the attribution job does (trackVoice.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectVoiceActivity, FeatureExtractor } from '../../workers/analysis/vad.js';
import { BandFeatureExtractor, BandFileError, decodeBandFile, encodeBandFile, packVadFeatures } from '../../workers/analysis/bandFeatures.js';
import { wholeTrackVoice } from '../../workers/analysis/trackVoice.js';
import { frameScores } from '../helpers/analysisAccuracy.js';
import { attribute, placeOnClock, type AttributionTrack } from '../../workers/analysis/attribution.js';
import { RATE, renderTrack, writeWav } from '../helpers/speech.js';
import type { Span } from '../../server/contract/analysis/timeline.js';

const dir = mkdtempSync(path.join(tmpdir(), 'attr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const D = 90_000;

/** `victim` plus `source` attenuated by gainDb and delayed by delayMs(t) (fractional, interpolated). */
function withLeak(victim: Int16Array, source: Int16Array, gainDb: number, delayMs: (i: number) => number): Int16Array {
  const g = 10 ** (gainDb / 20);
  const out = new Int16Array(victim.length);
  for (let i = 0; i < victim.length; i++) {
    const j = i - (delayMs(i) * RATE) / 1000;
    const j0 = Math.floor(j);
    const f = j - j0;
    const leak = j0 >= 0 && j0 + 1 < source.length ? source[j0] * (1 - f) + source[j0 + 1] * f : 0;
    out[i] = Math.max(-32768, Math.min(32767, Math.round(victim[i] + g * leak)));
  }
  return out;
}

async function track(id: string, pcm: Int16Array): Promise<AttributionTrack> {
  const file = path.join(dir, `${id}.wav`);
  writeWav(file, pcm);
  const bands = new BandFeatureExtractor();
  const feats = new FeatureExtractor();
  await detectVoiceActivity(file, { onPcm: (s) => (bands.push(s), feats.push(s)) });
  const b = bands.finish();
  const raw = wholeTrackVoice([{ startMs: 0, frames: b.frames, vad: packVadFeatures(feats.finish(), b.frames) }]);
  return { trackId: id, raw, ...b };
}

/** Recall and false alarm on 100-ms frames (a frame is speech when at least half of it is). */
const scores = (truth: Span[], got: Span[]) => frameScores(truth, got, D);

const teacherSays: Span[] = [[0, 25_000], [38_000, 60_000], [70_000, 89_000]];
// 48–54 s: a pupil answers while the teacher is still talking.
const pupilSays: Span[] = [[25_500, 37_000], [48_000, 54_000], [60_500, 69_000]];

describe('attribute', () => {
  it('removes the teacher’s residue from the classroom and the classroom’s from the teacher, and keeps both where they overlap', async () => {
    const teacherOwn = renderTrack({ durationMs: D, speech: teacherSays, noiseDb: -58, seed: 1, gain: 1.4 });
    const pupilOwn = renderTrack({ durationMs: D, speech: pupilSays, noiseDb: -47, seed: 2, voice: 'en-us', gain: 0.6, speechOffsetMs: 7000 });
    // Teacher → classroom: −25 dB, 150–350 ms drifting; classroom → teacher: −28 dB, 120 ms.
    const classroom = await track('classroom', withLeak(pupilOwn, teacherOwn, -25, (i) => 250 + 100 * Math.sin((2 * Math.PI * i) / (RATE * 40))));
    const teacher = await track('teacher', withLeak(teacherOwn, pupilOwn, -28, () => 120));
    // The detector alone hears the leak as speech on both.
    expect(scores(pupilSays, classroom.raw).falseAlarm).toBeGreaterThan(0.5);
    expect(scores(teacherSays, teacher.raw).falseAlarm).toBeGreaterThan(0.3);

    const [t, c] = attribute([teacher, classroom]);
    const ts = scores(teacherSays, t.attributed);
    const cs = scores(pupilSays, c.attributed);
    expect(ts.recall, JSON.stringify(t.attributed)).toBeGreaterThanOrEqual(0.95);
    expect(ts.falseAlarm, JSON.stringify(t.attributed)).toBeLessThanOrEqual(0.03);
    expect(cs.recall, JSON.stringify(c.attributed)).toBeGreaterThanOrEqual(0.95);
    expect(cs.falseAlarm, JSON.stringify(c.attributed)).toBeLessThanOrEqual(0.03);
    // The overlap stays both rooms' speech.
    const inOverlap = (spans: Span[]) => spans.reduce((s, [a, b]) => s + Math.max(0, Math.min(54_000, b) - Math.max(48_000, a)), 0);
    expect(inOverlap(c.attributed)).toBeGreaterThan(5_000);
    expect(inOverlap(t.attributed)).toBeGreaterThan(5_000);
    // The leaks are named with their level and delay.
    expect(c.leaks).toHaveLength(1);
    expect(c.leaks[0].fromTrackId).toBe('teacher');
    expect(c.leaks[0].gainDb).toBeGreaterThan(-31);
    expect(c.leaks[0].gainDb).toBeLessThan(-19);
    expect(c.leaks[0].lagMs).toBeGreaterThanOrEqual(150);
    expect(c.leaks[0].lagMs).toBeLessThanOrEqual(350);
    expect(c.leaks[0].removedMs).toBeGreaterThan(30_000);
    expect(t.leaks.map((l) => [l.fromTrackId, l.lagMs])).toEqual([['classroom', 120]]);
    // Attribution only removes.
    for (const r of [t, c]) {
      const raw = r.trackId === 'teacher' ? teacher.raw : classroom.raw;
      for (const [a, b] of r.attributed) expect(raw.some(([x, y]) => x <= a && b <= y)).toBe(true);
    }
  }, 60_000);

  it('changes nothing when no room hears another', async () => {
    const a = await track('a', renderTrack({ durationMs: D, speech: teacherSays, noiseDb: -55, seed: 3 }));
    const b = await track('b', renderTrack({ durationMs: D, speech: pupilSays, noiseDb: -45, seed: 4, voice: 'en-us', speechOffsetMs: 3000 }));
    const [ra, rb] = attribute([a, b]);
    expect(ra.attributed).toEqual(a.raw);
    expect(rb.attributed).toEqual(b.raw);
    expect([...ra.leaks, ...rb.leaks]).toEqual([]);
  }, 60_000);

  it('does not take a quieter copy for the source: two classrooms hearing the teacher at different levels', async () => {
    const teacherOwn = renderTrack({ durationMs: D, speech: teacherSays, noiseDb: -58, seed: 5, gain: 1.4 });
    const p1 = renderTrack({ durationMs: D, speech: [[25_500, 37_000]], noiseDb: -50, seed: 6, voice: 'en-us', gain: 0.7 });
    const p2 = renderTrack({ durationMs: D, speech: [[60_500, 69_000]], noiseDb: -52, seed: 7, gain: 0.7, speechOffsetMs: 20_000 });
    const t = await track('t', teacherOwn);
    const c1 = await track('c1', withLeak(p1, teacherOwn, -21, () => 200));
    const c2 = await track('c2', withLeak(p2, teacherOwn, -29, () => 320));
    const [rt, r1, r2] = attribute([t, c1, c2]);
    expect(scores(teacherSays, rt.attributed).recall).toBeGreaterThanOrEqual(0.95);
    const cases: Array<[typeof r1, Span[]]> = [[r1, [[25_500, 37_000]]], [r2, [[60_500, 69_000]]]];
    for (const [r, says] of cases) {
      const s = scores(says, r.attributed);
      expect(s.recall, r.trackId).toBeGreaterThanOrEqual(0.9);
      expect(s.falseAlarm, r.trackId).toBeLessThanOrEqual(0.03);
    }
  }, 60_000);
});

describe('band files', () => {
  it('round-trip, refuse anything else, and place segments on the lesson clock', () => {
    const ex = new BandFeatureExtractor();
    ex.push(renderTrack({ durationMs: 500, speech: [[0, 500]], seed: 9 }));
    const { frames, levels } = ex.finish();
    expect(frames).toBe(50);
    const vad = Uint8Array.from({ length: frames * 3 }, (_, i) => i % 256);
    const file = encodeBandFile({ frames, levels, vad });
    expect(decodeBandFile(file)).toEqual({ frames, levels, vad });
    expect(() => decodeBandFile(file.subarray(0, file.length - 1))).toThrow(BandFileError);
    expect(() => decodeBandFile(Buffer.from('RIFF....WAVE'))).toThrow(BandFileError);
    const placed = placeOnClock([
      { startMs: 1000, frames, levels },
      { startMs: 0, frames: 2, levels: levels.subarray(0, 32) },
    ]);
    expect(placed.frames).toBe(150);
    expect(placed.levels.subarray(2 * 16, 100 * 16).every((b) => b === 0)).toBe(true);
    expect(placed.levels.subarray(100 * 16, 150 * 16)).toEqual(levels);
  });
});
