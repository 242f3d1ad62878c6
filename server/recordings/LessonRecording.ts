// The recording of one lesson: one track per (owner, classroom, source), each written by a
// succession of recorder runs (a run per producer; a new run after a recorder crash, a
// reconnection, a media worker restart or a pause). Between runs of a track lies a gap.
// A child of its live lesson (LiveLesson → LessonRecording → RecorderRun): it sees the lesson
// only through its RecordingHost port, owns its state (recording / paused / stopped and why),
// and changes it only through its own pause(), resume(), stop() and close().
import { EventEmitter } from 'node:events';
import { randomUUID } from 'node:crypto';
import { rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { types } from 'mediasoup';
import type { RecordingStatus } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import type { Db } from '../db/db.js';
import type { ProducerMeta } from '../../media/MediaPeer.js';
import { recordLessonEvent } from '../lessons/repo.js';
import type { LessonEventPayload, LessonEventType } from '../contract/lessonEvents.js';
import { logger } from '../contract/log.js';
import type { PortPool } from './ports.js';
import { RecorderRun, salvage, type SegmentInfo } from './RecorderRun.js';
import type { RecordingHost } from './RecordingHost.js';
import { recorderWatchdogRestarts } from './captureMetrics.js';
import * as repo from './repo.js';
import { recPaths } from '../contract/recordingPaths.js';
import { backoffDelay } from '../contract/backoff.js';

const log = logger('recordings.lesson');

const SOURCE_LABEL = { camera: '摄像头', mic: '麦克风', screen: '屏幕' } as const;

/** What the product shows of a recording's state (status_message; never read back to decide anything). */
export const STATUS_TEXT = {
  diskFull: '磁盘空间不足，录制已停止（课堂照常进行）',
  consent: (names: string[]) => `本课堂不录制：学校未同意（${names.join('、')}）`,
};

export type GapReason =
  | 'recorder-died'
  | 'source-gone'
  | 'source-stalled'
  | 'paused'
  | 'disk-full'
  | 'producer-paused'
  | 'server-stopped';

interface Track {
  id: string;
  key: repo.TrackKey;
  label: string;
  /** The row exists once the first packet was recorded (start_ms is that moment). */
  stored: boolean;
  nextSeq: number;
  runNo: number;
  run: RecorderRun | null;
  /** The producer this track should be recording (the newest one of its owner and source). */
  producer: types.Producer<ProducerMeta> | null;
  /**
   * Changes of the track's run, one at a time: "end the old run, then start one for the
   * current producer" must never interleave with another such change (a reconnect under
   * load delivers a new producer while the old run is still closing; two interleaved
   * changes used to leave the new producer unrecorded, silently).
   */
  chain: Promise<void>;
  /** End of the last media written, on the lesson clock; a later run starts after a gap. */
  lastMediaMs: number | null;
  gapReason: GapReason | null;
  deaths: number[];
  restartTimer: NodeJS.Timeout | null;
}

export interface LessonRecordingDeps {
  db: Db;
  dataDir: string;
  ports: PortPool;
  segmentMs: number;
}

export interface LessonRecordingInit {
  /** The lesson clock's zero (for an armed recording: a placeholder until goLive()). */
  clockZero: Date;
  state: repo.RecordingState;
  /** Why it stopped by itself (restored from the `stop_reason` column after a restart). */
  stopReason: repo.StopReason | null;
  unrecorded: { id: string; name: string; school: string }[];
  /** Armed: the lesson is not live yet (see `armed`). */
  armed?: boolean;
  /** The gap reason of a track that this object did not record before (stored by an earlier one): why that one stopped. */
  resumedGap?: GapReason;
}

/** Why the live lesson closes its recording without the lesson ending. */
export type RecordingCloseReason = 'server-stopped' | 'lesson-closed';

interface LessonRecordingEvents {
  /** Recording state changed: tell everyone in the lesson. */
  status: [status: RecordingStatus];
  segmentClosed: [e: { lessonId: string; trackId: string; seq: number }];
  /** A stuck (watchdog) or crashed recorder is being restarted (the teacher is told). */
  recorderRestarted: [e: { trackId: string; label: string; cause: 'stalled' | 'crashed' }];
  /** The lesson ended and every recorder has finished: processing may finish the lesson. */
  stopped: [];
  /** This object is done (stopped at the lesson's end, closed with its live lesson, or discarded). */
  close: [why: 'lesson-end' | RecordingCloseReason | 'discarded'];
}

export class LessonRecording extends EventEmitter<LessonRecordingEvents> {
  readonly lessonId: string;
  readonly unrecorded: { id: string; name: string; school: string }[];
  private clockZero: Date;
  private stateNow: repo.RecordingState;
  private stopReason: repo.StopReason | null;
  /** The lesson ended: nothing is recorded any more (set by stop('lesson-end') before it awaits anything). */
  private endedNow = false;
  /** The server is shutting down or the live lesson closed here: no run starts any more. */
  private halted = false;
  private tracks = new Map<string, Track>();
  /** Database writes of this lesson, in order (a segment after its track row). */
  private q: Promise<void> = Promise.resolve();
  /**
   * Armed: the lesson is not live yet, its recorders get ready for the producers already
   * published and wait (see RecorderRun's `armed`); goLive() starts them at clock zero.
   * Nothing is stored while armed.
   */
  private armedNow: boolean;
  /** Discarded (an armed recording that did not go live): it writes nothing any more. */
  private discarded = false;
  /** A stopRuns() still in progress (a pause answers before its recorders have closed). */
  private stopping: Promise<void> | null = null;
  /** stop('lesson-end'), close() or discard() under way or done: the one promise of each. */
  private ending: Promise<void> | null = null;
  private readonly resumedGap: GapReason;

  constructor(
    private readonly host: RecordingHost,
    init: LessonRecordingInit,
    private readonly deps: LessonRecordingDeps,
  ) {
    super();
    this.lessonId = host.lessonId;
    this.clockZero = init.clockZero;
    this.stateNow = init.state;
    this.stopReason = init.state === 'stopped' ? init.stopReason : null;
    this.unrecorded = init.unrecorded;
    this.armedNow = init.armed ?? false;
    this.resumedGap = init.resumedGap ?? 'server-stopped';
  }

  get state(): repo.RecordingState {
    return this.stateNow;
  }
  /** The lesson ended (its recording is stopping or stopped for good). */
  get ended(): boolean {
    return this.endedNow;
  }
  get armed(): boolean {
    return this.armedNow;
  }
  /** Stopped for good, closed or discarded (or on its way there): the lesson needs a new object to record again. */
  get closing(): boolean {
    return this.ending !== null;
  }
  /** Settles when the object is done (resolved at once if it is not ending). */
  get finished(): Promise<void> {
    return this.ending ?? Promise.resolve();
  }

  clock = (): number => Date.now() - this.clockZero.getTime();

  /**
   * An armed recording: the lesson went live at `clockZero`; every recorder starts now.
   * `stored` is the recording's row being written: the recording's own writes wait for it.
   */
  goLive(clockZero: Date, stored: Promise<unknown>): void {
    if (this.discarded) return;
    this.clockZero = clockZero;
    this.armedNow = false;
    void this.enqueue('recording row', async () => void (await stored));
    for (const t of this.tracks.values()) t.run?.go();
  }

  status(): RecordingStatus {
    return { state: this.stateNow, reason: this.stopReason, unrecordedClassroomIds: this.unrecorded.map((c) => c.id) };
  }

  /** Recorder processes now running (for tests and the benchmark). */
  runs(): { trackId: string; source: string; owner: string; classroomId: string | null; pid: number | undefined }[] {
    return [...this.tracks.values()]
      .filter((t) => t.run)
      .map((t) => ({ trackId: t.id, source: t.key.source, owner: t.key.owner, classroomId: t.key.classroomId, pid: t.run!.pid }));
  }

  private enqueue(what: string, fn: () => Promise<void>): Promise<void> {
    if (this.discarded) return this.q;
    this.q = this.q.then(fn).catch((err) => log.error('recording bookkeeping failed', { lessonId: this.lessonId, what, err }));
    return this.q;
  }

  flush(): Promise<void> {
    return this.q;
  }

  event<T extends LessonEventType>(type: T, actorId: string | null, payload: LessonEventPayload<T>): Promise<void> {
    return recordLessonEvent(this.deps.db, this.lessonId, type, actorId, payload).catch((err) =>
      log.error('could not record lesson event', { type, err }),
    );
  }

  /** Records every producer of the lesson right now (at start and on resume). */
  recordAll(): void {
    for (const p of this.host.producers()) {
      this.producerAdded(p).catch((err) => log.error('could not record producer', { lessonId: this.lessonId, err }));
    }
  }

  async producerAdded(producer: types.Producer<ProducerMeta>): Promise<void> {
    if (this.stateNow !== 'recording' || this.endedNow || this.halted || producer.closed) return;
    const owner = this.host.owner(producer.appData.peerId);
    if (!owner) return;
    const classroomId = owner.lessonRole === 'classroom' ? owner.classroomId : null;
    if (owner.lessonRole === 'observer') return;
    // Pupils are minors: nothing from a classroom whose school has not consented. The
    // teacher's camera and mic film the host school's class: they follow the host's consent.
    const consentOf = classroomId ?? this.host.hostClassroomId;
    if (this.unrecorded.some((c) => c.id === consentOf)) return;
    const key: repo.TrackKey = {
      kind: producer.kind,
      source: producer.appData.source,
      owner: classroomId ? 'classroom' : 'teacher',
      classroomId,
      userId: classroomId ? null : owner.userId,
    };
    const mapKey = `${key.owner}:${classroomId ?? owner.userId}:${key.source}`;
    let track = this.tracks.get(mapKey);
    if (!track) {
      const existing = await repo.findTrack(this.deps.db, this.lessonId, key);
      track = this.tracks.get(mapKey);
      if (!track) {
        track = {
          id: existing?.track.id ?? randomUUID(),
          key,
          label: await this.labelFor(key, owner.displayName),
          stored: !!existing,
          nextSeq: existing?.nextSeq ?? 1,
          runNo: 0,
          run: null,
          producer: null,
          chain: Promise.resolve(),
          lastMediaMs: null,
          gapReason: existing ? this.resumedGap : null,
          deaths: [],
          restartTimer: null,
        };
        // A restarted server: segments left open by a crash are saved (or marked corrupt),
        // and the gap starts where the last segment ended.
        if (existing) {
          await this.salvageOpen(existing.track.id);
          track.lastMediaMs = await repo.trackMediaEnd(this.deps.db, existing.track.id);
        }
        this.tracks.set(mapKey, track);
      }
    }
    track.producer = producer;
    log.info('producer to record', { lessonId: this.lessonId, trackId: track.id, producerId: producer.id, peerId: producer.appData.peerId, source: key.source });
    await this.reconcile(track);
  }

  /** Brings the track's run in line with what should be recorded now (serialised per track). */
  private reconcile(track: Track): Promise<void> {
    track.chain = track.chain
      .then(async () => {
        const want = this.wanted(track);
        if (track.run && track.run.producer !== want) {
          log.info('recorder run replaced', { lessonId: this.lessonId, trackId: track.id, from: track.run.producer.id, to: want?.id ?? null });
          await track.run.end({ kind: 'source-gone' });
        }
        if (!track.run && want && !track.restartTimer) this.startRun(track, want);
      })
      .catch((err) => log.error('recorder reconcile failed', { lessonId: this.lessonId, trackId: track.id, err }));
    return track.chain;
  }

  /** The producer to record: the track's newest one, or else another open one of the same owner and source. */
  private wanted(track: Track): types.Producer<ProducerMeta> | null {
    if (this.endedNow || this.halted || this.stateNow !== 'recording') return null;
    if (track.producer && !track.producer.closed) return track.producer;
    for (const p of this.host.producers()) {
      if (p.closed || p.appData.source !== track.key.source) continue;
      const owner = this.host.owner(p.appData.peerId);
      if (!owner) continue;
      const classroomId = owner.lessonRole === 'classroom' ? owner.classroomId : null;
      if (classroomId !== track.key.classroomId || (!classroomId && owner.userId !== track.key.userId)) continue;
      track.producer = p;
      return p;
    }
    return null;
  }

  private async salvageOpen(trackId: string): Promise<void> {
    for (const o of await repo.listOpenSegments(this.deps.db, trackId)) {
      const file = path.join(this.deps.dataDir, o.path);
      const duration = await salvage(file);
      const bytes = (await stat(file).catch(() => null))?.size ?? 0;
      const startMs = o.startMs;
      await repo.closeSegment(this.deps.db, {
        trackId,
        seq: o.seq,
        path: o.path,
        startMs,
        endMs: duration === null ? startMs : Math.round(startMs + duration * 1000),
        bytes,
        state: duration === null ? 'corrupt' : 'closed',
      });
      if (duration !== null) this.emit('segmentClosed', { lessonId: this.lessonId, trackId, seq: o.seq });
    }
  }

  private async labelFor(key: repo.TrackKey, displayName: string): Promise<string> {
    const who = (key.classroomId && (await repo.classroomLabel(this.deps.db, key.classroomId))) || displayName;
    return `${who} ${SOURCE_LABEL[key.source]}`;
  }

  private startRun(track: Track, producer: types.Producer<ProducerMeta>): void {
    const router = this.host.router();
    if (producer.closed || !router || track.run) return;
    const run = new RecorderRun({
      router,
      producer,
      dataDir: this.deps.dataDir,
      trackDir: recPaths.trackDir(this.lessonId, track.id),
      firstSeq: track.nextSeq,
      runNo: ++track.runNo,
      segmentMs: this.deps.segmentMs,
      ports: this.deps.ports,
      clock: this.clock,
      keyFramesHeld: () => this.host.keyFramesHeld(),
      armed: this.armedNow,
    });
    track.run = run;
    const ids = { lessonId: this.lessonId, trackId: track.id, producerId: producer.id, peerId: producer.appData.peerId, runNo: track.runNo };
    log.info(this.armedNow ? 'recorder run arming' : 'recorder run starting', ids);
    run.on('started', (baseMs) => {
      log.info('recorder run recording', { ...ids, baseMs: Math.round(baseMs), eventLagMs: run.firstPacketLagMs });
      const gapFrom = track.lastMediaMs;
      const reason = track.gapReason;
      void this.enqueue('track start', async () => {
        if (!track.stored) {
          await repo.insertTrack(this.deps.db, {
            ...track.key,
            id: track.id,
            lessonId: this.lessonId,
            label: track.label,
            codec: run.codec,
            startMs: Math.round(baseMs),
          });
          track.stored = true;
        } else if (gapFrom !== null && baseMs > gapFrom) {
          const why = reason ?? 'source-gone';
          await repo.insertGap(this.deps.db, { lessonId: this.lessonId, trackId: track.id, fromMs: gapFrom, toMs: baseMs, reason: why });
          if (why !== 'paused') {
            await this.event('recording:gap', null, { trackId: track.id, fromMs: Math.round(gapFrom), toMs: Math.round(baseMs), reason: why });
          }
        }
      });
    });
    run.on('opened', (seq, relPath, startMs) => {
      void this.enqueue('segment open', () => repo.openSegment(this.deps.db, { trackId: track.id, seq, path: relPath, startMs }));
    });
    run.on('closed', (seg: SegmentInfo) => {
      void this.enqueue('segment close', async () => {
        await repo.closeSegment(this.deps.db, { trackId: track.id, ...seg, path: seg.relPath });
        await repo.setTrackEnd(this.deps.db, track.id, seg.endMs);
        if (seg.state === 'closed') {
          try {
            this.emit('segmentClosed', { lessonId: this.lessonId, trackId: track.id, seq: seg.seq });
          } catch (err) {
            log.error('a segmentClosed listener failed', { err });
          }
        }
      });
    });
    run.on('ended', (end, lastMediaMs) => {
      if (track.run === run) track.run = null;
      track.nextSeq = Math.max(track.nextSeq, run.seqAfter);
      if (lastMediaMs !== null) track.lastMediaMs = lastMediaMs;
      const fields = { ...ids, end: end.kind, lastMediaMs };
      if (end.kind === 'died') {
        // ffmpeg's own error line, for whoever investigates (users never see it).
        log.warn(end.stalled ? 'recorder run stalled: restarted by the watchdog' : 'recorder run died', { ...fields, detail: end.detail });
        if (end.stalled) {
          recorderWatchdogRestarts.inc();
          void this.event('recording:restarted', null, { trackId: track.id, reason: 'stalled' });
          this.emit('recorderRestarted', { trackId: track.id, label: track.label, cause: 'stalled' });
        }
        if (end.enospc) {
          track.gapReason = 'disk-full';
          void this.stop('disk_full');
          return;
        }
        // A crash the track recovers from (its producer is still the one to record): the
        // teacher hears of it, as of a stall. (A full disk says so through recording:state.)
        if (!end.stalled && !this.endedNow && this.stateNow === 'recording' && !producer.closed && track.producer === producer) {
          this.emit('recorderRestarted', { trackId: track.id, label: track.label, cause: 'crashed' });
        }
        track.gapReason = producer.paused ? 'producer-paused' : 'recorder-died';
        this.restartLater(track, producer);
      } else if (end.kind === 'idle') {
        log.info('recorder run ended: no media for a while', fields);
        // Nothing came for a while; record again as soon as something does.
        track.gapReason = producer.paused ? 'producer-paused' : 'source-stalled';
        this.restartLater(track, producer, false);
      } else {
        log.info('recorder run ended', fields);
        if (end.kind === 'source-gone' && track.gapReason !== 'paused' && track.gapReason !== 'disk-full') track.gapReason = 'source-gone';
        // A closed producer is never retried; a newer producer of the track (a reconnect)
        // continues it at once. (A 'stopped' run was ended on purpose: pause, disk, shutdown.)
        if (end.kind === 'source-gone') void this.reconcile(track);
      }
    });
    // start() turns its own failures into an ended run (restarted like any other); only a bug lands here.
    run.start().catch((err) => log.error('recorder start failed unexpectedly', { lessonId: this.lessonId, trackId: track.id, err }));
  }

  /** A recorder that died is restarted at once, then with backoff if it keeps dying. */
  private restartLater(track: Track, producer: types.Producer<ProducerMeta>, died = true): void {
    if (this.endedNow || this.halted || this.stateNow !== 'recording' || track.restartTimer) return;
    if (producer.closed || track.producer !== producer) {
      // Its producer is gone (never retried): record whatever the track has now.
      void this.reconcile(track);
      return;
    }
    if (producer.paused) {
      // A paused producer sends nothing: record again when it resumes.
      producer.observer.once('resume', () => void this.reconcile(track));
      return;
    }
    const now = Date.now();
    track.deaths = track.deaths.filter((t) => now - t < 30_000);
    if (died || track.deaths.length) track.deaths.push(now);
    const delay = track.deaths.length <= 1 ? 0 : backoffDelay(track.deaths.length - 1, { baseMs: 250, maxMs: 5_000, jitter: 0 });
    track.restartTimer = setTimeout(() => {
      track.restartTimer = null;
      void this.reconcile(track);
    }, delay);
    track.restartTimer.unref();
  }

  /** Ends every run (ffmpeg closes its segments) and waits for the bookkeeping. */
  private async stopRuns(reason: GapReason): Promise<void> {
    if (reason === 'server-stopped') this.halted = true;
    const ends: Promise<void>[] = [];
    for (const t of this.tracks.values()) {
      if (t.restartTimer) clearTimeout(t.restartTimer);
      t.restartTimer = null;
      t.gapReason = reason;
      if (t.run) ends.push(t.run.end({ kind: 'stopped' }));
    }
    // A replacement in progress finishes first (and, with the state changed, starts nothing).
    await Promise.all([...ends, ...[...this.tracks.values()].map((t) => t.chain)]);
    for (const t of this.tracks.values()) if (t.run) await t.run.end({ kind: 'stopped' });
    await this.flush();
  }

  // ---- state changes: the recording's own ------------------------------------

  /** The teacher pauses: the recorders close their segments (behind the answer: ffmpeg may take seconds). */
  async pause(actorId: string): Promise<RecordingStatus> {
    if (this.stateNow === 'paused') return this.status();
    if (this.stateNow !== 'recording' || this.endedNow) throw new AppError('CONFLICT', 'recording is not running');
    this.stateNow = 'paused';
    await this.store();
    await this.event('recording:pause', actorId, {});
    this.emit('status', this.status());
    this.stopping = this.stopRuns('paused').catch((err) => log.error('stopping recorders failed', { lessonId: this.lessonId, err }));
    return this.status();
  }

  /** The teacher resumes (also after a full disk stopped it: the caller has checked the disk). */
  async resume(actorId: string): Promise<RecordingStatus> {
    if (this.endedNow || this.closing) throw new AppError('CONFLICT', 'this lesson is not being recorded');
    if (this.stateNow === 'recording') return this.status();
    this.stateNow = 'recording';
    this.stopReason = null;
    await this.store();
    await this.event('recording:resume', actorId, {});
    this.emit('status', this.status());
    // A pause just before may still be closing its recorders: start the new ones after it.
    const stopping = this.stopping;
    if (stopping) stopping.then(() => this.stateNow === 'recording' && this.recordAll()).catch((err) => log.error('could not resume recording', { lessonId: this.lessonId, err }));
    else this.recordAll();
    return this.status();
  }

  /**
   * Recording stops: at the lesson's end (every segment closed, the recording marked stopped,
   * 'stopped' then 'close' emitted: processing takes over), or by itself on a full disk (the
   * lesson goes on; the teacher may resume once there is room). From the moment of the call
   * nothing more is recorded: the live lesson closes its media right after calling it.
   */
  stop(reason: 'lesson-end' | 'disk_full'): Promise<void> {
    if (reason === 'disk_full') return this.stopForDisk();
    if (this.ending) return this.ending;
    // One that never went live has nothing to stop: it goes.
    if (this.armedNow) return this.discard();
    this.endedNow = true;
    this.stateNow = 'stopped';
    const runs = this.stopRuns('source-gone');
    this.ending = (async () => {
      await runs;
      await this.store(true);
      await this.event('recording:stop', null, { reason: 'lesson-end' });
      this.emit('stopped');
    })().finally(() => this.emit('close', 'lesson-end'));
    return this.ending;
  }

  private async stopForDisk(): Promise<void> {
    if (this.endedNow || this.closing || (this.stateNow === 'stopped' && this.stopReason === 'disk_full')) return;
    log.error('disk full: recording stopped', { lessonId: this.lessonId });
    this.stateNow = 'stopped';
    this.stopReason = 'disk_full';
    this.emit('status', this.status());
    await this.store().catch(() => undefined);
    await this.event('recording:stop', null, { reason: 'disk_full' });
    await this.stopRuns('disk-full');
  }

  /**
   * The live lesson closes here without the lesson ending (the server shuts down, or everyone
   * left and the lesson's router is freed): the recorders close their segments, nothing starts
   * again in this object; the lesson's recording goes on in a new one when it is live here
   * again (from what is stored). An armed recording is discarded. Idempotent.
   */
  close(why: RecordingCloseReason): Promise<void> {
    if (this.ending) return this.ending;
    if (this.armedNow) return this.discard();
    this.halted = true;
    const runs = this.stopRuns(why === 'server-stopped' ? 'server-stopped' : 'source-gone');
    this.ending = runs.finally(() => this.emit('close', why));
    return this.ending;
  }

  /** An armed recording that will not go live: its recorders end, their files go (nothing was recorded). Idempotent. */
  discard(): Promise<void> {
    if (this.ending) return this.ending;
    this.endedNow = true;
    this.discarded = true;
    const runs = this.stopRuns('source-gone');
    this.ending = (async () => {
      await runs;
      const abs = (rel: string) => path.join(this.deps.dataDir, rel);
      for (const t of this.tracks.values()) {
        if (!t.stored) await rm(abs(recPaths.trackDir(this.lessonId, t.id)), { recursive: true, force: true });
      }
      // The folders go too when they are empty now (rmdir refuses otherwise).
      await rmdir(abs(recPaths.tracksDir(this.lessonId))).catch(() => undefined);
      await rmdir(abs(recPaths.lessonDir(this.lessonId))).catch(() => undefined);
    })().finally(() => this.emit('close', 'discarded'));
    return this.ending;
  }

  /** The state as stored: state, why it stopped by itself, and the text the product shows. */
  private store(ended = false): Promise<void> {
    return repo.setRecordingState(this.deps.db, this.lessonId, {
      state: this.stateNow,
      stopReason: this.stateNow === 'stopped' || ended ? this.stopReason : null,
      statusMessage: statusText(this.unrecorded, this.stopReason === 'disk_full'),
      ended,
    });
  }

  /** Test hook: the recorder process of a track. */
  runOf(trackId: string): RecorderRun | null {
    for (const t of this.tracks.values()) if (t.id === trackId) return t.run;
    return null;
  }
}

/** The status message: who is not recorded, and a full disk. */
export function statusText(unrecorded: { name: string; school: string }[], diskFull: boolean): string | null {
  const parts: string[] = [];
  if (unrecorded.length) parts.push(STATUS_TEXT.consent(unrecorded.map((c) => `${c.school} ${c.name}`)));
  if (diskFull) parts.push(STATUS_TEXT.diskFull);
  return parts.length ? parts.join('；') : null;
}
