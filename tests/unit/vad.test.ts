// Voice-activity detection on espeak-ng speech with known silences, over quiet and noisy
// classroom floors, through the real ffmpeg decoder (WAV and Opus/WebM as the recorder writes).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detectVoiceActivity, mergeSegments, VadError } from '../../workers/analysis/vad.js';
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
