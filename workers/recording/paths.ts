// Where the pipeline's files live under the data folder (see docs/recording-interface).
import path from 'node:path';
import { relPath } from '../../server/contract/recordingJobs.js';

const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
const pad = (n: number) => String(n).padStart(5, '0');

export const recPaths = {
  lessonDir: (lessonId: string) => `recordings/${safe(lessonId)}`,
  out: (lessonId: string) => `recordings/${safe(lessonId)}/out`,
  trackChunk: (lessonId: string, trackId: string, seq: number) => `recordings/${safe(lessonId)}/out/tracks/${safe(trackId)}/seg-${pad(seq)}.ts`,
  trackFile: (lessonId: string, trackId: string) => `recordings/${safe(lessonId)}/out/tracks/${safe(trackId)}/track.webm`,
  windowChunk: (lessonId: string, index: number) => `recordings/${safe(lessonId)}/out/composite/win-${pad(index)}.ts`,
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
