// A track's voice activity decided once over the whole track, after the lesson, from the
// detector's features that every segment's VAD job stored (bandFeatures.ts). Why again: the
// recorder cuts a track into 4-second segments, and within one segment the detector's adaptive
// noise floor has only those 4 seconds to learn the room from — a segment of continuous speech
// has no pause to show the floor, and each segment's first frames lose their onset. Over the
// whole track the floor sees ±8 s of the room on either side of every moment, across
// segment boundaries. The per-segment results stay what the live lesson and a lesson still
// being processed show.
import { segmentsFromFeatures, type VoiceSegments } from './vad.js';
import { BAND_FRAME_MS, unpackVadFeatures, VAD_BYTES } from './bandFeatures.js';

export interface TrackPart {
  /** Where the part starts on the lesson clock. */
  startMs: number;
  frames: number;
  vad: Uint8Array;
}

/**
 * Speech spans on the lesson clock. The parts are joined in time order as one signal (a gap
 * between them — a recorder restart — is left out of the signal, so it cannot drag the floor
 * to digital silence); each span is then put back onto the clock frame by frame.
 */
export function wholeTrackVoice(parts: TrackPart[]): VoiceSegments {
  const sorted = [...parts].sort((a, b) => a.startMs - b.startMs);
  const total = sorted.reduce((n, q) => n + q.frames, 0);
  const vad = new Uint8Array(total * VAD_BYTES);
  const clockMs = new Float64Array(total + 1);
  let at = 0;
  for (const q of sorted) {
    vad.set(q.vad.subarray(0, q.frames * VAD_BYTES), at * VAD_BYTES);
    for (let i = 0; i < q.frames; i++) clockMs[at + i] = q.startMs + i * BAND_FRAME_MS;
    at += q.frames;
  }
  clockMs[total] = total ? clockMs[total - 1] + BAND_FRAME_MS : 0;
  const joined = segmentsFromFeatures(unpackVadFeatures(vad, total));
  // Joined-signal ms → frame → lesson clock; a span crossing a gap is cut at it.
  const out: VoiceSegments = [];
  const toClock = (ms: number) => {
    const f = Math.max(0, Math.min(total, Math.round(ms / BAND_FRAME_MS)));
    return { f, ms: clockMs[f] };
  };
  for (const [a, b] of joined) {
    const s = toClock(a);
    const e = toClock(b);
    let from = s.ms;
    for (let f = s.f + 1; f < e.f; f++) {
      if (clockMs[f] - clockMs[f - 1] > BAND_FRAME_MS * 1.5) {
        out.push([Math.round(from), Math.round(clockMs[f - 1] + BAND_FRAME_MS)]);
        from = clockMs[f];
      }
    }
    out.push([Math.round(from), Math.round(e.ms)]);
  }
  return out.filter(([x, y]) => y > x);
}
