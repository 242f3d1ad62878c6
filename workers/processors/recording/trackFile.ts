// A track's research playback as one file, after the end: its recorded segments (VP8 or Opus in
// WebM, as the recorder copied them from RTP) joined by ffmpeg's concat demuxer without
// re-encoding. It costs a copy — about a second of CPU for a 45-minute track — so playback is
// ready seconds after the lesson even when the machine is saturated and the per-segment
// transcodes (HLS) are minutes behind. Each part lasts until the next part starts on the track's
// timeline, so a gap (source gone, recorder restart, unreadable segment) stays a gap of the right
// length: browsers hold the last picture and play silence across it.
import { open, rm, writeFile } from 'node:fs/promises';
import type { Job } from 'bullmq';
import { logger } from '../../../server/contract/log.js';
import { trackFileJob } from '../../../server/contract/recordingJobs.js';
import { resolveIn } from '../../../server/contract/recordingPaths.js';
import { runFfmpeg } from '../../recording/ffmpeg.js';
import { FfmpegError } from '../../../media/process.js';
import { parseJob, writeAtomically } from './common.js';

const log = logger('workers.trackFile');
const EBML_MAGIC = Buffer.from([0x1a, 0x45, 0xdf, 0xa3]);

export interface TrackFileResult {
  durationS: number;
  parts: number;
  skipped: number;
  cpuS: number;
}

export interface Part {
  file: string;
  atMs: number;
}

/**
 * The concat demuxer's list. Paths are validated relative paths resolved under the data folder,
 * so no quote can occur in them. The recorder resets each segment's timestamps to 0, so
 * `outpoint` (file time) is the part's length too: a segment that overlaps the next (a restarted
 * recorder) is cut where the next begins instead of sending timestamps backwards.
 */
export function concatList(parts: Part[]): string {
  const lines = ['ffconcat version 1.0'];
  parts.forEach((p, i) => {
    lines.push(`file '${p.file}'`);
    const next = parts[i + 1];
    if (next) {
      const s = (Math.max(0, next.atMs - p.atMs) / 1000).toFixed(3);
      lines.push(`duration ${s}`, `outpoint ${s}`);
    }
  });
  return lines.join('\n') + '\n';
}

/** Whether a file starts like a WebM (EBML). The demuxer would stop the whole join at one that does not. */
async function looksLikeWebm(file: string): Promise<boolean> {
  const fh = await open(file, 'r').catch(() => null);
  if (!fh) return false;
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await fh.read(head, 0, 4, 0);
    return bytesRead === 4 && head.equals(EBML_MAGIC);
  } finally {
    await fh.close();
  }
}

export function trackFileProcessor(dataDir: string) {
  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<TrackFileResult> => {
    const data = parseJob(trackFileJob, job);
    const all = data.parts.map((p) => ({ file: resolveIn(dataDir, p.path), atMs: p.atMs }));
    const parts: Part[] = [];
    for (const p of all) if (await looksLikeWebm(p.file)) parts.push(p);
    const skipped = all.length - parts.length;
    if (skipped) log.warn('track file: unreadable segments left out (a gap)', { lessonId: data.lessonId, trackId: data.trackId, skipped });
    if (!parts.length) throw new FfmpegError(`track ${data.trackId} has no readable segment`, '');
    const output = resolveIn(dataDir, data.output);
    const listFile = `${output}.${process.pid}.ffconcat`;
    const r = await writeAtomically(output, async (tmp) => {
      await writeFile(listFile, concatList(parts));
      try {
        return await runFfmpeg(
          [
            '-f', 'concat', '-safe', '0', '-i', listFile,
            '-map', '0', '-c', 'copy',
            ...(parts[0].atMs > 0 ? ['-output_ts_offset', String(parts[0].atMs / 1000)] : []),
            '-f', 'webm', tmp,
          ],
          { signal, role: 'playback' },
        );
      } finally {
        await rm(listFile, { force: true });
      }
    });
    // The demuxer ends the join quietly at a part it cannot read past its header: the file must
    // reach the last part, or it is not the track.
    const endS = r.outTimeS ?? 0;
    const lastS = parts[parts.length - 1].atMs / 1000;
    if (endS < lastS - 0.5) {
      await rm(output, { force: true });
      throw new FfmpegError(`track ${data.trackId}: the joined file ends at ${endS.toFixed(1)} s, before its last segment (${lastS.toFixed(1)} s)`, r.stderr.slice(-2000));
    }
    await job.updateProgress(100);
    return { durationS: Math.round(endS * 1000) / 1000, parts: parts.length, skipped, cpuS: r.cpuS };
  };
}
