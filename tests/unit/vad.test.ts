// Voice-activity detection on espeak-ng speech with known silences, over quiet and noisy
// classroom floors, through the real ffmpeg decoder (WAV and Opus/WebM as the recorder writes);
// the engines behind it (workers/analysis/vadEngines/) on the room noises they are compared on.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectVoiceActivity, mergeSegments, VadError } from '../../workers/analysis/vad.js';
import { GatedSileroClassifier } from '../../workers/analysis/vadEngines/combined.js';
import { classifyFile } from '../../workers/analysis/vadEngines/decode.js';
import { EnergyClassifier } from '../../workers/analysis/vadEngines/energy.js';
import { segmentsOf, type FrameClassifier } from '../../workers/analysis/vadEngines/engine.js';
import { SileroClassifier } from '../../workers/analysis/vadEngines/silero.js';
import { WebRtcClassifier } from '../../workers/analysis/vadEngines/webrtc.js';
import { renderCondition, score } from '../helpers/roomTracks.js';
import { renderTrack, writeWav } from '../helpers/speech.js';

const dir = mkdtempSync(path.join(tmpdir(), 'vad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const script: Array<[number, number]> = [
  [1000, 4500],
  [6000, 6800],
  [9000, 15000],
  [16000, 16400],
];

function expectBoundaries(got: Array<[number, number]>, want: Array<[number, number]>, tol = 200) {
  expect(got.length, JSON.stringify(got)).toBe(want.length);
  got.forEach(([a, b], i) => {
    expect(Math.abs(a - want[i][0]), `start ${i}: ${a} vs ${want[i][0]}`).toBeLessThanOrEqual(tol);
    expect(Math.abs(b - want[i][1]), `end ${i}: ${b} vs ${want[i][1]}`).toBeLessThanOrEqual(tol);
  });
}

describe('detectVoiceActivity', () => {
  it.each([
    ['quiet room', -62, 1],
    ['rural classroom noise floor', -38, 1],
    ['soft teacher in a noisy room', -32, 0.5],
  ])('finds the speech boundaries within 200 ms: %s', async (_name, noiseDb, gain) => {
    const file = path.join(dir, `t${noiseDb}.wav`);
    writeWav(file, renderTrack({ durationMs: 20_000, speech: script, noiseDb, gain, seed: 11 }));
    expectBoundaries(await detectVoiceActivity(file), script);
  });

  it('adapts when the noise floor rises mid-lesson (a fan is switched on)', async () => {
    const quiet = renderTrack({ durationMs: 20_000, speech: script, noiseDb: -60, seed: 3 });
    const loud = renderTrack({ durationMs: 20_000, speech: script.map(([a, b]) => [a, b]), noiseDb: -36, seed: 5 });
    const both = new Int16Array(quiet.length + loud.length);
    both.set(quiet, 0);
    both.set(loud, quiet.length);
    const file = path.join(dir, 'rising.wav');
    writeWav(file, both);
    const want = [...script, ...script.map(([a, b]) => [a + 20_000, b + 20_000] as [number, number])];
    expectBoundaries(await detectVoiceActivity(file), want);
  });

  it('reads the recorder’s Opus/WebM segments', async () => {
    const wav = path.join(dir, 'opus-src.wav');
    const webm = path.join(dir, 'seg-00001.webm');
    writeWav(wav, renderTrack({ durationMs: 20_000, speech: script, noiseDb: -45, seed: 9 }));
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', wav, '-ar', '48000', '-c:a', 'libopus', '-b:a', '32k', webm]);
    expectBoundaries(await detectVoiceActivity(webm), script);
  });

  it('keeps time across the holes a browser’s Opus DTX leaves in a quiet stretch', async () => {
    // Chromium sends no packets while its noise suppression hears silence (DTX): the recorder's
    // WebM then has holes. Here the packets of 5.0–8.7 s (the pause between two utterances) are
    // dropped; the speech after the hole must stay at 9–15 s, not slide 3.7 s earlier.
    const wav = path.join(dir, 'dtx-src.wav');
    const full = path.join(dir, 'dtx-full.webm');
    const holed = path.join(dir, 'dtx-holed.webm');
    writeWav(wav, renderTrack({ durationMs: 20_000, speech: script, noiseDb: -60, seed: 4 }));
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', wav, '-ar', '48000', '-c:a', 'libopus', '-b:a', '32k', full]);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', full, '-c', 'copy', '-bsf:a', "noise=drop='between(pts*tb,5.0,8.7)'", holed]);
    const decoded = execFileSync('ffmpeg', ['-v', 'error', '-i', holed, '-ac', '1', '-ar', '16000', '-f', 's16le', 'pipe:1'], { maxBuffer: 1 << 26 });
    expect(decoded.length / 32_000, 'a plain decode of the holed file is shorter (the hole is real)').toBeLessThan(17);
    const want = script.filter(([a]) => a < 5000 || a > 8700);
    expectBoundaries(await detectVoiceActivity(holed), want);
  });

  it('returns nothing for noise only and for digital silence', async () => {
    const noise = path.join(dir, 'noise.wav');
    writeWav(noise, renderTrack({ durationMs: 10_000, speech: [], noiseDb: -35, seed: 2 }));
    expect(await detectVoiceActivity(noise)).toEqual([]);
    const silence = path.join(dir, 'silence.wav');
    writeWav(silence, new Int16Array(16_000 * 3));
    expect(await detectVoiceActivity(silence)).toEqual([]);
  });

  it('rejects an undecodable file with a VadError and honours cancellation', async () => {
    const bad = path.join(dir, 'bad.webm');
    writeFileSync(bad, Buffer.from('not a webm file at all'));
    await expect(detectVoiceActivity(bad)).rejects.toBeInstanceOf(VadError);
    const file = path.join(dir, 't-62.wav');
    const ac = new AbortController();
    ac.abort();
    await expect(detectVoiceActivity(file, { signal: ac.signal })).rejects.toThrow(/cancelled/);
  });

  it('mergeSegments sorts and joins short pauses', () => {
    expect(mergeSegments([[500, 700], [0, 100], [150, 300], [900, 900]], 100)).toEqual([
      [0, 300],
      [500, 700],
    ]);
  });
});

describe('voice-activity engines', () => {
  async function run(engine: FrameClassifier, pcm: Int16Array) {
    for (let i = 0; i < pcm.length; i += 32_768) await engine.push(pcm.subarray(i, i + 32_768));
    return engine.finish();
  }

  it('every engine gives one decision per 10-ms frame and finds near speech over a fan', async () => {
    const t = renderCondition({ name: 'near/fan/-48', distance: 'near', noise: 'fan', noiseDb: -48, seed: 5 }, 20_000);
    for (const engine of [new EnergyClassifier(), new SileroClassifier('v5'), new SileroClassifier('legacy'), new WebRtcClassifier(3), new GatedSileroClassifier('v5')]) {
      const d = await run(engine, t.pcm);
      expect(Math.abs(d.speech.length - 2000), engine.name).toBeLessThanOrEqual(1);
      const s = score(t.truth, segmentsOf(d), 20_000);
      expect(s.recall, engine.name).toBeGreaterThanOrEqual(0.9);
      expect(s.falseAlarm, engine.name).toBeLessThanOrEqual(0.15);
    }
  });

  // Babble is harmonic and fluctuates like speech; the gated Silero keeps only the talker. (How
  // each engine alone fares on babble, by level and seed, is the bench's: vad-compare.)
  it.each([
    ['murmur of a class (babble) between the talker’s utterances is not speech', { name: 'near/babble/-45', distance: 'near', noise: 'babble', noiseDb: -45, seed: 8 }],
    ['quiet far-field speech over hiss is still found', { name: 'far/hiss/-48', distance: 'far', noise: 'hiss', noiseDb: -48, seed: 12 }],
  ] as const)('%s', async (_title, condition) => {
    const t = renderCondition(condition, 30_000);
    const file = path.join(dir, `${condition.noise}-${condition.distance}.wav`);
    writeWav(file, t.pcm);
    const s = score(t.truth, await detectVoiceActivity(file), 30_000);
    expect(s.recall).toBeGreaterThanOrEqual(0.9);
    expect(s.falseAlarm).toBeLessThanOrEqual(0.05);
  });

  it('a room without its talker, only steady murmur or a fan switched on, has no speech', async () => {
    // (Murmur that swells from −55 to −40 dBFS with no talker is still called speech for the
    // ~8 s after the swell: docs/research.md, "what each engine misses".)
    for (const [noise, noiseDb, stepToDb] of [['babble', -48, undefined], ['babble', -40, undefined], ['fan', -55, -40]] as const) {
      const t = renderCondition({ name: 'none', distance: 'near', noise, noiseDb, stepToDb, seed: 21, noTalker: true }, 20_000);
      const file = path.join(dir, `none-${noise}${noiseDb}.wav`);
      writeWav(file, t.pcm);
      const found = await detectVoiceActivity(file);
      const total = found.reduce((a, [s, e]) => a + e - s, 0);
      expect(total, `${noise} ${noiseDb}→${stepToDb}: ${JSON.stringify(found)}`).toBeLessThanOrEqual(20_000 * 0.05);
    }
  });

  it('a missing model file is a VadError, before and while decoding', async () => {
    const missing = path.join(dir, 'no-such-model.onnx');
    await expect(new SileroClassifier('v5', missing).push(new Int16Array(1024))).rejects.toBeInstanceOf(VadError);
    const file = path.join(dir, 't-62.wav');
    await expect(classifyFile(file, new SileroClassifier('v5', missing))).rejects.toThrow(/model missing/);
  });

  it('stops decoding and the model when cancelled mid-file', async () => {
    const file = path.join(dir, 'long.wav');
    writeWav(file, renderTrack({ durationMs: 120_000, speech: [[1000, 100_000]], noiseDb: -50, seed: 6 }));
    const ac = new AbortController();
    let blocks = 0;
    const t0 = Date.now();
    await expect(detectVoiceActivity(file, { signal: ac.signal, onPcm: () => ++blocks === 2 && ac.abort() })).rejects.toThrow(/cancelled/);
    // Two minutes take the model ~1 s; cancelled after the second block, only the queued few run.
    expect(blocks).toBeLessThan(20);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('hands every decoded sample to onPcm, in order', async () => {
    const file = path.join(dir, 'onpcm.wav');
    const pcm = renderTrack({ durationMs: 5_000, speech: [[1000, 3000]], noiseDb: -50, seed: 4 });
    writeWav(file, pcm);
    const got: Int16Array[] = [];
    await detectVoiceActivity(file, { onPcm: (s) => got.push(s) });
    const all = new Int16Array(got.reduce((a, s) => a + s.length, 0));
    let o = 0;
    for (const s of got) {
      all.set(s, o);
      o += s.length;
    }
    expect(all).toEqual(pcm);
  });
});
