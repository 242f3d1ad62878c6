// Audio peaks of the composite's mix for the replay waveform: the largest absolute sample
// per 1/perSecond s, 0..1 with two decimals, as JSON.
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { Job } from 'bullmq';
import { peaksJob } from '../../../server/contract/recordingJobs.js';
import { resolveIn } from '../../../server/contract/recordingPaths.js';
import { runFfmpeg } from '../../recording/ffmpeg.js';
import { parseJob, progress, writeAtomically } from './common.js';

const RATE = 4000;

export function peaksProcessor(dataDir: string) {
  return async (job: Job, _token?: string, signal?: AbortSignal): Promise<{ count: number; cpuS: number }> => {
    const data = parseJob(peaksJob, job);
    const input = resolveIn(dataDir, data.input);
    const out = resolveIn(dataDir, data.output);
    const raw = `${out}.${process.pid}.raw`;
    try {
      const run = await runFfmpeg(['-i', input, '-vn', '-ac', '1', '-ar', String(RATE), '-f', 's16le', '-c:a', 'pcm_s16le', raw], {
        signal,
        onProgress: progress(job),
      });
      const buf = await readFile(raw);
      const per = Math.floor(RATE / data.perSecond);
      const samples = buf.length >> 1;
      const peaks: number[] = [];
      for (let s = 0; s < samples; s += per) {
        let max = 0;
        const end = Math.min(samples, s + per);
        for (let j = s; j < end; j++) max = Math.max(max, Math.abs(buf.readInt16LE(j * 2)));
        peaks.push(Math.round((max / 32768) * 100) / 100);
      }
      await writeAtomically(out, (tmp) => writeFile(tmp, JSON.stringify({ perSecond: data.perSecond, peaks })));
      await job.updateProgress(100);
      return { count: peaks.length, cpuS: run.cpuS };
    } finally {
      await rm(raw, { force: true });
    }
  };
}
