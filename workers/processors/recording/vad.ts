// Voice activity of one audio segment (the research helper's detector), shifted onto the
// lesson clock. The web side merges each segment's result into voice_activity.
import type { Job } from 'bullmq';
import { vadJob } from '../../../server/contract/recordingJobs.js';
import { resolveIn } from '../../../server/contract/recordingPaths.js';
import { parseJob } from './common.js';
import { detectVoiceActivity } from '../../analysis/vad.js';
import { ANALYSIS_NICE } from '../../../media/process.js';

export interface VadResult {
  trackId: string;
  seq: number;
  /** [startMs, endMs] on the lesson clock. */
  segments: [number, number][];
}

export function vadProcessor(dataDir: string) {
  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<VadResult> => {
    const data = parseJob(vadJob, job);
    const found = await detectVoiceActivity(resolveIn(dataDir, data.input), { signal, nice: ANALYSIS_NICE });
    await job.updateProgress(100);
    return {
      trackId: data.trackId,
      seq: data.seq,
      segments: found.map(([a, b]) => [Math.round(a + data.startMs), Math.round(b + data.startMs)] as [number, number]),
    };
  };
}
