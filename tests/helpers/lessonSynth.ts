// Synthetic synchronous lessons (issue 13, "How it is checked"): a script of rooms, turns and
// leaks is rendered as one 16 kHz mono track per room — the teacher's microphone and each rural
// classroom's — with the truth (who really spoke when) taken from the script, not from audio.
// Each track holds its room's own speech (espeak-ng, a voice/pitch/speed and a text per room),
// its noise (changing mid-lesson when the script says so), and the other rooms' speech leaked in
// as a projector loudspeaker plus echo-canceller residue would leave it: attenuated −20…−30 dB,
// band-passed, delayed by a smoothly varying 50–400 ms, with a slow ±2 dB wobble.
// Pure and deterministic: the same script (incl. its seed) gives the same samples.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { unionSpans, type Span, type SpeakerTimeline } from '../../server/contract/analysis/timeline.js';
import { roomNoise, type NoiseKind } from './roomNoise.js';
import { RATE, voicePcm, writeWav } from './speech.js';
import { biquad, dbToGain, msToSamples, readAt, rms, smallRoom, subSeed } from './synthDsp.js';

export type { NoiseKind } from './roomNoise.js';
export type { Span } from '../../server/contract/analysis/timeline.js';

export interface NoiseEntry {
  /** From this lesson-clock ms until the next entry (or the end). */
  fromMs: number;
  /** RMS in dBFS (−55…−40 in the scripts). */
  db: number;
  kind: NoiseKind;
}

export interface RoomScript {
  id: string;
  role: 'teacher' | 'classroom';
  /** espeak-ng voice incl. variant, e.g. 'cmn+f3'. */
  voice: string;
  /** espeak -p (0–99). */
  pitch: number;
  /** espeak -s (words per minute). */
  speed: number;
  /** One of speech.ts TEXT_NAMES; rooms of a lesson read different texts. */
  text: string;
  /** Gain on espeak's level for this room's near speech. */
  speechGainDb: number;
  noise: NoiseEntry[];
  /** Where this room's track starts on the lesson clock (the recorder joined late). */
  startOffsetMs: number;
}

export interface Turn {
  room: string;
  fromMs: number;
  toMs: number;
  /** A quiet pupil far from the microphone: farDb (default −15) lower, low-passed, some reverb. */
  far?: boolean;
  farDb?: number;
}

export interface Leak {
  from: string;
  to: string;
  /** Leaked level relative to the source's speech (RMS), −20…−30. */
  gainDb: number;
  /** The delay moves smoothly within [min, max] (50–400 ms) over the lesson. */
  delayMs: { min: number; max: number };
  /** Source-clock spans in which the leak path is open (the room is on stage); absent = always. */
  during?: Span[];
  /** Slow gain wobble amplitude in dB (default 2). */
  wobbleDb?: number;
}

export interface LessonScript {
  name: string;
  seed: number;
  durationMs: number;
  rooms: RoomScript[];
  turns: Turn[];
  leaks: Leak[];
}

export interface RenderedRoom {
  id: string;
  role: 'teacher' | 'classroom';
  startOffsetMs: number;
  /** 16 kHz mono, from startOffsetMs to the lesson's end. */
  pcm: Int16Array;
  /** This room's own scripted speech on the LESSON clock, merged, clipped to the track. */
  truth: Span[];
}

export interface RenderedLesson {
  script: LessonScript;
  rooms: RenderedRoom[];
}

/** Truth of one room from the script alone: its turns, merged, clipped to its track's extent. */
export function roomTruth(script: LessonScript, roomId: string): Span[] {
  const room = script.rooms.find((r) => r.id === roomId);
  if (!room) throw new Error(`no room ${roomId}`);
  return unionSpans(
    script.turns
      .filter((t) => t.room === roomId)
      .map((t): Span => [Math.max(t.fromMs, room.startOffsetMs), Math.min(t.toMs, script.durationMs)]),
  );
}

/** The truth as the analysis sees tracks: one SpeakerTimeline per room (classroomId = room id). */
export function truthTimelines(script: LessonScript): SpeakerTimeline[] {
  return script.rooms.map((r) => ({
    trackId: r.id,
    speaker: r.role,
    classroomId: r.role === 'classroom' ? r.id : null,
    segments: roomTruth(script, r.id),
  }));
}

/**
 * The leak's delay at source-clock ms t: a slow sinusoid (period 50–110 s) plus a seeded drift
 * of two slower sinusoids, mapped into [min, max]. Smooth (derivative ≪ 1 ms/ms), so the
 * fractional-delay read never folds time, and exported so a test knows the delay to expect.
 */
export function leakDelayMs(script: LessonScript, leakIndex: number, t: number): number {
  const leak = script.leaks[leakIndex];
  const s = subSeed(script.seed, 7, leakIndex);
  const p1 = 50_000 + (s % 60_000);
  const p2 = 170_000 + ((s >>> 8) % 90_000);
  const p3 = 310_000 + ((s >>> 16) % 120_000);
  const ph = (s % 6283) / 1000;
  const u = 0.6 * Math.sin((2 * Math.PI * t) / p1 + ph) + 0.25 * Math.sin((2 * Math.PI * t) / p2 + 2 * ph) + 0.15 * Math.sin((2 * Math.PI * t) / p3 + 3 * ph);
  return leak.delayMs.min + ((u + 1) / 2) * (leak.delayMs.max - leak.delayMs.min);
}

/** A room's own speech on the lesson clock (full length), before noise and leaks. */
function drySpeech(script: LessonScript, roomIndex: number, n: number): Float32Array {
  const room = script.rooms[roomIndex];
  const src = voicePcm({ voice: room.voice, pitch: room.pitch, speed: room.speed, text: room.text });
  const out = new Float32Array(n);
  const gain = dbToGain(room.speechGainDb);
  // Start each room at a seeded place of its text; every turn continues where the last stopped.
  let pos = subSeed(script.seed, 3, roomIndex) % src.length;
  const fade = msToSamples(10);
  const turns = script.turns.filter((t) => t.room === room.id).sort((a, b) => a.fromMs - b.fromMs);
  for (const turn of turns) {
    const i0 = Math.max(0, msToSamples(turn.fromMs));
    const i1 = Math.min(n, msToSamples(turn.toMs));
    if (i1 <= i0) continue;
    let seg: Float32Array = new Float32Array(i1 - i0);
    for (let k = 0; k < seg.length; k++) {
      const env = Math.min(1, k / fade, (seg.length - k) / fade);
      seg[k] = (env * gain * src[pos]) / 32768;
      pos = (pos + 1) % src.length;
    }
    if (turn.far) {
      const g = dbToGain(turn.farDb ?? -15);
      seg = smallRoom(biquad(seg, 'lowpass', 2500));
      for (let k = 0; k < seg.length; k++) seg[k] *= g;
    }
    for (let k = 0; k < seg.length; k++) out[i0 + k] += seg[k];
  }
  return out;
}

/** Gate 0/1 per source sample of a leak's `during` spans, with 30-ms ramps (no clicks). */
function gateOf(during: Span[] | undefined, n: number): Float32Array | null {
  if (!during) return null;
  const g = new Float32Array(n);
  const ramp = msToSamples(30);
  for (const [a, b] of during) {
    const i0 = Math.max(0, msToSamples(a));
    const i1 = Math.min(n, msToSamples(b));
    for (let i = i0; i < i1; i++) g[i] = Math.max(g[i], Math.min(1, (i - i0) / ramp, (i1 - i) / ramp));
  }
  return g;
}

/** What a leak adds to its victim's track, on the lesson clock. */
/**
 * A loudspeaker and what an echo canceller leaves pass ~300–3400 Hz; the band-passed signal is
 * renormalised to the source's RMS so a leak's gainDb is its level relative to the source.
 */
function loudspeaker(source: Float32Array): Float32Array {
  const band = biquad(biquad(source, 'highpass', 300), 'lowpass', 3400);
  const norm = rms(source) / (rms(band) || 1);
  for (let i = 0; i < band.length; i++) band[i] *= norm;
  return band;
}

function leakSignal(script: LessonScript, leakIndex: number, band: Float32Array): Float32Array {
  const leak = script.leaks[leakIndex];
  const n = band.length;
  const gain = dbToGain(leak.gainDb);
  const gate = gateOf(leak.during, n);
  const wobble = leak.wobbleDb ?? 2;
  const wobblePeriod = 7000 + (subSeed(script.seed, 11, leakIndex) % 6000);
  // Delay and wobble change slowly: computed per ms and interpolated (4.8 M samples per 5 min).
  const ms = Math.ceil((n * 1000) / RATE) + 2;
  const delay = new Float64Array(ms);
  const wob = new Float64Array(ms);
  for (let t = 0; t < ms; t++) {
    delay[t] = (leakDelayMs(script, leakIndex, t) * RATE) / 1000;
    wob[t] = gain * dbToGain(wobble * Math.sin((2 * Math.PI * t) / wobblePeriod));
  }
  const perMs = RATE / 1000;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = Math.floor(i / perMs);
    const f = i / perMs - t;
    const p = i - (delay[t] * (1 - f) + delay[t + 1] * f);
    const gp = gate ? readAt(gate, p) : 1;
    if (gp === 0) continue;
    out[i] = (wob[t] * (1 - f) + wob[t + 1] * f) * gp * readAt(band, p);
  }
  return out;
}

function noiseTrack(script: LessonScript, roomIndex: number, n: number): Float32Array {
  const entries = [...script.rooms[roomIndex].noise].sort((a, b) => a.fromMs - b.fromMs);
  const out = new Float32Array(n);
  entries.forEach((e, k) => {
    const i0 = Math.max(0, msToSamples(e.fromMs));
    const i1 = Math.min(n, k + 1 < entries.length ? msToSamples(entries[k + 1].fromMs) : n);
    if (i1 <= i0) return;
    out.set(roomNoise(e.kind, e.db, i1 - i0, subSeed(script.seed, 5, roomIndex, k)), i0);
  });
  return out;
}

export function renderLesson(script: LessonScript): RenderedLesson {
  const n = msToSamples(script.durationMs);
  const index = new Map(script.rooms.map((r, i) => [r.id, i]));
  for (const t of script.turns) {
    if (!index.has(t.room)) throw new Error(`turn of unknown room ${t.room}`);
    if (!(t.toMs > t.fromMs)) throw new Error(`empty turn of ${t.room} at ${t.fromMs}`);
  }
  for (const l of script.leaks) if (!index.has(l.from) || !index.has(l.to)) throw new Error(`leak ${l.from}→${l.to}: unknown room`);
  const dry = script.rooms.map((_, i) => drySpeech(script, i, n));
  const bands = new Map<number, Float32Array>();
  const bandOf = (i: number) => bands.get(i) ?? bands.set(i, loudspeaker(dry[i])).get(i)!;
  const rooms = script.rooms.map((room, ri): RenderedRoom => {
    const mix = noiseTrack(script, ri, n);
    const own = dry[ri];
    for (let i = 0; i < n; i++) mix[i] += own[i];
    script.leaks.forEach((leak, li) => {
      if (leak.to !== room.id) return;
      const add = leakSignal(script, li, bandOf(index.get(leak.from)!));
      for (let i = 0; i < n; i++) mix[i] += add[i];
    });
    const i0 = Math.min(n, msToSamples(room.startOffsetMs));
    const pcm = new Int16Array(n - i0);
    for (let i = i0; i < n; i++) pcm[i - i0] = Math.max(-32768, Math.min(32767, Math.round(mix[i] * 32768)));
    return { id: room.id, role: room.role, startOffsetMs: room.startOffsetMs, pcm, truth: roomTruth(script, room.id) };
  });
  return { script, rooms };
}

/** Resample 16-bit mono PCM with ffmpeg (its default resampler), e.g. to 48 kHz. */
export function resamplePcm(pcm: Int16Array, toRate: number, fromRate = RATE): Int16Array {
  if (toRate === fromRate) return pcm;
  const raw = execFileSync(
    'ffmpeg',
    ['-hide_banner', '-v', 'error', '-f', 's16le', '-ar', String(fromRate), '-ac', '1', '-i', 'pipe:0', '-ar', String(toRate), '-f', 's16le', 'pipe:1'],
    { input: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength), maxBuffer: 1 << 30 },
  );
  return new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
}

/**
 * One WAV per room, `<dir>/<room id>.wav`, for RTP sources and for Chromium's
 * --use-file-for-fake-audio-capture=FILE.wav%noloop. Chromium's fake capture reads the WAV
 * header and converts to the capture format itself, so 16 kHz works; `rate` (e.g. 48000, the
 * rate WebRTC captures at) resamples first when a caller wants to avoid that conversion.
 * Returns room id → file path.
 */
export function writeLessonWavs(rendered: RenderedLesson, dir: string, opts: { rate?: number } = {}): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const rate = opts.rate ?? RATE;
  const out: Record<string, string> = {};
  for (const room of rendered.rooms) {
    const file = path.join(dir, `${room.id}.wav`);
    writeWav(file, resamplePcm(room.pcm, rate), rate);
    out[room.id] = file;
  }
  return out;
}
