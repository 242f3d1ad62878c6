// Silero's decisions gated by level: speech where Silero says speech AND the short-term
// speech-band energy stands `gateDb` above the room's own noise level. Why: Silero answers
// "does this sound like speech", which murmur of a class (babble) also does; what makes the
// room's talker is that they are louder than the room. The noise level is the median band
// energy of the frames Silero itself calls non-speech (p < noiseProb) around each moment
// (±floorWindowMs, on a 1-s grid, like vad.ts's floor) — the median, not a low percentile,
// because babble is a level, not a floor with speech on top — and where Silero leaves too
// few such frames, vad.ts's adaptive floor with a larger margin. Two more bounds: within
// belowSpeechDb of the loudest talker around, and above an absolute minimum level.
// Parameters and their reasons: GATE_PARAMS; measured in tests/bench/vad-compare.ts.
import { noiseFloor, VAD_PARAMS, type FrameFeatures } from '../vad.js';
import { EnergyClassifier } from './energy.js';
import type { FrameClassifier, FrameDecisions } from './engine.js';
import { SileroClassifier, type SileroModel } from './silero.js';

export const GATE_PARAMS = {
  /** Speech-band energy, averaged over this many ms, must exceed the noise level by gateDb. */
  smoothMs: 100,
  gateDb: 3,
  /** Frames below this Silero probability tell the room's noise level. */
  noiseProb: 0.5,
  floorWindowMs: 8_000,
  /**
   * With fewer non-speech frames than this in the window, vad.ts's floor stands in, and the
   * level must clear it by fallbackGateDb: Silero calls murmur of a class speech throughout when
   * no talker is near (it hears nothing louder), but murmur of many voices never dips to the
   * floor between syllables the way one talker does (its 1-s spread is ~10 dB, a talker's 20–30).
   */
  minNoiseFrames: 100,
  fallbackGateDb: 12,
  /** …which also stands in where the floor is more than staleDb above that median. */
  staleDb: 3,
  /**
   * Nothing quieter than this (speech-band level, dBFS) is a talker at this microphone: a far
   * pupil's syllables read −45…−30 (15 dB under a near talker's −30…−15); murmur of a class
   * at −55 dBFS, which Silero may still take for speech, reads under −50.
   */
  minLevelDb: -50,
  /**
   * …and it must be within belowSpeechDb of the room's talker: the speechPercentile of the
   * level over Silero's speech frames within ±speechWindowMs. Murmur far below the teacher is
   * not the room speaking, even where Silero finds no non-speech frames to measure it by.
   */
  belowSpeechDb: 18,
  speechPercentile: 0.9,
  speechWindowMs: 30_000,
};

export class GatedSileroClassifier implements FrameClassifier {
  readonly name: string;
  private readonly energy = new EnergyClassifier();
  private readonly silero: SileroClassifier;

  constructor(
    model: SileroModel = 'v5',
    private readonly params = GATE_PARAMS,
  ) {
    this.silero = new SileroClassifier(model);
    this.name = `silero-${model}+gate`;
  }

  async push(pcm: Int16Array): Promise<void> {
    this.energy.push(pcm);
    await this.silero.push(pcm);
  }

  async finish(): Promise<FrameDecisions> {
    this.energy.finish();
    const s = await this.silero.finish();
    return { speech: gate(this.energy.features(), s, this.params), prob: s.prob, shiftMs: 0 };
  }
}

/** Pure: Silero's speech frames that pass the level gate. */
export function gate(f: FrameFeatures, s: FrameDecisions, p = GATE_PARAMS): Uint8Array {
  const n = Math.min(f.frames, s.speech.length);
  const out = new Uint8Array(s.speech.length);
  if (n === 0) return out;
  const prob = s.prob!;
  const level = smoothedDb(f.bandDb, Math.max(1, Math.round(p.smoothMs / 10)));
  const fallback = noiseFloor(f.bandDb, VAD_PARAMS);
  const step = 100;
  const half = Math.round(p.floorWindowMs / 10);
  const grid: number[] = [];
  for (let c = 0; c < n; c += step) {
    const vals: number[] = [];
    for (let i = Math.max(0, c - half); i < Math.min(n, c + half + 1); i++) if (prob[i] < p.noiseProb) vals.push(f.bandDb[i]);
    if (vals.length < p.minNoiseFrames) grid.push(NaN);
    else {
      vals.sort((a, b) => a - b);
      grid.push(vals[vals.length >> 1]);
    }
  }
  const talker: number[] = [];
  const halfTalk = Math.round(p.speechWindowMs / 10);
  for (let c = 0; c < n; c += step) {
    const vals: number[] = [];
    for (let i = Math.max(0, c - halfTalk); i < Math.min(n, c + halfTalk + 1); i++) if (s.speech[i]) vals.push(level[i]);
    if (!vals.length) talker.push(-Infinity);
    else {
      vals.sort((a, b) => a - b);
      talker.push(vals[Math.floor(p.speechPercentile * (vals.length - 1))]);
    }
  }
  for (let i = 0; i < n; i++) {
    if (!s.speech[i]) continue;
    const k = Math.min(grid.length - 1, Math.round(i / step));
    // The non-speech frames' level is stale when the floor here already stands above it: the
    // noise stepped up (murmur swelling, a fan switched on) and Silero calls the louder noise
    // speech, so only frames from before the step were left to measure it by.
    const fresh = !Number.isNaN(grid[k]) && fallback[i] <= grid[k] + p.staleDb;
    const above = fresh ? level[i] - grid[k] - p.gateDb : level[i] - fallback[i] - p.fallbackGateDb;
    if (above >= 0 && level[i] >= p.minLevelDb && level[i] >= talker[k] - p.belowSpeechDb) out[i] = 1;
  }
  return out;
}

/** Centred moving average of the band power, back in dB. */
function smoothedDb(db: Float32Array, len: number): Float32Array {
  const n = db.length;
  const pow = Float64Array.from(db, (d) => 10 ** (d / 10));
  const out = new Float32Array(n);
  const h = len >> 1;
  let sum = 0;
  let lo = 0;
  let hi = -1;
  for (let i = 0; i < n; i++) {
    const a = Math.max(0, i - h);
    const b = Math.min(n - 1, i + h);
    while (hi < b) sum += pow[++hi];
    while (lo < a) sum -= pow[lo++];
    out[i] = 10 * Math.log10(Math.max(1e-12, sum / (hi - lo + 1)));
  }
  return out;
}

/**
 * The other way round, for the comparison: our energy detector's frames, kept only where Silero
 * also hears speech within ±confirmMs (Silero confirms; its 32-ms windows and its own onset
 * lag would otherwise clip the energy detector's sharper boundaries).
 */
export class ConfirmedEnergyClassifier implements FrameClassifier {
  readonly name = 'energy+silero-v5';
  private readonly energy = new EnergyClassifier();
  private readonly silero = new SileroClassifier('v5');

  constructor(private readonly confirmMs = 100) {}

  async push(pcm: Int16Array): Promise<void> {
    this.energy.push(pcm);
    await this.silero.push(pcm);
  }

  async finish(): Promise<FrameDecisions> {
    const e = this.energy.finish();
    const s = await this.silero.finish();
    const r = Math.round(this.confirmMs / 10);
    const near = new Uint8Array(s.speech.length);
    // Dilate Silero's speech by ±r frames (a running count over the window).
    let count = 0;
    for (let i = 0; i < s.speech.length + r; i++) {
      if (i < s.speech.length) count += s.speech[i];
      if (i - 2 * r - 1 >= 0) count -= s.speech[i - 2 * r - 1];
      if (i - r >= 0 && i - r < near.length) near[i - r] = count > 0 ? 1 : 0;
    }
    const speech = e.speech.map((v, i) => (v && near[i] ? 1 : 0));
    return { speech, shiftMs: e.shiftMs };
  }
}
