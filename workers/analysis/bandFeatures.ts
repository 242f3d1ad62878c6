// Per-10 ms band levels of one audio track: what cross-track attribution (attribution.ts)
// compares between tracks. The voice-activity job computes them from the same decode as its
// speech decision (vad.ts's onPcm) and writes them beside the segment, one file per segment.
//
// Why bands and not a single level: a leaked copy of another room's speech has that speech's
// spectral shape moment by moment (coloured by the loudspeaker and the echo canceller, but
// consistently), so per band the victim's level follows the source's at a fixed offset; a
// pupil speaking over it breaks that in the bands their voice fills. 16 bands on a mel-like
// scale from 200 to 4000 Hz resolve a child's and an adult's formants; more would cost without
// telling the two apart better at 10 ms.
//
// File format (little-endian): "TBF2", u16 frameMs, u16 bands, u32 frames, then frames × bands
// bytes, each a level in half-dB steps: byte = round(2 · (dB + 128)), 0 = −128 dBFS or below;
// then frames × 3 bytes of the detector's own features (vad.ts FrameFeatures: speech-band
// level in the same half-dB steps, spectral flatness × 255, zero-crossing rate × 255), so that
// after the lesson the detector decides again over the whole track (trackVoice.ts) instead of
// within one 4-second recorded segment. A 45-minute track is 5.1 MB.
import { fft } from './fft.js';

export const BAND_FRAME_MS = 10;
export const BANDS = 16;
const RATE = 16_000;
const HOP = 160;
const WIN = 400;
const NFFT = 512;
const MAGIC = 'TBF2';
/** Bytes per frame of the detector's features after the bands. */
export const VAD_BYTES = 3;
const HEADER = 12;

/** Band edges in Hz: equally spaced on the mel scale between 200 and 4000 Hz. */
export function bandEdges(bands = BANDS, lo = 200, hi = 4000): number[] {
  const mel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const inv = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const a = mel(lo);
  const b = mel(hi);
  return Array.from({ length: bands + 1 }, (_, i) => inv(a + ((b - a) * i) / bands));
}

/** dB ↔ the stored byte. */
export const toByte = (db: number) => Math.max(0, Math.min(255, Math.round(2 * (db + 128))));
export const fromByte = (b: number) => b / 2 - 128;

/** Streams 16 kHz PCM into band levels; holds only the last 25 ms of samples. */
export class BandFeatureExtractor {
  private ring = new Float32Array(WIN);
  private writePos = 0;
  private sinceHop = 0;
  private out: Uint8Array = new Uint8Array(BANDS * 6000);
  private frames = 0;
  private readonly hann = Float32Array.from({ length: WIN }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (WIN - 1)));
  private readonly re = new Float64Array(NFFT);
  private readonly im = new Float64Array(NFFT);
  /** FFT bin range [from, to) of each band. */
  private readonly bins: Array<[number, number]>;

  constructor() {
    const edges = bandEdges();
    this.bins = edges.slice(0, -1).map((f, i) => {
      const from = Math.round((f * NFFT) / RATE);
      return [from, Math.max(from + 1, Math.round((edges[i + 1] * NFFT) / RATE))];
    });
  }

  push(samples: Int16Array): void {
    for (let i = 0; i < samples.length; i++) {
      this.ring[this.writePos] = samples[i] / 32768;
      this.writePos = (this.writePos + 1) % WIN;
      if (++this.sinceHop === HOP) {
        this.sinceHop = 0;
        this.frame();
      }
    }
  }

  /** The levels so far: frames × BANDS bytes. */
  finish(): { frames: number; levels: Uint8Array } {
    return { frames: this.frames, levels: this.out.slice(0, this.frames * BANDS) };
  }

  private frame(): void {
    const { re, im, ring, hann } = this;
    for (let i = 0; i < NFFT; i++) {
      re[i] = i < WIN ? ring[(this.writePos + i) % WIN] * hann[i] : 0;
      im[i] = 0;
    }
    fft(re, im);
    if ((this.frames + 1) * BANDS > this.out.length) {
      const grown = new Uint8Array(this.out.length * 2);
      grown.set(this.out);
      this.out = grown;
    }
    // Scaled as vad.ts scales its band energy: a full-scale sine reads about 0 dBFS.
    const norm = 2 / ((WIN * 0.5) * (WIN * 0.5));
    const base = this.frames * BANDS;
    for (let b = 0; b < BANDS; b++) {
      const [from, to] = this.bins[b];
      let sum = 0;
      for (let k = from; k < to; k++) sum += re[k] * re[k] + im[k] * im[k];
      this.out[base + b] = toByte(10 * Math.log10(sum * norm + 1e-13));
    }
    this.frames++;
  }
}

export interface BandFile {
  frames: number;
  /** frames × BANDS band levels. */
  levels: Uint8Array;
  /** frames × VAD_BYTES detector features (speech-band level, flatness, zero-crossing rate). */
  vad: Uint8Array;
}

/** The detector's features as stored (see the file format above). */
export function packVadFeatures(f: { bandDb: Float32Array; flatness: Float32Array; zcr: Float32Array }, frames: number): Uint8Array {
  const out = new Uint8Array(frames * VAD_BYTES);
  for (let i = 0; i < frames; i++) {
    out[i * 3] = toByte(f.bandDb[i] ?? -128);
    out[i * 3 + 1] = Math.max(0, Math.min(255, Math.round((f.flatness[i] ?? 1) * 255)));
    out[i * 3 + 2] = Math.max(0, Math.min(255, Math.round((f.zcr[i] ?? 0) * 255)));
  }
  return out;
}

export function unpackVadFeatures(vad: Uint8Array, frames: number): { bandDb: Float32Array; flatness: Float32Array; zcr: Float32Array; frames: number } {
  const bandDb = new Float32Array(frames);
  const flatness = new Float32Array(frames);
  const zcr = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    bandDb[i] = fromByte(vad[i * 3]);
    flatness[i] = vad[i * 3 + 1] / 255;
    zcr[i] = vad[i * 3 + 2] / 255;
  }
  return { bandDb, flatness, zcr, frames };
}

export function encodeBandFile(f: BandFile): Buffer {
  const head = Buffer.alloc(HEADER);
  head.write(MAGIC, 0, 'latin1');
  head.writeUInt16LE(BAND_FRAME_MS, 4);
  head.writeUInt16LE(BANDS, 6);
  head.writeUInt32LE(f.frames, 8);
  return Buffer.concat([head, Buffer.from(f.levels.buffer, f.levels.byteOffset, f.frames * BANDS), Buffer.from(f.vad.buffer, f.vad.byteOffset, f.frames * VAD_BYTES)]);
}

export class BandFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BandFileError';
  }
}

/** Parses a band file; refuses anything that is not exactly what encodeBandFile wrote. */
export function decodeBandFile(buf: Buffer): BandFile {
  if (buf.length < HEADER || buf.toString('latin1', 0, 4) !== MAGIC) throw new BandFileError('not a band feature file');
  if (buf.readUInt16LE(4) !== BAND_FRAME_MS || buf.readUInt16LE(6) !== BANDS) throw new BandFileError('band file of another layout');
  const frames = buf.readUInt32LE(8);
  if (buf.length !== HEADER + frames * (BANDS + VAD_BYTES)) throw new BandFileError('band file truncated');
  return {
    frames,
    levels: new Uint8Array(buf.buffer, buf.byteOffset + HEADER, frames * BANDS),
    vad: new Uint8Array(buf.buffer, buf.byteOffset + HEADER + frames * BANDS, frames * VAD_BYTES),
  };
}
