// The common shape of every voice-activity engine compared in docs/research.md ("Voice activity:
// which detector and why"): a streaming classifier over 16 kHz mono Int16 PCM that ends with one
// speech decision per 10-ms frame (frame k = [10k, 10k+10) ms, less `shiftMs`), so that the same
// smoothing (vad.ts's onset, hangover and minimum durations) turns any engine into segments.
import { smoothDecisions, VAD_PARAMS, type VoiceSegments } from '../vad.js';

export const RATE = 16_000;
export const FRAME_MS = 10;
export const FRAME = 160;

export interface FrameDecisions {
  /** 1 = speech, per 10-ms frame. */
  speech: Uint8Array;
  /** The engine's speech probability per 10-ms frame, where it has one (models). */
  prob?: Float32Array;
  /** How late (ms) the engine's frame k lies behind k·10 ms; the smoothing shifts it back. */
  shiftMs: number;
}

export interface FrameClassifier {
  readonly name: string;
  /**
   * The next block of PCM, in order, any length. A model engine returns a promise: the caller
   * awaits it before the next block (ffmpeg's stdout is paused meanwhile), so memory stays
   * bounded by one block whatever the track's length.
   */
  push(pcm: Int16Array): void | Promise<void>;
  /** After the last block: the per-frame decisions. Only a few bytes per frame are kept. */
  finish(): FrameDecisions | Promise<FrameDecisions>;
}

/** Any engine's decisions → segments [startMs, endMs], with vad.ts's smoothing. */
export function segmentsOf(d: FrameDecisions, p = VAD_PARAMS): VoiceSegments {
  return smoothDecisions(d.speech, p, d.shiftMs);
}

/** A growable typed array: per-frame values of a track whose length is not known in advance. */
export class FrameSeries {
  private buf = new Float32Array(4096);
  length = 0;
  push(v: number): void {
    if (this.length === this.buf.length) {
      const next = new Float32Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = v;
  }
  values(): Float32Array {
    return this.buf.slice(0, this.length);
  }
}
