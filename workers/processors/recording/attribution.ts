// After the end: who really spoke in each room, from every audio track of the lesson together
// (workers/analysis/attribution.ts). Reads the segments' band files, places them on the lesson
// clock and returns per track the attributed speech, the unsure spans and the leaks found.
import { readFile } from 'node:fs/promises';
import { UnrecoverableError, type Job } from 'bullmq';
import { attributionJob, type AttributionResult } from '../../../server/contract/recordingJobs.js';
import { resolveIn } from '../../../server/contract/recordingPaths.js';
import { parseJob } from './common.js';
import { attribute, placeOnClock, type AttributionTrack } from '../../analysis/attribution.js';
import { BandFileError, decodeBandFile } from '../../analysis/bandFeatures.js';
import { wholeTrackVoice } from '../../analysis/trackVoice.js';


export function attributionProcessor(dataDir: string) {
  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<AttributionResult> => {
    const data = parseJob(attributionJob, job);
    const tracks: AttributionTrack[] = [];
    for (const t of data.tracks) {
      const parts = [];
      for (const part of t.parts) {
        if (signal?.aborted) throw new Error('cancelled');
        try {
          parts.push({ startMs: part.startMs, ...decodeBandFile(await readFile(resolveIn(dataDir, part.bands))) });
        } catch (err) {
          // A damaged band file will not mend on retry; a missing one (storage not mounted yet) may.
          if (err instanceof BandFileError) throw new UnrecoverableError(`band file ${part.bands}: ${err.message}`);
          throw err;
        }
      }
      // The detector decides again over the whole track (trackVoice.ts): the raw activity the
      // attribution starts from, and what voice_activity keeps as raw from now on.
      tracks.push({ trackId: t.trackId, raw: wholeTrackVoice(parts), ...placeOnClock(parts) });
    }
    await job.updateProgress(30);
    const t0 = performance.now();
    const result = attribute(tracks).map((r, i) => ({ ...r, raw: tracks[i].raw }));
    await job.updateProgress(100);
    return { tracks: result, computeMs: Math.round(performance.now() - t0) };
  };
}
