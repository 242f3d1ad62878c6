// Where a recording's files live under the data folder: what capture writes (the recorders'
// segments) and what processing writes (out/), in one place, so the recorder, the planner, the
// workers and the file routes cannot disagree. Paths are relative to the data folder (POSIX
// separators): job payloads carry them, and a worker on another machine resolves them against
// its own mount of the same storage.
//
//   recordings/<lesson>/tracks/<track>/seg-00001.webm   recorder segments (capture)
//                                      run-<n>.sdp|csv  a recorder run's SDP and segment list
//   recordings/<lesson>/out/tracks/<track>/seg-00001.ts HLS segment of a track (processing)
//                                         /track.webm   a track's segments joined
//   recordings/<lesson>/out/composite/win-00000.ts      composite windows
//   recordings/<lesson>/out/composite.mp4|thumbs.jpg|peaks.json
//
// Server and workers only: resolveIn/toRel use node:path (the client never reads files).
import path from 'node:path';
import { z } from 'zod';

/** A path inside the data folder: relative, no `..`, no odd characters. */
export const relPath = z
  .string()
  .min(1)
  .max(400)
  .regex(/^[A-Za-z0-9._\-/]+$/, 'unsafe path')
  .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'path must stay inside the data folder');

// Ids are UUIDs, which this leaves as they are; anything else cannot make a path of its own.
const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
const pad = (n: number) => String(n).padStart(5, '0');

/** The file name of an HLS chunk: a track's segment (`seg-00001.ts`) or a composite window (`win-00000.ts`), as URLs and playlists name them. */
export const chunkName = {
  segment: (seq: number) => `seg-${pad(seq)}.ts`,
  window: (index: number) => `win-${pad(index)}.ts`,
};

/** The number in a segment or window file name (`seg-00012.webm` → 12), or null if it has none. */
export function fileNumber(file: string): number | null {
  const m = /(?:seg|win)-(\d+)\./.exec(file);
  return m ? Number(m[1]) : null;
}

export const recPaths = {
  /** Every recording's folder (capture checks the free space of its file system). */
  root: () => 'recordings',
  lessonDir: (lessonId: string) => `recordings/${safe(lessonId)}`,
  /** Capture: every track's recorder folder. */
  tracksDir: (lessonId: string) => `recordings/${safe(lessonId)}/tracks`,
  /** Capture: one track's recorder folder (its segments and each run's SDP and segment list). */
  trackDir: (lessonId: string, trackId: string) => `recordings/${safe(lessonId)}/tracks/${safe(trackId)}`,
  /** Capture: a recorded segment in a track folder. */
  segment: (trackDir: string, seq: number) => `${trackDir}/seg-${pad(seq)}.webm`,
  /** Capture: the recorder's output pattern (ffmpeg's segment muxer numbers the files). */
  segmentPattern: (trackDir: string) => `${trackDir}/seg-%05d.webm`,
  runSdp: (trackDir: string, runNo: number) => `${trackDir}/run-${runNo}.sdp`,
  runList: (trackDir: string, runNo: number) => `${trackDir}/run-${runNo}.csv`,
  /** Processing: everything it writes for the lesson. */
  out: (lessonId: string) => `recordings/${safe(lessonId)}/out`,
  trackChunk: (lessonId: string, trackId: string, seq: number) => `recordings/${safe(lessonId)}/out/tracks/${safe(trackId)}/${chunkName.segment(seq)}`,
  trackFile: (lessonId: string, trackId: string) => `recordings/${safe(lessonId)}/out/tracks/${safe(trackId)}/track.webm`,
  /** Processing: a recorded audio segment's 10 ms band levels (workers/analysis/bandFeatures.ts), for attribution. */
  vadBands: (lessonId: string, trackId: string, seq: number) => `recordings/${safe(lessonId)}/out/tracks/${safe(trackId)}/bands-${pad(seq)}.tbf`,
  windowChunk: (lessonId: string, index: number) => `recordings/${safe(lessonId)}/out/composite/${chunkName.window(index)}`,
  compositeMp4: (lessonId: string) => `recordings/${safe(lessonId)}/out/composite.mp4`,
  thumbnails: (lessonId: string) => `recordings/${safe(lessonId)}/out/thumbs.jpg`,
  peaks: (lessonId: string) => `recordings/${safe(lessonId)}/out/peaks.json`,
};

/** Absolute path of a validated relative path; throws if it would leave the data folder. */
export function resolveIn(dataDir: string, rel: string): string {
  relPath.parse(rel);
  const root = path.resolve(dataDir);
  const abs = path.resolve(root, rel);
  if (!abs.startsWith(root + path.sep)) throw new Error('path leaves the data folder');
  return abs;
}

/** A recorder path (absolute under the data folder, or already relative) as a relative one. */
export function toRel(dataDir: string, p: string): string {
  if (!path.isAbsolute(p)) return p;
  const rel = path.relative(path.resolve(dataDir), p);
  if (rel.startsWith('..') || path.isAbsolute(rel)) throw new Error(`segment outside the data folder: ${p}`);
  return rel.split(path.sep).join('/');
}
