// BullMQ processors, one per job type. They touch only Redis and the storage folder, never
// the database, so they can run on other machines pointed at the same Redis and storage.
import { Worker } from 'bullmq';
import { bullConnection, QUEUES } from '../server/contract/jobs.js';
import { lessonReportProcessor } from './processors/lessonReport.js';
import { startRecordingWorkers } from './recording/workers.js';
import { logger } from '../server/contract/log.js';

const log = logger('workers');

export interface WorkerHandle {
  close(): Promise<void>;
}

export async function startWorkers(opts: { redisUrl: string; dataDir: string; prefix?: string; lockMs?: number; stalledCheckMs?: number }): Promise<WorkerHandle> {
  const connection = bullConnection(opts.redisUrl);
  const workers = [
    new Worker(QUEUES.lessonReport, lessonReportProcessor(opts.dataDir), { connection, prefix: opts.prefix, concurrency: 2 }),
  ];
  const recording = await startRecordingWorkers(connection, opts.redisUrl, {
    dataDir: opts.dataDir,
    prefix: opts.prefix,
    lockMs: opts.lockMs,
    stalledCheckMs: opts.stalledCheckMs,
  });
  workers.push(...recording.workers);
  for (const w of workers) {
    w.on('failed', (job, err) => log.warn('job failed', { queue: w.name, jobId: job?.id, err }));
    await w.waitUntilReady();
  }
  return {
    async close() {
      // close() waits for running jobs to finish; their locks would otherwise stall them.
      await Promise.all([recording.close(), ...workers.map((w) => w.close())]);
    },
  };
}
