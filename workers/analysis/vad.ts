// Voice-activity detection for one audio file (a recorded track or segment). ffmpeg decodes to
// 16 kHz mono PCM on stdout; we never hold the whole signal, only a few numbers per 10 ms frame.
//
// Why this design: classroom microphones sit on very different noise floors (a quiet urban
// studio vs. a rural room with fans and 50 pupils), so a fixed energy threshold either misses
// the quiet teacher or calls the room noise speech. Per frame we measure the speech-band
// (250–3800 Hz) energy, its spectral flatness (voiced speech is harmonic → low flatness; hiss,
// fans and murmur are flat) and the zero-crossing rate, and compare the energy against a noise
// floor that adapts over time (a low percentile over a sliding ±8 s window, capped so a long
// monologue cannot raise the floor to speech level). Hangover and minimum durations turn the
// frame decisions into segments a researcher would draw by hand.
import { startMediaProcess } from '../../media/process.js';

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
  floorWindowMs: 8_000,
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
};

/**
 * Speech segments [startMs, endMs] (relative to the file start, sorted, non-overlapping) of the
 * first audio stream of `file`. Rejects with VadError if ffmpeg cannot decode it; honours
 * `signal` by killing ffmpeg.
 */
export async function detectVoiceActivity(file: string, opts: VadOptions = {}): Promise<VoiceSegments> {
  const feats = await decodeFeatures(file, opts.signal, opts.nice ?? 0);
  return segmentsFromFeatures(feats);
}

export interface FrameFeatures {
  /** Speech-band energy per frame, dBFS. */
  bandDb: Float32Array;
  flatness: Float32Array;
  zcr: Float32Array;
  frames: number;
}

async function decodeFeatures(file: string, signal: AbortSignal | undefined, nice: number): Promise<FrameFeatures> {
  if (signal?.aborted) throw new VadError('cancelled');
  const args = ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-map', '0:a:0', '-ac', '1', '-ar', String(RATE), '-f', 's16le', 'pipe:1'];
  const extractor = new FeatureExtractor();
  let carry: Buffer | null = null;
  const onStdout = (chunk: Buffer) => {
    let buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    const even = buf.length - (buf.length % 2);
    carry = even < buf.length ? buf.subarray(even) : null;
    buf = buf.subarray(0, even);
    const samples = new Int16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
    extractor.push(samples);
  };
  const x = await startMediaProcess('ffmpeg', args, { role: 'analysis', nice, signal, onStdout, keepStderr: 4000 }).exited;
  if (x.cancelled) throw new VadError('cancelled');
  if (x.spawnError) throw new VadError(`cannot run ffmpeg: ${x.spawnError.message}`);
  if (x.code !== 0) {
    const line = x.stderr.trim().split('\n').pop() ?? '';
    throw new VadError(`cannot decode ${file}: ${line || `ffmpeg exit ${x.code}`}`);
  }
  return extractor.finish();
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

/** In-place iterative radix-2 FFT. */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        const nr = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = nr;
      }
    }
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
  const sortedAll = Float32Array.from(bandDb).sort();
  // A monologue without pauses must not lift the floor to speech level: cap the local floor at
  // the lesson-wide 30th percentile + 6 dB (a track is rarely speech 70% of the time).
  const cap = sortedAll[Math.floor(0.3 * (n - 1))] + 6;
  const grid: number[] = [];
  for (let c = 0; c < n; c += step) {
    const w = bandDb.slice(Math.max(0, c - half), Math.min(n, c + half + 1)).sort();
    grid.push(Math.min(cap, w[Math.floor(p.floorPercentile * (w.length - 1))]));
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
  const n = f.frames;
  if (n === 0) return [];
  const floor = noiseFloor(f.bandDb, p);
  const raw = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const e = f.bandDb[i];
    if (e < p.absoluteFloorDb) continue;
    const snr = e - floor[i];
    if (snr >= p.strongSnrDb || (snr >= p.weakSnrDb && f.flatness[i] <= p.maxFlatness && f.zcr[i] <= p.maxZcr)) raw[i] = 1;
  }
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
  // Frame index → ms. A frame index i covers the window ending at sample (i+1)*HOP, so its
  // centre lies ~WIN/2 before that; shift so boundaries sit where the sound is.
  const shift = (WIN / 2 - HOP) / (RATE / 1000);
  const ms: VoiceSegments = segs.map(([a, b]) => [Math.max(0, Math.round(a * HOP_MS - shift)), Math.max(0, Math.round(b * HOP_MS - shift))]);
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
