// The composite's windows (MPEG-TS with continuous timestamps) joined without re-encoding
// into one MP4 for download; `+faststart` so a browser can start playing it before the end.
import type { Job } from 'bullmq';
import { compositeJob } from '../../../server/contract/recordingJobs.js';
import { resolveIn } from '../../../server/contract/recordingPaths.js';
import { runFfmpeg } from '../../recording/ffmpeg.js';
import { probeDuration } from '../../../media/process.js';
import { parseJob, progress, writeAtomically } from './common.js';

export function compositeProcessor(dataDir: string) {
  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<{ durationS: number; cpuS: number }> => {
    const data = parseJob(compositeJob, job);
    const chunks = data.chunks.map((c) => resolveIn(dataDir, c));
    const r = await writeAtomically(resolveIn(dataDir, data.output), async (tmp) => {
      const run = await runFfmpeg(
        ['-i', `concat:${chunks.join('|')}`, '-map', '0', '-c', 'copy', '-bsf:a', 'aac_adtstoasc', '-movflags', '+faststart', '-f', 'mp4', tmp],
        { signal, onProgress: progress(job) },
      );
      return { durationS: await probeDuration(tmp, signal, 'composite'), cpuS: run.cpuS };
    });
    await job.updateProgress(100);
    return r;
  };
}
