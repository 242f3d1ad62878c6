// Voice-activity detection for one audio file (a recorded track or segment). ffmpeg decodes to
// 16 kHz mono PCM on stdout; we never hold the whole signal, only a few numbers per 10 ms frame.
//
// detectVoiceActivity runs Silero VAD v5 gated by the level measures below
// (vadEngines/combined.ts): measured against this file's own detector, Silero alone and WebRTC's
// VAD on 56 room tracks (tests/bench/vad-compare.ts; docs/research.md, "Voice activity:
// which detector and why"), it is the only one that keeps murmur of a class out without losing
// quiet far-field speech — given a whole track (on a 4-s segment alone it loses far speech; see
// there). What follows is our own detector, still an engine of its own
// (vadEngines/energy.ts), whose features, floor and smoothing the chosen engine reuses.
//
// Why this design: classroom microphones sit on very different noise floors (a quiet urban
// studio vs. a rural room with fans and 50 pupils), so a fixed energy threshold either misses
// the quiet teacher or calls the room noise speech. Per frame we measure the speech-band
// (250–3800 Hz) energy, its spectral flatness (voiced speech is harmonic → low flatness; hiss,
// fans and murmur are flat) and the zero-crossing rate, and compare the energy against a noise
// floor that adapts over time (a low percentile over a sliding ±8 s window, capped so a long
// monologue cannot raise the floor to speech level). Hangover and minimum durations turn the
// frame decisions into segments a researcher would draw by hand.
import { fft } from './fft.js';
import { GatedSileroClassifier } from './vadEngines/combined.js';
import { classifyFile } from './vadEngines/decode.js';
import { segmentsOf } from './vadEngines/engine.js';

export type VoiceSegments = Array<[number, number]>;

export interface VadOptions {
  signal?: AbortSignal;
  /**
   * CPU niceness of the decoding ffmpeg (0–19; default this process's own). The recording
   * pipeline runs analysis last (ANALYSIS_NICE, media/process.ts): under overload it must not
   * take CPU from the live lesson, the recorders, research playback or the composite. Like
   * every media process it dies with its worker (pdeathsig).
   */
  nice?: number;
  /**
   * Every decoded block of 16 kHz mono PCM, in order: the attribution's band features
   * (workers/analysis/bandFeatures.ts) are taken from the same decode, not a second ffmpeg.
   */
  onPcm?: (samples: Int16Array) => void;
}

export class VadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VadError';
  }
}

const RATE = 16_000;
const HOP = 160; // 10 ms
const WIN = 400; // 25 ms analysis window
const NFFT = 512;
const HOP_MS = 10;

/** Tunables, exported so tests and the benchmark document what they ran with. */
export const VAD_PARAMS = {
  /** dBFS below which a frame is silence whatever the floor (digital silence, muted mic). */
  absoluteFloorDb: -62,
  /** Speech when the band energy is this far above the noise floor… */
  strongSnrDb: 11,
  /** …or this far above it and harmonic (low flatness) with a speech-like zero-crossing rate. */
  weakSnrDb: 5,
  maxFlatness: 0.32,
  maxZcr: 0.35,
  /** Noise floor: this percentile of band energy within ±floorWindowMs. */
  floorPercentile: 0.1,
  /** The background is the median of the frames within this of that percentile (see background()). */
  backgroundSpanDb: 12,
  floorWindowMs: 8_000,
  /** The floor's cap is taken within ± this (see noiseFloor). */
  capWindowMs: 60_000,
  capAboveDb: 10,
  /** …raised to the minimum within ±shortFloorMs, which follows a sudden rise at once. */
  shortFloorMs: 1_000,
  /** Onset needs this many speech frames among the last onsetWindow. */
  onsetFrames: 3,
  onsetWindow: 5,
  /** Keep speaking this long after the last speech frame (word gaps, plosive closures). */
  hangoverMs: 200,
  /** Pauses shorter than this join two segments; segments shorter than minSpeechMs are dropped. */
  minPauseMs: 300,
  minSpeechMs: 150,
  /** Segments shorter than shortSegmentMs are kept only if they peak this far above the floor. */
  shortSegmentMs: 1200,
  shortPeakSnrDb: 14,
};

/**
 * Speech segments [startMs, endMs] (relative to the file start, sorted, non-overlapping) of the
 * first audio stream of `file`. Rejects with VadError if ffmpeg cannot decode it; honours
 * `signal` by killing ffmpeg.
 */
export async function detectVoiceActivity(file: string, opts: VadOptions = {}): Promise<VoiceSegments> {
  // The engine chosen by the comparison (docs/research.md, "Voice activity: which detector and
  // why"): Silero v5's decisions gated by this file's adaptive level measures.
  const decisions = await classifyFile(file, new GatedSileroClassifier('v5'), { ...opts, nice: opts.nice ?? 0 });
  return segmentsOf(decisions);
}

export interface FrameFeatures {
  /** Speech-band energy per frame, dBFS. */
  bandDb: Float32Array;
  flatness: Float32Array;
  zcr: Float32Array;
  frames: number;
}

/** Streams PCM into per-frame features; keeps only the last window of samples. */
export class FeatureExtractor {
  private ring = new Float32Array(WIN);
  private filled = 0;
  private sinceHop = 0;
  private band: number[] = [];
  private flat: number[] = [];
  private zc: number[] = [];
  private readonly hann = Float32Array.from({ length: WIN }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (WIN - 1)));
  private readonly re = new Float64Array(NFFT);
  private readonly im = new Float64Array(NFFT);
  private readonly loBin = Math.round((250 * NFFT) / RATE);
  private readonly hiBin = Math.round((3800 * NFFT) / RATE);
  private writePos = 0;

  push(samples: Int16Array): void {
    for (let i = 0; i < samples.length; i++) {
      this.ring[this.writePos] = samples[i] / 32768;
      this.writePos = (this.writePos + 1) % WIN;
      if (this.filled < WIN) this.filled++;
      this.sinceHop++;
      if (this.sinceHop === HOP) {
        this.sinceHop = 0;
        this.frame();
      }
    }
  }

  finish(): FrameFeatures {
    return { bandDb: Float32Array.from(this.band), flatness: Float32Array.from(this.flat), zcr: Float32Array.from(this.zc), frames: this.band.length };
  }

  private frame(): void {
    const { re, im, ring, hann } = this;
    // The window ends at the newest sample; before WIN samples arrived the head is zero padded.
    let crossings = 0;
    let prev = 0;
    let mean = 0;
    for (let i = 0; i < WIN; i++) mean += ring[i];
    mean /= WIN;
    for (let i = 0; i < NFFT; i++) {
      if (i < WIN) {
        const s = ring[(this.writePos + i) % WIN] - mean;
        re[i] = s * hann[i];
        if (i > 0 && (s >= 0) !== (prev >= 0)) crossings++;
        prev = s;
      } else re[i] = 0;
      im[i] = 0;
    }
    fft(re, im);
    let sum = 0;
    let logSum = 0;
    const n = this.hiBin - this.loBin + 1;
    for (let k = this.loBin; k <= this.hiBin; k++) {
      const p = re[k] * re[k] + im[k] * im[k] + 1e-12;
      sum += p;
      logSum += Math.log(p);
    }
    const arith = sum / n;
    // Normalise so a full-scale sine in band reads about 0 dBFS (Hann gain, one-sided spectrum).
    const power = (2 * sum) / ((WIN * 0.5) * (WIN * 0.5));
    this.band.push(10 * Math.log10(power + 1e-12));
    this.flat.push(Math.exp(logSum / n) / arith);
    this.zc.push(crossings / WIN);
  }
}

/** Adaptive noise floor per frame: a low percentile of band energy in a sliding window. */
export function noiseFloor(bandDb: Float32Array, p = VAD_PARAMS): Float32Array {
  const n = bandDb.length;
  const out = new Float32Array(n);
  if (n === 0) return out;
  // Percentiles on a 1 s grid, interpolated — exact sliding percentiles per 10 ms are wasteful.
  const step = 100;
  const half = Math.round(p.floorWindowMs / HOP_MS);
  // A monologue without pauses must not lift the floor to speech level: cap the local floor at
  // the 30th percentile + capAboveDb within ±capWindowMs (a track is rarely speech 70% of two minutes).
  // Local, not lesson-wide: a room whose fan is switched on mid-lesson gets a new floor.
  const capStep = 10 * step;
  const capHalf = Math.round(p.capWindowMs / HOP_MS);
  const caps: number[] = [];
  for (let c = 0; c < n + capStep; c += capStep) {
    const w = bandDb.slice(Math.max(0, Math.min(n - 1, c) - capHalf), Math.min(n, c + capHalf + 1)).sort();
    caps.push(w[Math.floor(0.3 * (w.length - 1))] + p.capAboveDb);
  }
  const grid: number[] = [];
  for (let c = 0; c < n; c += step) {
    const w = bandDb.slice(Math.max(0, c - half), Math.min(n, c + half + 1)).sort();
    grid.push(Math.min(caps[Math.round(c / capStep)], background(w, p)));
  }
  // The long window lags a sudden rise (a fan switched on) by seconds; the minimum over a
  // short window does not, and speech always dips between syllables within it — so the floor
  // is the higher of the two.
  const shortMin = slidingMin(bandDb, Math.round(p.shortFloorMs / HOP_MS));
  for (let i = 0; i < n; i++) {
    const g = i / step;
    const a = Math.floor(g);
    const b = Math.min(grid.length - 1, a + 1);
    const t = g - a;
    out[i] = Math.max(grid[a] * (1 - t) + grid[b] * t, shortMin[i]);
  }
  return out;
}

/**
 * The background level of a window (sorted band energies): the median of the frames between its
 * low percentile and backgroundSpanDb above it. Over a fan or hiss that sits just above the low
 * percentile; over a murmur of pupils (babble that rises and falls by ~12 dB) it is the
 * murmur's typical level, so its peaks are not taken for a pupil speaking — a pupil who
 * addresses the class stands 15–25 dB above it. Speech peaks lie above the span and do not
 * lift it.
 */
function background(sorted: Float32Array, p: typeof VAD_PARAMS): number {
  const lo = Math.floor(p.floorPercentile * (sorted.length - 1));
  const top = sorted[lo] + p.backgroundSpanDb;
  let hi = lo;
  while (hi + 1 < sorted.length && sorted[hi + 1] <= top) hi++;
  return sorted[(lo + hi) >> 1];
}

/**
 * Per frame, the higher of the minimum over the preceding `half` frames and the minimum over
 * the following `half` frames: right after a step up in noise the following window already
 * sits wholly on the new floor, while speech dips between syllables on both sides.
 */
function slidingMin(x: Float32Array, half: number): Float32Array {
  const fwd = oneSidedMin(x, half);
  const rev = oneSidedMin(Float32Array.from(x).reverse(), half).reverse();
  for (let i = 0; i < x.length; i++) fwd[i] = Math.max(fwd[i], rev[i]);
  return fwd;
}

/** out[i] = min(x[i..i+len]) with a monotonic deque, O(n). */
function oneSidedMin(x: Float32Array, len: number): Float32Array {
  const n = x.length;
  const out = new Float32Array(n);
  const dq: number[] = [];
  let head = 0;
  for (let j = n - 1; j >= 0; j--) {
    while (dq.length > head && x[dq[dq.length - 1]] >= x[j]) dq.pop();
    dq.push(j);
    while (dq[head] > j + len) head++;
    out[j] = x[dq[head]];
  }
  return out;
}

/** Frame decisions → smoothed speech segments in ms. Pure; exported for unit tests. */
export function segmentsFromFeatures(f: FrameFeatures, p = VAD_PARAMS): VoiceSegments {
  const floor = noiseFloor(f.bandDb, p);
  // A frame index i covers the window ending at sample (i+1)*HOP, so its centre lies ~WIN/2
  // before that; shift so boundaries sit where the sound is.
  const segs = smoothDecisions(frameDecisions(f, p, floor), p, FEATURE_SHIFT_MS);
  // A short segment must rise well above the background somewhere: the peaks of a murmuring
  // class reach ~10 dB above its typical level for a few hundred ms, a word spoken to the
  // class 15–25 dB. Longer segments stand on their length (a quiet far-field answer).
  const peakSnr = (a: number, b: number) => {
    let best = -Infinity;
    const to = Math.min(f.frames, Math.ceil((b + FEATURE_SHIFT_MS) / HOP_MS));
    for (let i = Math.max(0, Math.floor((a + FEATURE_SHIFT_MS) / HOP_MS)); i < to; i++) best = Math.max(best, f.bandDb[i] - floor[i]);
    return best;
  };
  return segs.filter(([a, b]) => b - a >= p.shortSegmentMs || peakSnr(a, b) >= p.shortPeakSnrDb);
}

/** How far (ms) a FeatureExtractor frame's centre lies before i*10 ms + 10 ms. */
export const FEATURE_SHIFT_MS = (WIN / 2 - HOP) / (RATE / 1000);

/** Per 10-ms frame: 1 where the band energy stands far enough above the adaptive floor. */
export function frameDecisions(f: FrameFeatures, p = VAD_PARAMS, floor = noiseFloor(f.bandDb, p)): Uint8Array {
  const n = f.frames;
  const raw = new Uint8Array(n);
  if (n === 0) return raw;
  for (let i = 0; i < n; i++) {
    const e = f.bandDb[i];
    if (e < p.absoluteFloorDb) continue;
    const snr = e - floor[i];
    if (snr >= p.strongSnrDb || (snr >= p.weakSnrDb && f.flatness[i] <= p.maxFlatness && f.zcr[i] <= p.maxZcr)) raw[i] = 1;
  }
  return raw;
}

/**
 * Per-10-ms speech decisions (of any engine) → segments in ms: onset needs k of the last m
 * frames, offset a hangover after the last speech frame, then short pauses are joined and short
 * segments dropped. `shiftMs` moves the boundaries back by how late the engine's frame centre
 * lies. Pure.
 */
export function smoothDecisions(raw: Uint8Array, p: Pick<typeof VAD_PARAMS, 'onsetFrames' | 'onsetWindow' | 'hangoverMs' | 'minPauseMs' | 'minSpeechMs'> = VAD_PARAMS, shiftMs = 0): VoiceSegments {
  const n = raw.length;
  if (n === 0) return [];
  // Onset: k of the last m frames; offset: hangover after the last speech frame.
  const hang = Math.round(p.hangoverMs / HOP_MS);
  const segs: VoiceSegments = [];
  let inSpeech = false;
  let start = 0;
  let lastSpeech = -1;
  let recent = 0;
  for (let i = 0; i < n; i++) {
    recent += raw[i];
    if (i >= p.onsetWindow) recent -= raw[i - p.onsetWindow];
    if (!inSpeech) {
      if (recent >= p.onsetFrames) {
        inSpeech = true;
        // Start at the first speech frame of the onset window.
        let s = Math.max(0, i - p.onsetWindow + 1);
        while (s < i && !raw[s]) s++;
        start = s;
        lastSpeech = i;
      }
    } else if (raw[i]) lastSpeech = i;
    else if (i - lastSpeech > hang) {
      segs.push([start, lastSpeech + 1]);
      inSpeech = false;
    }
  }
  if (inSpeech) segs.push([start, lastSpeech + 1]);
  const ms: VoiceSegments = segs.map(([a, b]) => [Math.max(0, Math.round(a * HOP_MS - shiftMs)), Math.max(0, Math.round(b * HOP_MS - shiftMs))]);
  return mergeSegments(ms, p.minPauseMs).filter(([a, b]) => b - a >= p.minSpeechMs);
}

/** Sorts and joins segments whose gap is below `minGapMs`. */
export function mergeSegments(segs: VoiceSegments, minGapMs = 0): VoiceSegments {
  const sorted = [...segs].filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: VoiceSegments = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a - last[1] < minGapMs) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}
