// The recording pipeline's BullMQ Workers (one processor per job type) and the web side's
// Queues for them. Retries with exponential backoff; a worker killed mid-job leaves its job
// locked until the lock expires, then another worker takes it (stalled-job recovery).
import { UnrecoverableError, Worker, type ConnectionOptions, type Job, type Processor } from 'bullmq';
import { Redis } from 'ioredis';
import { cancelChannel, RECORDING_QUEUE_NAMES, RECORDING_QUEUES, type RecordingQueue } from '../../server/contract/recordingJobs.js';
import { logger } from '../../server/contract/log.js';
import { trackProcessor } from '../processors/recording/track.js';
import { trackFileProcessor } from '../processors/recording/trackFile.js';
import { windowProcessor } from '../processors/recording/window.js';
import { compositeProcessor } from '../processors/recording/composite.js';
import { thumbnailsProcessor } from '../processors/recording/thumbnails.js';
import { peaksProcessor } from '../processors/recording/peaks.js';
import { vadProcessor } from '../processors/recording/vad.js';
import { attributionProcessor } from '../processors/recording/attribution.js';

export interface RecordingWorkerOptions {
  dataDir: string;
  prefix?: string;
  /** How long a job's lock lasts without renewal: a killed worker's job is retaken after about this. */
  lockMs?: number;
  /** How often workers look for stalled jobs. */
  stalledCheckMs?: number;
}

/** A cancelled job does not come back: cancellation is a decision, not a fault. */
function honouringCancel(p: Processor): Processor {
  return async (job: Job, token?: string, signal?: AbortSignal) => {
    try {
      return await p(job, token, signal);
    } catch (err) {
      if (signal?.aborted) throw new UnrecoverableError(`cancelled${signal.reason ? `: ${String(signal.reason)}` : ''}`);
      throw err;
    }
  };
}

const log = logger('workers.recording');

export async function startRecordingWorkers(connection: ConnectionOptions, redisUrl: string, opts: RecordingWorkerOptions) {
  const processors: Record<RecordingQueue, Processor> = {
    trackFile: trackFileProcessor(opts.dataDir),
    track: trackProcessor(opts.dataDir),
    window: windowProcessor(opts.dataDir),
    composite: compositeProcessor(opts.dataDir),
    thumbnails: thumbnailsProcessor(opts.dataDir),
    peaks: peaksProcessor(opts.dataDir),
    vad: vadProcessor(opts.dataDir),
    attribution: attributionProcessor(opts.dataDir),
  };
  const lockDuration = opts.lockMs ?? 30_000;
  const stalledInterval = opts.stalledCheckMs ?? 15_000;
  const workers = RECORDING_QUEUE_NAMES.map((name) => {
    const kinds = (Object.keys(RECORDING_QUEUES) as RecordingQueue[]).filter((k) => RECORDING_QUEUES[k] === name);
    // A queue holds several job types: the job's name says which processor it is for.
    const dispatch: Processor = (job, token, signal) => {
      const kind = job.name as RecordingQueue;
      if (!kinds.includes(kind)) throw new UnrecoverableError(`no processor for a ${job.name} job in ${name}`);
      return processors[kind](job, token, signal);
    };
    return new Worker(name, honouringCancel(dispatch), {
      connection,
      prefix: opts.prefix,
      // ffmpeg uses the cores itself; few jobs at once keep a live lesson's SFU on the same
      // machine responsive. Segments are short and mostly waiting on process start-up under
      // load, so two run at once: the last segments of every track are done seconds after the
      // end. The composite path shares two more, taken by priority (JOB_PRIORITY); analysis one.
      concurrency: name === RECORDING_QUEUES.vad ? 1 : 2,
      lockDuration,
      stalledInterval,
      maxStalledCount: 2,
    });
  });
  // A Redis outage is reported once per worker until it reconnects (ioredis retries by itself).
  for (const w of workers) {
    let down = false;
    w.on('error', (err) => {
      if (!down) log.warn('worker lost Redis; retrying', { queue: w.name, err: err.message });
      down = true;
    });
    w.on('ready', () => (down = false));
  }
  // Cancellation from any process (the web side, another worker): a message on a channel.
  const sub = new Redis(redisUrl, { maxRetriesPerRequest: null, lazyConnect: true });
  sub.on('error', () => undefined); // reconnects by itself; BullMQ logs the outage
  await sub.connect();
  await sub.subscribe(cancelChannel(opts.prefix));
  sub.on('message', (_channel, message: string) => {
    const [queue, jobId, reason] = message.split('|');
    for (const w of workers) if (w.name === queue && jobId) w.cancelJob(jobId, reason || 'cancelled');
  });
  return {
    workers,
    async close() {
      sub.disconnect();
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}
