// Voice activity of one audio segment (the research helper's detector), shifted onto the
// lesson clock, and the segment's 10 ms band levels for cross-track attribution — both from
// one decode. The web side merges each segment's result into voice_activity.
import { writeFile } from 'node:fs/promises';
import type { Job } from 'bullmq';
import { vadJob } from '../../../server/contract/recordingJobs.js';
import { resolveIn } from '../../../server/contract/recordingPaths.js';
import { parseJob, writeAtomically } from './common.js';
import { detectVoiceActivity, FeatureExtractor } from '../../analysis/vad.js';
import { BandFeatureExtractor, encodeBandFile, packVadFeatures } from '../../analysis/bandFeatures.js';
import { ANALYSIS_NICE } from '../../../media/process.js';

export interface VadResult {
  trackId: string;
  seq: number;
  /** [startMs, endMs] on the lesson clock. */
  segments: [number, number][];
  /** The band file written (relative to the data folder), and its frames. */
  bands?: string;
  frames?: number;
}

export function vadProcessor(dataDir: string) {
  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<VadResult> => {
    const data = parseJob(vadJob, job);
    // The band levels for attribution and the detector's own features, so that after the
    // lesson it decides again over the whole track (workers/analysis/trackVoice.ts).
    const bands = data.bands ? new BandFeatureExtractor() : null;
    const feats = data.bands ? new FeatureExtractor() : null;
    const onPcm = bands && feats ? (s: Int16Array) => (bands.push(s), feats.push(s)) : undefined;
    const found = await detectVoiceActivity(resolveIn(dataDir, data.input), { signal, nice: ANALYSIS_NICE, onPcm });
    let written: Pick<VadResult, 'bands' | 'frames'> = {};
    if (bands && feats && data.bands) {
      const { frames, levels } = bands.finish();
      const vad = packVadFeatures(feats.finish(), frames);
      await writeAtomically(resolveIn(dataDir, data.bands), (tmp) => writeFile(tmp, encodeBandFile({ frames, levels, vad })));
      written = { bands: data.bands, frames };
    }
    await job.updateProgress(100);
    return {
      trackId: data.trackId,
      seq: data.seq,
      segments: found.map(([a, b]) => [Math.round(a + data.startMs), Math.round(b + data.startMs)] as [number, number]),
      ...written,
    };
  };
}
