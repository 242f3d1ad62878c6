// The web side of recording processing. Capture calls onSegmentClosed / onRecordingStopped;
// this queues the jobs the planner asks for (BullMQ, idempotent job ids), follows them with
// QueueEvents into recording_outputs (the workers never touch the database), queues the next
// stage when one finishes, and pushes each lesson's progress to the recordings page.
import { QueueEvents, type ConnectionOptions, type Job, type Queue } from 'bullmq';
import type { Queryable } from '../db/db.js';
import type { RecordingProgress } from '../contract/recordings.js';
import { AppError } from '../contract/errors.js';
import { logger } from '../contract/log.js';
import { jobOptions, type RecordingQueues } from '../jobs/queues.js';
import { RECORDING_QUEUE_NAMES, RECORDING_QUEUES, type AttributionResult, type RecordingQueue } from '../contract/recordingJobs.js';
import { planJobs, type LessonState } from './planner.js';
import { summarise } from './progress.js';
import {
  deleteOutput,
  getOutput,
  insertOutput,
  lessonHeads,
  listEventsOnClockOf,
  listOutputs,
  listOutputsOf,
  listSegmentsOf,
  listUnsettledLessonIds,
  markSegmentCorrupt,
  mergeVoiceActivity,
  setAttribution,
  unmarkSegmentCorrupt,
  updateOutput,
  type EventRec,
  type OutputRow,
} from './processingRepo.js';
import { getRecordings, listTracks, listTracksOf } from './repo.js';
import { KeyedSerial } from '../contract/keyedSerial.js';


const log = logger('recordings.processing');

/** How long one run of planning or progress took, and when it ended. */
interface RunCost {
  ms: number;
  endedAt: number;
}
/** The longest a lesson's planning or progress waits for its turn. */
const MAX_SPACING_MS = 5_000;
const PUSH_EVERY_MS = 300;

export interface ProcessingDeps {
  db: Queryable;
  queues: RecordingQueues;
  connection: ConnectionOptions;
  dataDir: string;
  prefix?: string;
}

export class RecordingProcessing {
  /** One lesson at a time: planning reads then writes, and two runs must not both queue. */
  private readonly serial = new KeyedSerial<string>();
  private events: QueueEvents[] = [];
  private publishers: ((p: RecordingProgress) => void)[] = [];
  private pushTimers = new Map<string, NodeJS.Timeout>();
  /** Per lesson: the planning run waiting to start, which later calls join. */
  private pendingPlans = new Map<string, Promise<void>>();
  private planCost = new Map<string, RunCost>();
  private pushCost = new Map<string, RunCost>();
  /** Spacing timers still waiting, so that close() releases them. */
  private spacers = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  constructor(private readonly deps: ProcessingDeps) {}

  /** Follows the queues and catches up with whatever happened while this process was down. */
  async start(): Promise<void> {
    for (const name of RECORDING_QUEUE_NAMES) {
      const ev = new QueueEvents(name, { connection: this.deps.connection, prefix: this.deps.prefix });
      ev.on('error', (err) => log.warn('queue events error', { queue: name, err }));
      ev.on('active', ({ jobId }) => void this.onJob(name, jobId, 'active'));
      ev.on('progress', ({ jobId, data }) => void this.onJob(name, jobId, 'progress', typeof data === 'number' ? data : undefined));
      ev.on('completed', ({ jobId }) => void this.onJob(name, jobId, 'completed'));
      ev.on('failed', ({ jobId }) => void this.onJob(name, jobId, 'failed'));
      await ev.waitUntilReady();
      this.events.push(ev);
    }
    await this.catchUp();
  }

  /** Where progress goes (the Socket.IO room of the lesson). */
  onProgress(fn: (p: RecordingProgress) => void): void {
    this.publishers.push(fn);
  }

  onSegmentClosed = (e: { lessonId: string; trackId: string; seq: number }): void => {
    void this.advance(e.lessonId).catch((err) => log.error('could not queue segment processing', { ...e, err }));
  };

  onRecordingStopped = (e: { lessonId: string }): void => {
    void this.advance(e.lessonId).catch((err) => log.error('could not queue end-of-lesson processing', { ...e, err }));
  };

  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.pushTimers.values()) clearTimeout(t);
    for (const [t, release] of this.spacers) {
      clearTimeout(t);
      release();
    }
    this.spacers.clear();
    await Promise.all(this.events.map((e) => e.close()));
  }

  /** The lesson's state as the planner and the summary read it. */
  async load(lessonId: string): Promise<LessonState | null> {
    return (await this.loadMany([lessonId])).get(lessonId) ?? null;
  }

  /** The state of many lessons in one query per table (the recordings page lists up to 200). */
  async loadMany(lessonIds: readonly string[]): Promise<Map<string, LessonState>> {
    const db = this.deps.db;
    const recs = await getRecordings(db, lessonIds);
    const ids = recs.map((r) => r.lessonId);
    const [tracks, segments, events, outputs] = await Promise.all([
      listTracksOf(db, ids),
      listSegmentsOf(db, ids),
      listEventsOnClockOf(db, new Map(recs.map((r) => [r.lessonId, r.clockZero]))),
      listOutputsOf(db, ids),
    ]);
    const of = <T extends { lessonId: string }>(rows: T[]) => groupBy(rows, (r) => r.lessonId);
    const [t, g, e, o] = [of(tracks), of(segments), of(events), of(outputs)];
    return new Map(
      recs.map((rec) => [
        rec.lessonId,
        {
          rec,
          tracks: t.get(rec.lessonId) ?? [],
          segments: (g.get(rec.lessonId) ?? []).map(({ lessonId: _, ...x }) => x),
          events: (e.get(rec.lessonId) ?? []).map(({ lessonId: _, ...x }) => x as EventRec),
          outputs: o.get(rec.lessonId) ?? [],
        },
      ]),
    );
  }

  async progress(lessonId: string): Promise<RecordingProgress | null> {
    return (await this.progressMany([lessonId]))[0] ?? null;
  }

  /** Progress of each lesson that has a recording, in the order asked. */
  async progressMany(lessonIds: readonly string[]): Promise<RecordingProgress[]> {
    const [states, heads] = await Promise.all([this.loadMany(lessonIds), lessonHeads(this.deps.db, lessonIds)]);
    return lessonIds.flatMap((id) => {
      const s = states.get(id);
      return s ? [summarise(s, heads.get(id) ?? { title: '', startedAt: null })] : [];
    });
  }

  /**
   * Queues every job the lesson needs now. Safe to call any number of times: calls made while a
   * run waits to start join it, and runs of one lesson are spaced by twice what the last one
   * cost (at most 5 s). Planning reads the whole lesson — 200 ms on an idle machine once a
   * 45-minute lesson has 3,600 segments, seconds on a saturated one — and every job event asks
   * for it; unspaced, planning alone would fill the event loop that carries the live lessons.
   */
  advance(lessonId: string): Promise<void> {
    const waiting = this.pendingPlans.get(lessonId);
    if (waiting) return waiting;
    const run = this.paced(this.planCost, lessonId).then(() =>
      this.serial.run(lessonId, async () => {
        // From here a new call plans again: it may have seen a change this run does not read.
        if (this.pendingPlans.get(lessonId) === run) this.pendingPlans.delete(lessonId);
        await this.timed(this.planCost, lessonId, async () => {
          const s = await this.load(lessonId);
          if (!s) return;
          for (const spec of planJobs(s, this.deps.dataDir)) {
            // Row first, then job: a crash in between leaves a queued row without a job, which catchUp() repairs.
            const fresh = await insertOutput(this.deps.db, { lessonId, key: spec.key, kind: spec.kind, trackId: spec.trackId, seq: spec.seq, path: spec.path });
            if (fresh) await this.queue(spec.queue).add(spec.queue, spec.data, jobOptions(spec.queue, spec.key));
          }
        });
        this.schedulePush(lessonId);
      }),
    );
    this.pendingPlans.set(lessonId, run);
    return run;
  }

  /** Waits until a lesson's next run of this kind may start (see advance). */
  private paced(costs: Map<string, RunCost>, lessonId: string): Promise<void> {
    const last = costs.get(lessonId);
    const wait = last ? Math.min(MAX_SPACING_MS, last.endedAt + 2 * last.ms - Date.now()) : 0;
    if (wait <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.spacers.delete(t);
        resolve();
      }, wait);
      this.spacers.set(t, resolve);
    });
  }

  private async timed<T>(costs: Map<string, RunCost>, lessonId: string, fn: () => Promise<T>): Promise<T> {
    const started = Date.now();
    try {
      return await fn();
    } finally {
      costs.set(lessonId, { ms: Date.now() - started, endedAt: Date.now() });
    }
  }

  private queue(q: RecordingQueue): Queue {
    return this.deps.queues[q];
  }

  private async onJob(queueName: string, jobId: string | undefined, what: 'active' | 'progress' | 'completed' | 'failed', pct?: number): Promise<void> {
    if (!jobId || this.closed) return;
    try {
      // A queue holds several job types; the job's name says which (the queue's entry of any of them finds it).
      const anyKind = (Object.keys(RECORDING_QUEUES) as RecordingQueue[]).find((k) => RECORDING_QUEUES[k] === queueName)!;
      const job = await this.queue(anyKind).getJob(jobId);
      const lessonId = (job?.data as { lessonId?: unknown } | undefined)?.lessonId;
      if (!job || typeof lessonId !== 'string' || !(job.name in RECORDING_QUEUES)) return;
      const q = job.name as RecordingQueue;
      await this.serial.run(lessonId, () => this.apply(q, job, lessonId, what, pct));
      // Only a finished job can unlock the next stage (the last voice activity unlocks attribution).
      if ((what === 'completed' || what === 'failed') && q !== 'attribution') await this.advance(lessonId);
      else this.schedulePush(lessonId);
    } catch (err) {
      if (!this.closed) log.error('could not follow a processing job', { queue: queueName, jobId, what, err });
    }
  }

  private async apply(q: RecordingQueue, job: Job, lessonId: string, what: string, pct?: number): Promise<void> {
    const { db } = this.deps;
    const key = job.id!;
    const row = await getOutput(db, lessonId, key);
    if (!row) return;
    if (what === 'active') return updateOutput(db, lessonId, key, { state: 'active', attempts: job.attemptsMade });
    if (what === 'progress') return updateOutput(db, lessonId, key, { progress: Math.max(0, Math.min(99, Math.round(pct ?? 0))) });
    if (what === 'completed') {
      if (row.state === 'done') return;
      const result = (job.returnvalue ?? {}) as Record<string, unknown>;
      if (q === 'vad' && Array.isArray(result.segments) && row.trackId) {
        const track = (await listTracks(db, lessonId)).find((t) => t.id === row.trackId);
        if (track) await mergeVoiceActivity(db, track, result.segments as [number, number][]);
      }
      if (q === 'attribution' && Array.isArray(result.tracks)) {
        await setAttribution(db, lessonId, result.tracks as AttributionResult['tracks']);
        // The row's meta keeps the cost and the leaks, not every span again.
        result.tracks = (result.tracks as AttributionResult['tracks']).map((t) => ({ trackId: t.trackId, leaks: t.leaks }));
      }
      return updateOutput(db, lessonId, key, { state: 'done', progress: 100, error: null, attempts: job.attemptsMade, meta: result });
    }
    // failed: final only when BullMQ gave up (no attempts left, or an UnrecoverableError).
    const state = await job.getState();
    const reason = job.failedReason || 'failed';
    if (state !== 'failed') return updateOutput(db, lessonId, key, { state: 'queued', attempts: job.attemptsMade, error: `attempt ${job.attemptsMade} failed: ${reason}` });
    // The full reason (ffmpeg's own error line) goes to the log; users see publicError() of it.
    log.error('processing job failed for good', { lessonId, key, kind: row.kind, trackId: row.trackId, seq: row.seq, attempts: job.attemptsMade, reason, stack: job.stacktrace?.at(-1) });
    await updateOutput(db, lessonId, key, { state: 'failed', attempts: job.attemptsMade, error: reason, meta: row.kind === 'track' ? { markedCorrupt: true } : row.meta });
    // The segment is marked, so replay shows a gap there and the composite leaves it out.
    if (row.kind === 'track' && row.trackId && row.seq != null) await markSegmentCorrupt(db, row.trackId, row.seq);
  }

  /** Queues a failed job again (after an authorised request). */
  retry(lessonId: string, key: string): Promise<void> {
    return this.serial.run(lessonId, async () => {
      const row = await getOutput(this.deps.db, lessonId, key);
      if (!row) throw new AppError('NOT_FOUND', 'no such processing job');
      if (row.state !== 'failed') throw new AppError('CONFLICT', 'only a failed job can be retried');
      const job = await this.queue(row.kind).getJob(key);
      if (job) await job.remove();
      if (row.kind === 'track' && row.trackId && row.seq != null && row.meta.markedCorrupt) {
        await unmarkSegmentCorrupt(this.deps.db, row.trackId, row.seq);
      }
      await deleteOutput(this.deps.db, lessonId, key);
    }).then(() => this.advance(lessonId));
  }

  /** After a restart: rows whose job vanished are re-queued, finished jobs are applied, then every lesson advances. */
  private async catchUp(): Promise<void> {
    const { db } = this.deps;
    for (const lessonId of await listUnsettledLessonIds(db)) {
      const open = (await listOutputs(db, lessonId)).filter((o) => o.state === 'queued' || o.state === 'active');
      for (const o of open) await this.resync(lessonId, o);
      await this.advance(lessonId);
    }
  }

  private async resync(lessonId: string, o: OutputRow): Promise<void> {
    const job = await this.queue(o.kind).getJob(o.key);
    if (!job) {
      await deleteOutput(this.deps.db, lessonId, o.key);
      return;
    }
    const state = await job.getState();
    if (state === 'completed') await this.serial.run(lessonId, () => this.apply(o.kind, job, lessonId, 'completed'));
    else if (state === 'failed') await this.serial.run(lessonId, () => this.apply(o.kind, job, lessonId, 'failed'));
  }

  /** Progress to the recordings page: at most every 300 ms, spaced like planning (it reads as much). */
  private schedulePush(lessonId: string): void {
    if (this.closed || !this.publishers.length || this.pushTimers.has(lessonId)) return;
    const last = this.pushCost.get(lessonId);
    const wait = Math.max(PUSH_EVERY_MS, last ? Math.min(MAX_SPACING_MS, last.endedAt + 2 * last.ms - Date.now()) : 0);
    this.pushTimers.set(
      lessonId,
      setTimeout(() => {
        this.pushTimers.delete(lessonId);
        void this.timed(this.pushCost, lessonId, () => this.progress(lessonId))
          .then((p) => p && this.publishers.forEach((fn) => fn(p)))
          .catch((err) => log.warn('could not push progress', { lessonId, err }));
      }, wait),
    );
  }
}

function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}
