// The web side's BullMQ producers: the queues it adds jobs to. The processors that take them are in
// workers/ (one per job type); both sides share only the queue names and payload schemas of the
// contract (server/contract/jobs.ts, recordingJobs.ts).
import { Queue, type ConnectionOptions } from 'bullmq';
import { bullConnection, QUEUES } from '../contract/jobs.js';
import { JOB_PRIORITY, RECORDING_QUEUES, type RecordingQueue } from '../contract/recordingJobs.js';

/** The web side's producers. */
export function createQueues(redisUrl: string, prefix?: string) {
  const connection = bullConnection(redisUrl);
  const lessonReport = new Queue(QUEUES.lessonReport, {
    connection,
    prefix,
    defaultJobOptions: { attempts: 5, backoff: { type: 'exponential', delay: 2000 }, removeOnComplete: 1000 },
  });
  const recording = createRecordingQueues(connection, prefix);
  return {
    lessonReport,
    recording,
    /** For QueueEvents on the web side (recording processing follows its jobs). */
    connection,
    prefix,
    close: () => Promise.all([lessonReport.close(), ...distinctQueues(recording).map((q) => q.close())]).then(() => undefined),
  };
}
export type Queues = ReturnType<typeof createQueues>;

export const RECORDING_JOB_DEFAULTS = {
  attempts: 3,
  backoff: { type: 'exponential' as const, delay: 3000 },
  removeOnComplete: { age: 7 * 24 * 3600 },
  removeOnFail: { age: 30 * 24 * 3600 },
};

/** Options of a job of this type as the web side adds it: its priority in its queue. */
export function jobOptions(kind: RecordingQueue, jobId: string) {
  return { jobId, priority: JOB_PRIORITY[kind] };
}

export function createRecordingQueues(connection: ConnectionOptions, prefix?: string) {
  const byName = new Map<string, Queue>();
  const make = (name: string) => {
    let q = byName.get(name);
    if (!q) {
      q = new Queue(name, { connection, prefix, defaultJobOptions: RECORDING_JOB_DEFAULTS });
      q.on('error', () => undefined); // a Redis outage: ioredis reconnects; adding a job meanwhile rejects to its caller
      byName.set(name, q);
    }
    return q;
  };
  // One entry per job type; types that share a queue share its Queue object.
  const queues = {
    trackFile: make(RECORDING_QUEUES.trackFile),
    track: make(RECORDING_QUEUES.track),
    window: make(RECORDING_QUEUES.window),
    composite: make(RECORDING_QUEUES.composite),
    thumbnails: make(RECORDING_QUEUES.thumbnails),
    peaks: make(RECORDING_QUEUES.peaks),
    vad: make(RECORDING_QUEUES.vad),
    attribution: make(RECORDING_QUEUES.attribution),
  } satisfies Record<RecordingQueue, Queue>;
  return queues;
}
export type RecordingQueues = ReturnType<typeof createRecordingQueues>;

/** Each distinct Queue once (for closing). */
export function distinctQueues(queues: RecordingQueues): Queue[] {
  return [...new Set(Object.values(queues))];
}
