// Cross-track attribution: who actually spoke, using all of a lesson's microphones together.
//
// In a synchronous lesson every microphone also hears other rooms: the projector's speakers
// play the teacher into each rural classroom (echo cancellation leaves a residue ~20–30 dB
// down, 50–400 ms late), and the city room's speakers play the on-stage classroom into the
// teacher's microphone. Each track's own voice activity (vad.ts) fires on that residue.
//
// The method, per ordered pair of tracks (source s → victim v), on 10 ms band levels
// (bandFeatures.ts) on the lesson clock:
// 1. Leak path. Every second, over a 4-second window, the victim's level above its noise
//    floor is correlated with the source's, delayed by every lag of 0–600 ms. The best lag
//    is a leak path when the correlation is high (≥ minCorrelation) AND the victim is much
//    quieter than the source there (median level difference ≤ maxGainDb): a copy is always
//    quieter than its original, so the level decides the direction — two rooms really talking
//    to each other correlate weakly, and the louder one is never explained by the quieter.
//    Per band, the median level difference gives the path's colouring (loudspeaker, echo
//    canceller). Windows where the path cannot be measured (the victim's own speech over it,
//    the source silent) take the nearest measured path within holdMs; the lag is median-
//    filtered, because the delay drifts slowly while single estimates can jump.
// 2. Residual. In every frame where the victim's detector fired and some source's predicted
//    copy (source level, delayed, plus the path's per-band gain and a slack for the residue's
//    wobble) reaches above the victim's floor, the frame is decided again: the victim's power
//    left after removing the predicted copy, against its noise floor, must reach ownSnrDb for
//    the frame to be the victim's own speech. A pupil answering while the teacher still talks
//    keeps their speech (their voice fills bands the copy does not explain); the teacher's
//    residue alone does not.
// 3. The kept frames are smoothed like the detector's (short bursts dropped, short gaps
//    joined) and never extend beyond the raw voice activity: attribution only removes.
// Frames decided within uncertainDb of the threshold, or on a held (unmeasured) path, are
// reported as uncertain: the S-T samples resting on them carry a lower confidence.
//
// Cost: one pass per ordered pair over the blocks where the victim spoke; for a 45-minute
// 4-track lesson about a second of CPU (tests/bench/analysis-accuracy.ts).
import { BANDS, BAND_FRAME_MS } from './bandFeatures.js';
import type { Span } from '../../server/contract/analysis/timeline.js';
import type { TrackLeak } from '../../server/contract/research.js';
import type { TrackAttribution } from '../../server/contract/recordingJobs.js';

export const ATTRIBUTION_PARAMS = {
  /** Lag search: 0 … maxLagMs (the issue asks for at least 0–500 ms; playout adds jitter). */
  maxLagMs: 600,
  /** Path estimates are made every blockMs over a window of ± windowMs around the block. */
  blockMs: 1000,
  windowMs: 1500,
  /** The source must have spoken this long inside the window for a path to be measured. */
  minSourceSpeechMs: 800,
  minCorrelation: 0.55,
  /** A copy lies at least this far below its source (the residues are −20…−30 dB). */
  maxGainDb: -8,
  /** A measured path is used up to this far from where it was measured. */
  holdMs: 20_000,
  /** Added to the predicted copy: the residue's level wobbles by a few dB. */
  slackDb: 4,
  /** ± frames around the predicted lag taken as the copy (the delay drifts within a window). */
  lagSpreadFrames: 3,
  /** A frame with a copy in it stays the victim's own speech when what is left is this far above its floor. */
  ownSnrDb: 7,
  /** Decisions within this of ownSnrDb are uncertain. */
  uncertainDb: 3,
  /** Noise floor: from this percentile of each band within ± floorWindowMs (frames with audio only), see below. */
  floorPercentile: 0.1,
  floorWindowMs: 6000,
  backgroundSpanDb: 12,
  /** Smoothing of the kept frames (as the detector's own). */
  minSpeechMs: 150,
  minPauseMs: 300,
};
export type AttributionParams = typeof ATTRIBUTION_PARAMS;

export interface AttributionTrack {
  trackId: string;
  /** Band levels on the lesson clock (frame 0 = clock zero), frames × BANDS bytes; 0 where there is no audio. */
  levels: Uint8Array;
  frames: number;
  /** The detector's voice activity on the lesson clock (ms). */
  raw: Span[];
}


/** Linear power of each stored byte (half-dB steps from −128 dBFS). */
const POW = Float64Array.from({ length: 256 }, (_, b) => (b === 0 ? 0 : 10 ** ((b / 2 - 128) / 10)));
const db = (p: number) => (p > 0 ? 10 * Math.log10(p) : -128);

interface Prepared {
  id: string;
  n: number;
  levels: Uint8Array;
  /** Broadband level, dB. */
  level: Float32Array;
  /** Per-frame band floors (bytes) and broadband floor (dB), from a 1-s grid. */
  bandFloor: Uint8Array;
  floor: Float32Array;
  /** Level above the floor, dB (0 where below). */
  above: Float32Array;
  raw: Uint8Array;
  has: Uint8Array;
}

interface Path {
  lag: number;
  gain: number;
  /** Per-band gain, dB. */
  bandGain: Float32Array;
  measured: boolean;
}

/** Attributes every track's raw voice activity; tracks without any detected speech stay empty. */
export function attribute(tracks: AttributionTrack[], p: AttributionParams = ATTRIBUTION_PARAMS): TrackAttribution[] {
  const n = Math.max(0, ...tracks.map((t) => t.frames));
  const prep = tracks.map((t) => prepare(t, n, p));
  const blocks = Math.ceil(n / frames(p.blockMs));
  // paths[v][s][block]
  const paths = prep.map((v, vi) => prep.map((s, si) => (vi === si ? null : estimatePaths(v, s, blocks, p))));
  return prep.map((v, vi) => decide(v, tracks[vi].raw, prep, paths[vi], p));
}

const frames = (ms: number) => Math.round(ms / BAND_FRAME_MS);

function prepare(t: AttributionTrack, n: number, p: AttributionParams): Prepared {
  const levels = new Uint8Array(n * BANDS);
  levels.set(t.levels.subarray(0, Math.min(t.levels.length, n * BANDS)));
  const level = new Float32Array(n);
  const has = new Uint8Array(n);
  const bb = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let any = 0;
    for (let b = 0; b < BANDS; b++) {
      const v = levels[i * BANDS + b];
      sum += POW[v];
      any |= v;
    }
    has[i] = any ? 1 : 0;
    level[i] = db(sum);
    bb[i] = any ? Math.max(1, Math.min(255, Math.round(2 * (level[i] + 128)))) : 0;
  }
  const bandFloor = new Uint8Array(n * BANDS);
  const floor = new Float32Array(n);
  const grid = frames(1000);
  const half = frames(p.floorWindowMs);
  const points = Math.ceil(n / grid) + 1;
  // One sliding 256-bin histogram per band and one for the broadband level: exact percentiles
  // of bytes at every grid point for O(frames) updates.
  const series: Array<(i: number) => number> = [...Array.from({ length: BANDS }, (_, b) => (i: number) => levels[i * BANDS + b]), (i: number) => bb[i]];
  const gridFloors = series.map((get) => {
    const hist = new Uint32Array(256);
    let count = 0;
    let lo = 0;
    let hi = 0; // window [lo, hi)
    const out = new Uint8Array(points);
    for (let g = 0; g < points; g++) {
      const c = g * grid;
      const a = Math.max(0, c - half);
      const z = Math.min(n, c + half);
      for (; hi < z; hi++) {
        if (!has[hi]) continue;
        hist[get(hi)]++;
        count++;
      }
      for (; lo < a; lo++) {
        if (!has[lo]) continue;
        hist[get(lo)]--;
        count--;
      }
      if (!count) continue;
      // The background, as the detector takes it (vad.ts background()): the median of the
      // frames between the low percentile and backgroundSpanDb above it — a murmuring class's
      // typical level, not the dips between its voices.
      const want = Math.floor(p.floorPercentile * (count - 1));
      let acc = 0;
      let low = 0;
      for (let v = 0; v < 256; v++) {
        acc += hist[v];
        if (acc > want) {
          low = v;
          break;
        }
      }
      const top = Math.min(255, low + 2 * p.backgroundSpanDb);
      let inSpan = 0;
      for (let v = low; v <= top; v++) inSpan += hist[v];
      let seen = 0;
      for (let v = low; v <= top; v++) {
        seen += hist[v];
        if (seen * 2 >= inSpan) {
          out[g] = v;
          break;
        }
      }
    }
    return out;
  });
  for (let i = 0; i < n; i++) {
    const g = Math.floor(i / grid);
    const t1 = i / grid - g;
    for (let b = 0; b < BANDS; b++) {
      const f = gridFloors[b];
      bandFloor[i * BANDS + b] = Math.round(f[g] * (1 - t1) + f[Math.min(points - 1, g + 1)] * t1);
    }
    const f = gridFloors[BANDS];
    const fb = f[g] * (1 - t1) + f[Math.min(points - 1, g + 1)] * t1;
    floor[i] = fb / 2 - 128;
  }
  const above = new Float32Array(n);
  for (let i = 0; i < n; i++) above[i] = has[i] ? Math.max(0, level[i] - floor[i]) : 0;
  const raw = new Uint8Array(n);
  for (const [a, b] of t.raw) for (let i = Math.max(0, Math.floor(a / BAND_FRAME_MS)); i < Math.min(n, Math.ceil(b / BAND_FRAME_MS)); i++) raw[i] = 1;
  return { id: t.trackId, n, levels, level, bandFloor, floor, above, raw, has };
}

/** The source → victim leak path in every block (null where none was measured or held). */
function estimatePaths(v: Prepared, s: Prepared, blocks: number, p: AttributionParams): Array<Path | null> {
  const B = frames(p.blockMs);
  const W = frames(p.windowMs);
  const maxLag = frames(p.maxLagMs);
  const minSrc = frames(p.minSourceSpeechMs);
  const n = v.n;
  const measured: Array<Path | null> = new Array(blocks).fill(null);
  // Prefix sums of raw speech for O(1) "how much spoke in this range".
  const vRaw = prefix(v.raw);
  const sRaw = prefix(s.raw);
  for (let k = 0; k < blocks; k++) {
    const b0 = k * B;
    const b1 = Math.min(n, b0 + B);
    // Only blocks where the victim's detector fired need a path — and their neighbours, so a
    // held path exists next to them: widen by the hold distance is too costly; one block each side.
    const near0 = Math.max(0, b0 - B);
    const near1 = Math.min(n, b1 + B);
    if (vRaw[near1] - vRaw[near0] === 0) continue;
    const w0 = Math.max(maxLag, b0 - W);
    const w1 = Math.min(n, b1 + W);
    if (w1 - w0 < B) continue;
    if (sRaw[w1] - sRaw[Math.max(0, w0 - maxLag)] < minSrc) continue;
    const best = bestLag(v.above, s.above, w0, w1, maxLag);
    if (!best || best.r < p.minCorrelation) continue;
    const path = gains(v, s, w0, w1, best.lag);
    if (!path || path.gain > p.maxGainDb) continue;
    measured[k] = { ...path, lag: best.lag, measured: true };
  }
  // The lag drifts slowly: a median over the measured neighbours rejects single jumps.
  const lags = measured.map((m, k) => {
    if (!m) return 0;
    const near: number[] = [];
    for (let j = Math.max(0, k - 3); j <= Math.min(blocks - 1, k + 3); j++) if (measured[j]) near.push(measured[j]!.lag);
    return median(near);
  });
  measured.forEach((m, k) => m && (m.lag = lags[k]));
  // Hold: blocks without a measurement take the nearest measured path within holdMs.
  const hold = Math.round(p.holdMs / p.blockMs);
  const out: Array<Path | null> = new Array(blocks).fill(null);
  let last = -Infinity;
  const next = new Int32Array(blocks).fill(-1);
  for (let k = blocks - 1, nx = -1; k >= 0; k--) {
    if (measured[k]) nx = k;
    next[k] = nx;
  }
  for (let k = 0; k < blocks; k++) {
    if (measured[k]) {
      out[k] = measured[k];
      last = k;
      continue;
    }
    const nx = next[k];
    const dPrev = k - last;
    const dNext = nx >= 0 ? nx - k : Infinity;
    const from = dPrev <= dNext ? last : nx;
    if (Math.min(dPrev, dNext) <= hold && from >= 0) out[k] = { ...measured[from]!, measured: false };
  }
  return out;
}

function prefix(x: Uint8Array): Int32Array {
  const out = new Int32Array(x.length + 1);
  for (let i = 0; i < x.length; i++) out[i + 1] = out[i] + x[i];
  return out;
}

/** Pearson correlation of victim[t] with source[t − lag] over t in [w0, w1), best lag. */
function bestLag(x: Float32Array, y: Float32Array, w0: number, w1: number, maxLag: number): { lag: number; r: number } | null {
  const m = w1 - w0;
  let sx = 0;
  let sxx = 0;
  for (let t = w0; t < w1; t++) {
    sx += x[t];
    sxx += x[t] * x[t];
  }
  const vx = sxx - (sx * sx) / m;
  if (vx <= 1e-6) return null;
  let best: { lag: number; r: number } | null = null;
  for (let lag = 0; lag <= maxLag; lag++) {
    let sy = 0;
    let syy = 0;
    let sxy = 0;
    for (let t = w0; t < w1; t++) {
      const yv = y[t - lag];
      sy += yv;
      syy += yv * yv;
      sxy += x[t] * yv;
    }
    const vy = syy - (sy * sy) / m;
    if (vy <= 1e-6) continue;
    const r = (sxy - (sx * sy) / m) / Math.sqrt(vx * vy);
    if (!best || r > best.r) best = { lag, r };
  }
  return best;
}

/** Level of the victim relative to the delayed source where the source clearly spoke. */
function gains(v: Prepared, s: Prepared, w0: number, w1: number, lag: number): Omit<Path, 'lag' | 'measured'> | null {
  const broad: number[] = [];
  const perBand: number[][] = Array.from({ length: BANDS }, () => []);
  for (let t = w0; t < w1; t++) {
    const u = t - lag;
    // The source well above its floor and the victim showing something above its own.
    if (!s.raw[u] || s.above[u] < 15 || v.above[t] < 3) continue;
    broad.push(v.level[t] - s.level[u]);
    for (let b = 0; b < BANDS; b++) {
      const vb = v.levels[t * BANDS + b];
      if (vb >= v.bandFloor[t * BANDS + b] + 6) perBand[b].push((vb - s.levels[u * BANDS + b]) / 2);
    }
  }
  if (broad.length < 20) return null;
  const gain = median(broad);
  return { gain, bandGain: Float32Array.from(perBand, (d) => (d.length >= 20 ? median(d) : gain)) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : 0;
}

function decide(v: Prepared, rawSpans: Span[], all: Prepared[], paths: Array<Array<Path | null> | null>, p: AttributionParams): TrackAttribution {
  const n = v.n;
  const B = frames(p.blockMs);
  const spread = p.lagSpreadFrames;
  const keep = new Uint8Array(n);
  const unsure = new Uint8Array(n);
  const removedBy = new Map<number, number>();
  const slack = 10 ** (p.slackDb / 10);
  const pred = new Float64Array(BANDS);
  for (let t = 0; t < n; t++) {
    if (!v.raw[t]) continue;
    const k = Math.floor(t / B);
    pred.fill(0);
    let dominant = -1;
    let dominantPow = 0;
    let held = false;
    for (let si = 0; si < all.length; si++) {
      const path = paths[si]?.[k];
      if (!path) continue;
      const s = all[si];
      let total = 0;
      for (let b = 0; b < BANDS; b++) {
        // The copy at this frame: the loudest of the source's frames around the path's lag
        // (the delay drifts inside a block), shifted by the band's gain.
        let mx = 0;
        for (let d = -spread; d <= spread; d++) {
          const u = t - path.lag + d;
          if (u >= 0 && u < n) mx = Math.max(mx, POW[s.levels[u * BANDS + b]]);
        }
        const c = mx * 10 ** (path.bandGain[b] / 10) * slack;
        pred[b] = Math.max(pred[b], c);
        total += c;
      }
      if (total > dominantPow) {
        dominantPow = total;
        dominant = si;
        held = !path.measured;
      }
    }
    let floorPow = 0;
    let predTotal = 0;
    for (let b = 0; b < BANDS; b++) {
      floorPow += POW[v.bandFloor[t * BANDS + b]];
      predTotal += pred[b];
    }
    // No leak path here: the detector's decision stands (its hangover bridges word gaps).
    if (dominant < 0) {
      keep[t] = 1;
      continue;
    }
    // A path but no copy above the floor at this frame (a gap between the source's words):
    // the frame's own level decides below, so the detector's hangover over a leaked phrase
    // does not survive as the victim's speech.
    let residual = 0;
    for (let b = 0; b < BANDS; b++) residual += Math.max(0, POW[v.levels[t * BANDS + b]] - pred[b] - POW[v.bandFloor[t * BANDS + b]]);
    const snr = db(residual) - db(floorPow);
    if (snr >= p.ownSnrDb) keep[t] = 1;
    else removedBy.set(dominant, (removedBy.get(dominant) ?? 0) + 1);
    // Unsure: close to the threshold with a copy present, or on a path held from elsewhere.
    const copy = predTotal >= floorPow * 2;
    if (copy && (Math.abs(snr - p.ownSnrDb) < p.uncertainDb || held)) unsure[t] = 1;
  }
  // On the frame grid a kept span can overhang the raw span by a few ms: clip to it exactly.
  const attributed = intersect(smooth(keep, v.raw, p), rawSpans).filter(([a, b]) => b - a >= p.minSpeechMs);
  const leaks: TrackLeak[] = [];
  paths.forEach((ps, si) => {
    const m = (ps ?? []).filter((x): x is Path => !!x && x.measured);
    if (!m.length) return;
    leaks.push({
      fromTrackId: all[si].id,
      gainDb: Math.round(median(m.map((x) => x.gain)) * 10) / 10,
      lagMs: median(m.map((x) => x.lag)) * BAND_FRAME_MS,
      removedMs: (removedBy.get(si) ?? 0) * BAND_FRAME_MS,
    });
  });
  const uncertain = spansOf(unsure).filter(([a, b]) => b - a >= 100);
  return { trackId: v.id, attributed, uncertain, leaks };
}

/** Kept frames → spans: gaps under minPauseMs joined (within the raw activity), bursts under minSpeechMs dropped. */
function smooth(keep: Uint8Array, raw: Uint8Array, p: AttributionParams): Span[] {
  const gap = frames(p.minPauseMs);
  const out: Span[] = [];
  for (const [a, b] of spansOf(keep)) {
    const last = out[out.length - 1];
    if (last && a - last[1] < gap * BAND_FRAME_MS && rawCovers(raw, last[1], a)) last[1] = b;
    else out.push([a, b]);
  }
  return out.filter(([a, b]) => b - a >= p.minSpeechMs);
}

/** Intersection of two sorted lists of disjoint spans. */
function intersect(a: Span[], b: Span[]): Span[] {
  const out: Span[] = [];
  for (let i = 0, j = 0; i < a.length && j < b.length; ) {
    const lo = Math.max(a[i][0], b[j][0]);
    const hi = Math.min(a[i][1], b[j][1]);
    if (hi > lo) out.push([lo, hi]);
    if (a[i][1] < b[j][1]) i++;
    else j++;
  }
  return out;
}

function rawCovers(raw: Uint8Array, fromMs: number, toMs: number): boolean {
  for (let i = fromMs / BAND_FRAME_MS; i < toMs / BAND_FRAME_MS; i++) if (!raw[i]) return false;
  return true;
}

function spansOf(mask: Uint8Array): Span[] {
  const out: Span[] = [];
  let start = -1;
  for (let i = 0; i <= mask.length; i++) {
    const on = i < mask.length && mask[i] === 1;
    if (on && start < 0) start = i;
    else if (!on && start >= 0) {
      out.push([start * BAND_FRAME_MS, i * BAND_FRAME_MS]);
      start = -1;
    }
  }
  return out;
}

/** A track's per-segment band files placed on the lesson clock (later parts win where they overlap). */
export function placeOnClock(parts: Array<{ startMs: number; frames: number; levels: Uint8Array }>): { frames: number; levels: Uint8Array } {
  const total = Math.max(0, ...parts.map((q) => Math.floor(q.startMs / BAND_FRAME_MS) + q.frames));
  const levels = new Uint8Array(total * BANDS);
  for (const q of [...parts].sort((a, b) => a.startMs - b.startMs)) levels.set(q.levels.subarray(0, q.frames * BANDS), Math.floor(q.startMs / BAND_FRAME_MS) * BANDS);
  return { frames: total, levels };
}
