// Room noise for synthetic lessons, each kind at unit RMS before scaling to the script's dBFS:
// fan = low-passed noise plus mains hum (50 Hz and its harmonic, as a projector or fan motor
// gives), hiss = white noise (a cheap preamp), murmur = babble of many short shuffled espeak
// snippets, some reversed and all overlapped, so it has speech's spectrum and rhythm but no
// intelligible words — it is background, never speech in the truth.
import { RATE, voicePcm, type VoiceSpec } from './speech.js';
import { biquad, gauss, msToSamples, rms, rng } from './synthDsp.js';

export type NoiseKind = 'fan' | 'murmur' | 'hiss';

/** Voices of the murmur: other pupils, none of them a room's own speaker. */
const MURMUR_VOICES: VoiceSpec[] = [
  { voice: 'cmn+f4', pitch: 70, speed: 180, text: 'cmn4' },
  { voice: 'cmn+m1', pitch: 45, speed: 170, text: 'cmn5' },
  { voice: 'cmn+f1', pitch: 60, speed: 160, text: 'cmn2' },
];

function unit(x: Float32Array): Float32Array {
  const r = rms(x) || 1;
  for (let i = 0; i < x.length; i++) x[i] /= r;
  return x;
}

function fan(n: number, r: () => number): Float32Array {
  const white = new Float32Array(n);
  for (let i = 0; i < n; i++) white[i] = gauss(r);
  const low = unit(biquad(white, 'lowpass', 350));
  const phase = r() * 2 * Math.PI;
  for (let i = 0; i < n; i++) {
    const t = (2 * Math.PI * i) / RATE;
    low[i] = 0.8 * low[i] + 0.5 * Math.sin(50 * t + phase) + 0.3 * Math.sin(100 * t + 2 * phase);
  }
  return unit(low);
}

function hiss(n: number, r: () => number): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = gauss(r);
  return x;
}

/**
 * Six overlapping streams of 120–450 ms snippets taken at random places of three voices, every
 * other one reversed: too short and too jumbled to be words. Levelled to unit RMS over 1-s
 * blocks (gain interpolated), so a short measuring window sees the scripted level.
 */
function murmur(n: number, r: () => number): Float32Array {
  const sources = MURMUR_VOICES.map((v) => voicePcm(v));
  const x = new Float32Array(n);
  for (let stream = 0; stream < 6; stream++) {
    let i = Math.floor(r() * msToSamples(300));
    while (i < n) {
      const src = sources[Math.floor(r() * sources.length)];
      const len = msToSamples(120 + r() * 330);
      const at = Math.floor(r() * (src.length - len));
      const reversed = r() < 0.5;
      const g = 0.5 + r() * 0.5;
      const fade = msToSamples(15);
      for (let k = 0; k < len && i + k < n; k++) {
        const env = Math.min(1, k / fade, (len - k) / fade);
        const s = src[reversed ? at + len - 1 - k : at + k] / 32768;
        x[i + k] += g * env * s;
      }
      i += len + msToSamples(r() * 120);
    }
  }
  const muffled = biquad(x, 'lowpass', 2000);
  const block = RATE;
  const blocks = Math.ceil(n / block);
  const gains = new Float64Array(blocks);
  for (let b = 0; b < blocks; b++) gains[b] = 1 / (rms(muffled, b * block, Math.min(n, (b + 1) * block)) || 1);
  for (let i = 0; i < n; i++) {
    const pos = i / block - 0.5;
    const b0 = Math.max(0, Math.min(blocks - 1, Math.floor(pos)));
    const b1 = Math.min(blocks - 1, b0 + 1);
    const f = Math.max(0, Math.min(1, pos - b0));
    muffled[i] *= gains[b0] * (1 - f) + gains[b1] * f;
  }
  return unit(muffled);
}

/** n samples of the given kind at `db` dBFS RMS. */
export function roomNoise(kind: NoiseKind, db: number, n: number, seed: number): Float32Array {
  const r = rng(seed);
  const x = kind === 'fan' ? fan(n, r) : kind === 'hiss' ? hiss(n, r) : murmur(n, r);
  const amp = 10 ** (db / 20);
  for (let i = 0; i < n; i++) x[i] *= amp;
  return x;
}
