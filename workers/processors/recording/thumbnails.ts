// A sprite of thumbnails (one every `everyS` seconds) for the replay scrubber, from the
// composite's key frames only (it has one every 10 s and at every window start), so it costs little.
import type { Job } from 'bullmq';
import { thumbnailsJob } from '../../../server/contract/recordingJobs.js';
import { resolveIn } from '../../../server/contract/recordingPaths.js';
import { runFfmpeg } from '../../recording/ffmpeg.js';
import { probeDuration } from '../../../media/process.js';
import { parseJob, progress, writeAtomically } from './common.js';

export const THUMB = { w: 160, h: 90 } as const;

export interface ThumbnailsResult {
  count: number;
  columns: number;
  rows: number;
  everyS: number;
  width: number;
  height: number;
  cpuS: number;
}

export function thumbnailsProcessor(dataDir: string) {
  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<ThumbnailsResult> => {
    const data = parseJob(thumbnailsJob, job);
    const input = resolveIn(dataDir, data.input);
    const dur = await probeDuration(input, signal, 'composite');
    // One thumbnail per key frame: the composite has one exactly every `everyS` (= its GOP) seconds.
    const count = Math.max(1, Math.ceil((dur - 0.1) / data.everyS));
    const columns = Math.min(data.columns, count);
    const rows = Math.ceil(count / columns);
    const run = await writeAtomically(resolveIn(dataDir, data.output), (tmp) =>
      runFfmpeg(
        ['-skip_frame', 'nokey', '-i', input, '-an', '-vf', `scale=${THUMB.w}:${THUMB.h},tile=${columns}x${rows}`, '-fps_mode', 'passthrough',
         '-frames:v', '1', '-q:v', '5', '-f', 'image2', '-c:v', 'mjpeg', tmp],
        { signal, totalS: dur, onProgress: progress(job) },
      ),
    );
    await job.updateProgress(100);
    return { count, columns, rows, everyS: data.everyS, width: THUMB.w, height: THUMB.h, cpuS: run.cpuS };
  };
}
