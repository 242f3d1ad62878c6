// Small signal-processing pieces for the synthetic-lesson generator (lessonSynth.ts): a seeded
// random source, RBJ biquads, a short room reverb and a fractional delay read. All pure on
// Float32Array (new arrays out), so a rendered lesson depends on its script and seed only.
import { RATE } from './speech.js';

/** mulberry32: small, fast, seedable; the same seed gives the same lesson on every machine. */
export function rng(seed: number): () => number {
  let a = seed >>> 0 || 1;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed for one purpose of one room, so adding a room does not reshuffle the others. */
export function subSeed(seed: number, ...parts: number[]): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const p of parts) h = Math.imul(h ^ (p + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  return (h ^ (h >>> 13)) >>> 0;
}

/** Noise sample of unit RMS: the sum of two uniforms (triangular, √6 scaled) — noise-like enough and half the cost of four. */
export function gauss(r: () => number): number {
  return (r() + r() - 1) * Math.sqrt(6);
}

export type BiquadKind = 'lowpass' | 'highpass' | 'bandpass';

/** RBJ cookbook biquad, direct form I. */
export function biquad(x: Float32Array, kind: BiquadKind, f0: number, q = Math.SQRT1_2): Float32Array {
  const w = (2 * Math.PI * f0) / RATE;
  const cos = Math.cos(w);
  const alpha = Math.sin(w) / (2 * q);
  let b0: number, b1: number, b2: number;
  if (kind === 'lowpass') [b0, b1, b2] = [(1 - cos) / 2, 1 - cos, (1 - cos) / 2];
  else if (kind === 'highpass') [b0, b1, b2] = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2];
  else [b0, b1, b2] = [alpha, 0, -alpha];
  const a0 = 1 + alpha;
  const a1 = -2 * cos;
  const a2 = 1 - alpha;
  const y = new Float32Array(x.length);
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = (b0 * x[i] + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2) / a0;
    x2 = x1; x1 = x[i]; y2 = y1; y1 = v;
    y[i] = v;
  }
  return y;
}

/**
 * "A little reverb" for a far-field pupil: a few early reflections (7–31 ms, as walls and desks
 * of a classroom give) plus one damped feedback comb for a ~0.3 s tail at about −12 dB.
 */
export function smallRoom(x: Float32Array): Float32Array {
  const taps: Array<[number, number]> = [[7, 0.45], [13, 0.3], [19, 0.25], [31, 0.18]];
  const y = Float32Array.from(x);
  for (const [ms, g] of taps) {
    const d = Math.round((ms * RATE) / 1000);
    for (let i = d; i < x.length; i++) y[i] += g * x[i - d];
  }
  const d = Math.round((43 * RATE) / 1000);
  const comb = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) comb[i] = 0.12 * x[i] + (i >= d ? 0.55 * comb[i - d] : 0);
  for (let i = 0; i < x.length; i++) y[i] += comb[i];
  return y;
}

/** x at fractional sample position p, linear interpolation; 0 outside the signal. */
export function readAt(x: Float32Array, p: number): number {
  const i = Math.floor(p);
  if (i < 0 || i + 1 >= x.length) return 0;
  const f = p - i;
  return x[i] * (1 - f) + x[i + 1] * f;
}

export function rms(x: ArrayLike<number>, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return to > from ? Math.sqrt(s / (to - from)) : 0;
}

export const msToSamples = (ms: number): number => Math.round((ms * RATE) / 1000);
export const dbToGain = (db: number): number => 10 ** (db / 20);
