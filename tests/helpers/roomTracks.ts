// Room tracks for the voice-activity comparison (tests/bench/vad-compare.ts) and tests: one room's
// microphone, 16 kHz mono, with the truth known to the sample. Each track is espeak-ng speech
// (tests/helpers/speech.ts) on a seeded script of utterances and pauses, either near the
// microphone (espeak's own level, ≈ −22 dBFS RMS) or far-field (−15 dB and low-passed at
// 2.5 kHz, like a pupil at the back of the room), over one room noise at a fixed RMS:
//   fan    — brown-ish rumble plus mains hum harmonics (a ceiling fan, a projector);
//   hiss   — white noise (preamp hiss, an air-conditioner outlet);
//   babble — six distant voices summed and low-passed: murmur of a class, which is NOT the
//            speech we look for (its level is far below any near talker's).
// "step" tracks switch the noise from −55 to −40 dBFS half way (the fan is switched on).
// Standalone on purpose: the lesson generator with leakage is a separate tool.
import { execFileSync } from 'node:child_process';
import { speechPcm, RATE } from './speech.js';
import { frameScores } from './analysisAccuracy.js';

export type NoiseKind = 'fan' | 'hiss' | 'babble';
export type Distance = 'near' | 'far';

export interface TrackCondition {
  name: string;
  distance: Distance;
  noise: NoiseKind;
  /** Noise RMS, dBFS; with `stepToDb` the level of the first half. */
  noiseDb: number;
  stepToDb?: number;
  seed: number;
  /** The room without its talker: noise only (truth empty). */
  noTalker?: boolean;
}

export interface RenderedTrack {
  condition: TrackCondition;
  pcm: Int16Array;
  truth: Array<[number, number]>;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

/** Utterances of 0.6–5 s with pauses of 0.4–3.5 s (and one 6-s silence), after 1.5–3 s of room. */
export function script(durationMs: number, seed: number): Array<[number, number]> {
  const r = rng(seed * 7919);
  const out: Array<[number, number]> = [];
  let t = 1500 + r() * 1500;
  let longPause = false;
  while (t < durationMs - 1000) {
    const len = 600 + r() * 4400;
    const end = Math.min(durationMs - 500, t + len);
    out.push([Math.round(t), Math.round(end)]);
    const pause = !longPause && t > durationMs / 3 ? ((longPause = true), 6000) : 400 + r() * 3100;
    t = end + pause;
  }
  return out;
}

/** Two cascaded one-pole low-passes (≈ 12 dB/octave above `hz`), in place. */
function lowPass(x: Float32Array, hz: number): void {
  const a = Math.exp((-2 * Math.PI * hz) / RATE);
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    y1 = (1 - a) * x[i] + a * y1;
    y2 = (1 - a) * y1 + a * y2;
    x[i] = y2;
  }
}

function rms(x: Float32Array): number {
  let e = 0;
  for (let i = 0; i < x.length; i++) e += x[i] * x[i];
  return Math.sqrt(e / Math.max(1, x.length));
}

/** Unit-RMS noise of the given kind. */
function noise(kind: NoiseKind, n: number, seed: number): Float32Array {
  const r = rng(seed);
  const g = () => (r() + r() + r() - 1.5) * 2;
  const x = new Float32Array(n);
  if (kind === 'hiss') for (let i = 0; i < n; i++) x[i] = g();
  else if (kind === 'fan') {
    let b = 0;
    for (let i = 0; i < n; i++) {
      b = 0.995 * b + 0.1 * g(); // leaky integrator: rumble with a −6 dB/octave slope
      const t = i / RATE;
      x[i] = b + 0.15 * g() + 0.4 * Math.sin(2 * Math.PI * 100 * t) + 0.2 * Math.sin(2 * Math.PI * 200 * t + 1) + 0.1 * Math.sin(2 * Math.PI * 300 * t + 2);
    }
  } else {
    const voices: Array<['cmn' | 'en-us', number]> = [['cmn', 140], ['cmn', 175], ['en-us', 150], ['cmn', 200], ['en-us', 185], ['cmn', 160]];
    for (const [v, sp] of voices) {
      const src = speechPcm(v, sp);
      let pos = Math.floor(r() * src.length);
      const gain = 0.5 + r();
      for (let i = 0; i < n; i++) {
        x[i] += (gain * src[pos]) / 32768;
        pos = (pos + 1) % src.length;
      }
    }
    lowPass(x, 1500);
  }
  const k = 1 / (rms(x) || 1);
  for (let i = 0; i < n; i++) x[i] *= k;
  return x;
}

export function renderCondition(c: TrackCondition, durationMs: number): RenderedTrack {
  const n = Math.round((durationMs * RATE) / 1000);
  const truth = c.noTalker ? [] : script(durationMs, c.seed);
  const speech = new Float32Array(n);
  const src = speechPcm(c.seed % 2 ? 'cmn' : 'en-us', 150 + (c.seed % 4) * 15);
  let pos = (c.seed * 12_345) % src.length;
  for (const [a, b] of truth) {
    for (let i = Math.round((a * RATE) / 1000); i < Math.min(n, Math.round((b * RATE) / 1000)); i++) {
      speech[i] = src[pos] / 32768;
      pos = (pos + 1) % src.length;
    }
  }
  if (c.distance === 'far') {
    lowPass(speech, 2500);
    const g = 10 ** (-15 / 20);
    for (let i = 0; i < n; i++) speech[i] *= g;
  }
  const nz = noise(c.noise, n, c.seed * 31 + 7);
  const pcm = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const db = c.stepToDb !== undefined && i >= n / 2 ? c.stepToDb : c.noiseDb;
    const v = speech[i] + 10 ** (db / 20) * nz[i];
    pcm[i] = Math.max(-32768, Math.min(32767, Math.round(v * 32768)));
  }
  return { condition: c, pcm, truth };
}

/** Near and far speech × fan/hiss/babble × −55/−48/−40 dBFS and the mid-track step up; rooms without a talker. */
export function conditions(): TrackCondition[] {
  const out: TrackCondition[] = [];
  let seed = 1;
  for (const distance of ['near', 'far'] as const)
    for (const kind of ['fan', 'hiss', 'babble'] as const) {
      for (const db of [-55, -48, -40]) out.push({ name: `${distance}/${kind}/${db}`, distance, noise: kind, noiseDb: db, seed: seed++ });
      out.push({ name: `${distance}/${kind}/step-55-40`, distance, noise: kind, noiseDb: -55, stepToDb: -40, seed: seed++ });
    }
  // The room without its talker (pupils practising): only the noise, none of it speech.
  for (const db of [-55, -48, -40]) out.push({ name: `none/babble/${db}`, distance: 'near', noise: 'babble', noiseDb: db, seed: seed++, noTalker: true });
  out.push({ name: 'none/fan/step-55-40', distance: 'near', noise: 'fan', noiseDb: -55, stepToDb: -40, seed: seed++, noTalker: true });
  return out;
}

/**
 * The track after an Opus round trip at `kbps` (libopus at 48 kHz, as a low-bitrate WebRTC
 * link would carry it), decoded back to 16 kHz mono.
 */
export function opusRoundTrip(pcm: Int16Array, kbps = 16): Int16Array {
  const s16 = ['-f', 's16le', '-ar', String(RATE), '-ac', '1'];
  const ogg = execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', ...s16, '-i', 'pipe:0', '-ar', '48000', '-c:a', 'libopus', '-b:a', `${kbps}k`, '-f', 'ogg', 'pipe:1'], {
    input: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength),
    maxBuffer: 256 << 20,
  });
  const raw = execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-i', 'pipe:0', '-ac', '1', '-ar', String(RATE), '-f', 's16le', 'pipe:1'], { input: ogg, maxBuffer: 256 << 20 });
  const out = new Int16Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  // Opus's encoder delay is trimmed by the decoder (pre-skip); keep the length identical.
  const fixed = new Int16Array(pcm.length);
  fixed.set(out.subarray(0, pcm.length));
  return fixed;
}

export interface Score {
  recall: number;
  falseAlarm: number;
}

/** Recall and false alarm on 100-ms frames (tests/helpers/analysisAccuracy.ts, the measure). */
export function score(truth: Array<[number, number]>, found: Array<[number, number]>, durationMs: number): Score {
  return frameScores(truth, found, durationMs, 100);
}
