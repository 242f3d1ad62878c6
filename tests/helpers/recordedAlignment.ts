// Where a room's rendered audio landed on the lesson clock, measured from the recording: the
// truth of a scripted lesson is the script, but a sender starts (and Chromium's fake capture
// opens its file) at a moment the test does not control to the millisecond. One global offset
// per track is fitted by correlating the rendered signal's level with the recorded track's
// level on the lesson clock; a recording that dropped or shifted audio mid-track still shows
// it as errors, since only the one offset is fitted.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Queryable } from '../../server/db/db.js';
import { BANDS, BandFeatureExtractor, decodeBandFile, fromByte } from '../../workers/analysis/bandFeatures.js';
import { placeOnClock } from '../../workers/analysis/attribution.js';

/** Broadband level per 10 ms frame (dB) from band bytes. */
function broadband(levels: Uint8Array, frames: number): Float32Array {
  const out = new Float32Array(frames);
  for (let i = 0; i < frames; i++) {
    let p = 0;
    for (let b = 0; b < BANDS; b++) {
      const v = levels[i * BANDS + b];
      if (v) p += 10 ** (fromByte(v) / 10);
    }
    out[i] = p > 0 ? 10 * Math.log10(p) : -128;
  }
  return out;
}

/** A recorded audio track's band levels on the lesson clock, from its VAD jobs' band files. */
export async function recordedLevels(db: Queryable, dataDir: string, lessonId: string, trackId: string): Promise<{ frames: number; levels: Uint8Array }> {
  const rows = await db.query<{ meta: unknown; start_ms: number }>(
    `select o.meta, s.start_ms from recording_outputs o join recording_segments s on s.track_id = o.track_id and s.seq = o.seq
      where o.lesson_id = $1 and o.track_id = $2 and o.kind = 'vad' and o.state = 'done' order by o.seq`,
    [lessonId, trackId],
  );
  const parts = [];
  for (const r of rows) {
    const meta = (typeof r.meta === 'string' ? JSON.parse(r.meta) : r.meta) as { bands?: string };
    if (!meta.bands) continue;
    parts.push({ startMs: Number(r.start_ms), ...decodeBandFile(await readFile(path.join(dataDir, meta.bands))) });
  }
  return placeOnClock(parts);
}

/**
 * The lesson-clock time (ms) of the rendered track's first sample, searched within
 * [minMs, maxMs]: the lag with the highest correlation of the two level envelopes.
 */
export function alignOffsetMs(rendered: Int16Array, recorded: { frames: number; levels: Uint8Array }, minMs = 0, maxMs = 20_000): number {
  const ex = new BandFeatureExtractor();
  ex.push(rendered);
  const src = ex.finish();
  const x = broadband(src.levels, src.frames);
  const y = broadband(recorded.levels, recorded.frames);
  // Levels below −70 dB are clipped: the recording's silence before a track starts is digital
  // zero (−128), which would dominate the correlation.
  const clip = (v: Float32Array) => v.map((d) => Math.max(-70, d));
  const xs = clip(x);
  const ys = clip(y);
  let best = { lag: minMs / 10, r: -Infinity };
  for (let lag = Math.round(minMs / 10); lag <= Math.round(maxMs / 10); lag++) {
    const n = Math.min(xs.length, ys.length - lag);
    if (n < 500) break;
    let sx = 0;
    let sy = 0;
    let sxx = 0;
    let syy = 0;
    let sxy = 0;
    for (let i = 0; i < n; i++) {
      const a = xs[i];
      const b = ys[i + lag];
      sx += a;
      sy += b;
      sxx += a * a;
      syy += b * b;
      sxy += a * b;
    }
    const r = (sxy - (sx * sy) / n) / Math.sqrt(Math.max(1e-9, (sxx - (sx * sx) / n) * (syy - (sy * sy) / n)));
    if (r > best.r) best = { lag, r };
  }
  if (best.r < 0.5) throw new Error(`rendered audio not found in the recording (best correlation ${best.r.toFixed(2)})`);
  return best.lag * 10;
}
