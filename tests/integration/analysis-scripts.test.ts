// The four scripted lessons (tests/helpers/lessonScripts.ts) through the analysis exactly as the
// pipeline runs it, without the network: each room's track is cut into the recorder's 4-s
// segments, each segment goes through the VAD job's work (detectVoiceActivity over a WAV, band
// levels and the detector's features), then the lesson-level job's work (the detector over the
// whole track, then attribution), then the S-T coding. The bar: S-T agreement ≥ 95% on
// unambiguous samples, Rt and Ch within 0.05, the lesson type, and per track recall ≥ 90% and
// false alarm ≤ 5% on 100-ms frames. The raw detector alone must fail it (the leak is real).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { renderLesson, truthTimelines } from '../helpers/lessonSynth.js';
import { LESSON_SCRIPTS } from '../helpers/lessonScripts.js';
import { chError, frameScores, rtError, stAgreement, unambiguousSamples } from '../helpers/analysisAccuracy.js';
import { writeWav } from '../helpers/speech.js';
import { detectVoiceActivity, FeatureExtractor } from '../../workers/analysis/vad.js';
import { BandFeatureExtractor, packVadFeatures } from '../../workers/analysis/bandFeatures.js';
import { wholeTrackVoice } from '../../workers/analysis/trackVoice.js';
import { attribute, placeOnClock, type AttributionTrack } from '../../workers/analysis/attribution.js';
import { analyseSt } from '../../server/contract/analysis/st.js';
import type { SpeakerTimeline } from '../../server/contract/analysis/timeline.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'analysis-scripts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const SEGMENT_MS = 4000;

it.each(LESSON_SCRIPTS.map((s) => [s.script.name, s] as const))('%s: attributed speech and S-T coding match the script', async (name, { type, script }) => {
  const rendered = renderLesson(script);
  const tracks: AttributionTrack[] = [];
  for (const room of rendered.rooms) {
    const parts = [];
    for (let at = 0; at < room.pcm.length; at += SEGMENT_MS * 16) {
      const file = path.join(dir, `${name}-${room.id}-${at}.wav`);
      writeWav(file, room.pcm.subarray(at, at + SEGMENT_MS * 16));
      const bands = new BandFeatureExtractor();
      const feats = new FeatureExtractor();
      await detectVoiceActivity(file, { onPcm: (s) => (bands.push(s), feats.push(s)) });
      const b = bands.finish();
      parts.push({ startMs: room.startOffsetMs + at / 16, ...b, vad: packVadFeatures(feats.finish(), b.frames) });
    }
    tracks.push({ trackId: room.id, raw: wholeTrackVoice(parts), ...placeOnClock(parts) });
  }
  const result = attribute(tracks);
  const D = script.durationMs;
  const truth = truthTimelines(script);
  const code = (tl: SpeakerTimeline[]) => analyseSt(tl, D, 30);
  const want = code(truth).samples.map((s) => s.auto);
  const got = code(truth.map((t, i) => ({ ...t, segments: result[i].attributed, uncertain: result[i].uncertain })));
  const codes = got.samples.map((s) => s.auto);
  const idx = unambiguousSamples(truth, D, 30);
  const detail = `${name}: got ${codes.join('')} want ${want.join('')}`;
  expect(stAgreement(codes, want, idx), detail).toBeGreaterThanOrEqual(0.95);
  expect(rtError(codes, want), detail).toBeLessThanOrEqual(0.05);
  expect(chError(codes, want), detail).toBeLessThanOrEqual(0.05);
  expect(got.auto.type, detail).toBe(type);
  let rawWorstFa = 0;
  rendered.rooms.forEach((room, i) => {
    const s = frameScores(room.truth, result[i].attributed, D);
    rawWorstFa = Math.max(rawWorstFa, frameScores(room.truth, tracks[i].raw, D).falseAlarm);
    expect(s.recall, `${name} ${room.id} recall`).toBeGreaterThanOrEqual(0.9);
    expect(s.falseAlarm, `${name} ${room.id} false alarm`).toBeLessThanOrEqual(0.05);
  });
  // Without attribution some track hears another room beyond the bar (10–45% here).
  expect(rawWorstFa).toBeGreaterThan(0.05);
}, 240_000);
