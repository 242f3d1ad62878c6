// Recording of live lessons (capture side). A lesson is recorded from the moment it goes
// live when its `recording` flag is on; every producer the consent rules allow gets a
// recorder (RecorderRun) writing per-track WebM segments; the teacher may pause/resume; a
// full disk stops recording (never the lesson). Processing hooks in through the callbacks.
// Each LessonRecording is made here (this holds what recordings share: recorder ports, the
// disk check, processing's hooks) and handed to its live lesson, which owns it from then on
// (LiveLesson → LessonRecording → RecorderRun); this keeps an index of the open ones.
import { EventEmitter } from 'node:events';
import { statfs } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { types } from 'mediasoup';
import type { RecordingStatus } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import type { Db } from '../db/db.js';
import type { ProducerMeta } from '../../media/MediaPeer.js';
import { getLessonState, isRecorded } from '../lessons/repo.js';
import { logger } from '../contract/log.js';
import { LessonRecording, statusText, type GapReason, type LessonRecordingInit } from './LessonRecording.js';
import type { RecordedLesson } from './RecordingHost.js';
import { PortPool } from './ports.js';
import * as repo from './repo.js';
import { recPaths } from '../contract/recordingPaths.js';
import { SingleFlight } from '../contract/singleFlight.js';

const log = logger('recordings');

const DISK_CHECK_MS = 2_000;
const OFF: RecordingStatus = { state: 'off', reason: null, unrecordedClassroomIds: [] };

export interface RecordingServiceOptions {
  db: Db;
  dataDir: string;
  recorderMinPort: number;
  recorderMaxPort: number;
  segmentMs: number;
  /** Recording stops when the data folder has less free space than this. */
  minFreeBytes: number;
  onSegmentClosed?(e: { lessonId: string; trackId: string; seq: number }): void;
  onRecordingStopped?(e: { lessonId: string }): void;
}

/** The same moments as the option callbacks, for more than one listener (tests, metrics). */
interface RecordingServiceEvents {
  segmentClosed: [e: { lessonId: string; trackId: string; seq: number }];
  recordingStopped: [e: { lessonId: string }];
  /** A recorder is restarted: the watchdog found it writing nothing while its source was live (stalled), or it died (crashed). */
  recorderRestarted: [e: { lessonId: string; trackId: string; label: string; cause: 'stalled' | 'crashed' }];
}

export class RecordingService extends EventEmitter<RecordingServiceEvents> {
  /** Mutable so that an operator (or a test) can raise it at run time. */
  minFreeBytes: number;
  private lessons = new Map<string, LessonRecording>();
  private loading = new SingleFlight<string, LessonRecording | null>();
  /** Recordings armed before their lesson went live (in memory only; see LessonRecording.armed). */
  private armed = new Map<string, Promise<LessonRecording | null>>();
  /** Armed recordings checked by beforeStart, to be set going by startNow. */
  private ready = new Map<string, LessonRecording>();
  /** Recordings set going by startNow: their row being written, for lessonStarted. */
  private started = new Map<string, Promise<repo.RecordingRow>>();
  private ports: PortPool;
  private statusListeners: ((lessonId: string, s: RecordingStatus) => void)[] = [];
  /**
   * Lessons whose recording object was closed with its live lesson while the lesson went on
   * (everyone left for a while): the next object's tracks continue after a 'source-gone' gap,
   * not a 'server-stopped' one.
   */
  private closedWhileLive = new Set<string>();
  private diskTimer: NodeJS.Timeout;
  private closed = false;

  constructor(private readonly o: RecordingServiceOptions) {
    super();
    this.minFreeBytes = o.minFreeBytes;
    this.ports = new PortPool(o.recorderMinPort, o.recorderMaxPort);
    mkdirSync(path.join(o.dataDir, recPaths.root()), { recursive: true });
    this.diskTimer = setInterval(() => this.checkDisk().catch((err) => log.error('disk check failed', { err })), DISK_CHECK_MS);
    this.diskTimer.unref();
  }

  /** Status changes of every lesson (the live service broadcasts them to the lesson's room). */
  onStatus(fn: (lessonId: string, s: RecordingStatus) => void): void {
    this.statusListeners.push(fn);
  }

  private notify(lessonId: string, s: RecordingStatus): void {
    for (const fn of this.statusListeners) fn(lessonId, s);
  }

  /**
   * The lesson's recording: the open one, or one made from what is stored (after a server
   * restart, or once its live lesson closed here and opened again) and given to `live`.
   */
  private load(live: RecordedLesson, evenIfEnded = false): Promise<LessonRecording | null> {
    const lessonId = live.lesson.id;
    const have = this.lessons.get(lessonId);
    if (have && !have.closing) return Promise.resolve(have);
    return this.loading.run(lessonId, async () => {
      // One closing with its live lesson writes its last segments first: the new one reads them.
      await have?.finished;
      const now = this.lessons.get(lessonId);
      if (now && !now.closing) return now;
      const row = await repo.getRecording(this.o.db, lessonId);
      if (!row) return null;
      if ((await getLessonState(this.o.db, lessonId)) !== 'live' && !evenIfEnded) return null;
      const rec = this.make(live, { clockZero: new Date(row.clockZero), state: row.state, stopReason: row.stopReason, unrecorded: await this.unconsented(lessonId) });
      return rec;
    });
  }

  /** A new recording object, given to its live lesson; `register`: indexed as the lesson's open recording. */
  private make(live: RecordedLesson, init: Omit<LessonRecordingInit, 'resumedGap'>, register = true): LessonRecording {
    const lessonId = live.lesson.id;
    const resumedGap: GapReason = this.closedWhileLive.delete(lessonId) ? 'source-gone' : 'server-stopped';
    const rec = new LessonRecording(live.recordingHost, { ...init, resumedGap }, {
      db: this.o.db,
      dataDir: this.o.dataDir,
      ports: this.ports,
      segmentMs: this.o.segmentMs,
    });
    rec.on('segmentClosed', (e) => {
      this.o.onSegmentClosed?.(e);
      this.emit('segmentClosed', e);
    });
    rec.on('status', (st) => this.notify(lessonId, st));
    rec.on('recorderRestarted', (e) => this.emit('recorderRestarted', { lessonId, ...e }));
    rec.on('stopped', () => {
      this.forget(rec);
      try {
        this.o.onRecordingStopped?.({ lessonId });
        this.emit('recordingStopped', { lessonId });
      } catch (err) {
        log.error('onRecordingStopped failed', { err });
      }
    });
    rec.on('close', (why) => {
      this.forget(rec);
      if (why === 'lesson-closed' && !rec.armed) this.closedWhileLive.add(lessonId);
    });
    if (register) this.lessons.set(lessonId, rec);
    live.adoptRecording(rec);
    return rec;
  }

  /** A recording that is done leaves the index (and the armed sets). */
  private forget(rec: LessonRecording): void {
    const id = rec.lessonId;
    if (this.lessons.get(id) === rec) this.lessons.delete(id);
    if (this.ready.get(id) === rec) this.ready.delete(id);
    const armed = this.armed.get(id);
    if (armed) void armed.then((r) => r === rec && this.armed.get(id) === armed && this.armed.delete(id)).catch(() => undefined);
  }

  /**
   * A producer of a lesson that is not live yet: when the lesson is to be recorded, its
   * recorder gets ready now and starts at go-live (a recorder needs a process start, which a
   * loaded machine can take seconds over: done now, the recording has the lesson's first
   * instant). Consent is checked as for recording; nothing is written before go-live.
   */
  private arm(live: RecordedLesson, producer: types.Producer<ProducerMeta>): void {
    const lessonId = live.lesson.id;
    // Checked and about to go live: the producer joins that recording.
    const ready = this.ready.get(lessonId);
    let p = ready && !ready.closing ? Promise.resolve(ready) : this.armed.get(lessonId);
    if (!p) {
      p = (async () => {
        if (!(await isRecorded(this.o.db, lessonId)) || !(await this.diskOk())) return null;
        const unrecorded = await this.unconsented(lessonId);
        return this.make(live, { clockZero: new Date(), state: 'recording', stopReason: null, unrecorded, armed: true }, false);
      })();
      this.armed.set(lessonId, p);
      // A failed check is not remembered: the next producer tries again.
      p.then((rec) => rec ?? this.armed.delete(lessonId)).catch((err) => {
        this.armed.delete(lessonId);
        log.error('could not arm the recording', { lessonId, err });
      });
    }
    const armed = p;
    void armed
      .then((rec) => {
        if (!rec || this.closed || live.lesson.state !== 'scheduled') return;
        if (rec.closing) {
          // Discarded with an earlier live lesson of this lesson: this one arms afresh (or
          // joins whatever was armed since).
          if (this.armed.get(lessonId) === armed) this.armed.delete(lessonId);
          return this.arm(live, producer);
        }
        if (rec.armed) return rec.producerAdded(producer);
      })
      .catch((err) => log.error('could not arm a recorder', { lessonId, err }));
  }

  /** The armed recording of a lesson that is going live now (taken out of the armed set). */
  private async takeArmed(lessonId: string): Promise<LessonRecording | null> {
    const p = this.armed.get(lessonId);
    if (!p) return null;
    this.armed.delete(lessonId);
    return p.then((rec) => (rec?.closing ? null : rec)).catch(() => null);
  }

  private async unconsented(lessonId: string): Promise<LessonRecording['unrecorded']> {
    return repo.unconsentedClassrooms(this.o.db, await repo.consentClassroomIds(this.o.db, lessonId));
  }

  /** What a view shows on joining: the recording's state, and who is not recorded. */
  async statusFor(live: RecordedLesson): Promise<RecordingStatus> {
    const rec = await this.load(live);
    if (rec) return rec.status();
    if (!(await isRecorded(this.o.db, live.lesson.id))) return OFF;
    return { ...OFF, unrecordedClassroomIds: (await this.unconsented(live.lesson.id)).map((c) => c.id) };
  }

  /**
   * The teacher is starting the lesson (called just before its state changes): the armed
   * recording is checked now (still to be recorded? consent unchanged? disk?), so that
   * lessonStarted can set it going without a database round trip: on a loaded machine each
   * one is worth tenths of a second of the lesson's beginning.
   */
  async beforeStart(live: RecordedLesson): Promise<void> {
    const lessonId = live.lesson.id;
    const armed = await this.takeArmed(lessonId);
    if (!armed) return;
    const ok =
      (await isRecorded(this.o.db, lessonId)) &&
      !this.lessons.has(lessonId) &&
      !(await repo.getRecording(this.o.db, lessonId)) &&
      sameIds(armed.unrecorded, await this.unconsented(lessonId)) &&
      (await this.diskOk());
    // Not to be recorded (after all, or not like this): the armed recorders go, having stored nothing.
    if (!ok) return armed.discard();
    this.ready.set(lessonId, armed);
  }

  /**
   * The lesson starts now (the caller stores this moment as its start): an armed recording
   * checked by beforeStart sets its recorders going at once, before anything is awaited. Its
   * row is written meanwhile, and every write of the recording queues after it.
   */
  startNow(live: RecordedLesson): Date {
    const at = new Date();
    const lessonId = live.lesson.id;
    const ready = this.ready.get(lessonId);
    if (!ready || ready.closing || this.closed) return at;
    this.ready.delete(lessonId);
    this.lessons.set(lessonId, ready);
    const row = repo.ensureRecording(this.o.db, lessonId, at, statusText(ready.unrecorded, false));
    // Awaited by lessonStarted (or startFailed); this catch only keeps it from being unhandled meanwhile.
    row.catch(() => undefined);
    this.started.set(lessonId, row);
    ready.goLive(at, row);
    return at;
  }

  /** The lesson did not go live after startNow (its state could not be stored): nothing is kept. */
  async startFailed(lessonId: string): Promise<void> {
    if (!this.started.delete(lessonId)) return;
    const rec = this.lessons.get(lessonId);
    this.lessons.delete(lessonId);
    await rec?.discard();
    // Its row (and any track a first packet stored) would give a later start the wrong clock zero.
    await repo.deleteRecording(this.o.db, lessonId);
  }

  /** The lesson went live: start recording if it is to be recorded. */
  async lessonStarted(live: RecordedLesson, actorId: string): Promise<RecordingStatus> {
    const lessonId = live.lesson.id;
    const clockZero = live.lesson.startedAt ? new Date(live.lesson.startedAt) : new Date();
    const row = this.started.get(lessonId);
    this.started.delete(lessonId);
    let rec: LessonRecording | null = null;
    if (row && this.lessons.get(lessonId)) {
      await row;
      rec = this.lessons.get(lessonId)!;
      await rec.event('recording:start', actorId, { unrecordedClassroomIds: rec.unrecorded.map((c) => c.id) });
      if (rec.unrecorded.length) await rec.event('recording:consent', null, { unrecordedClassroomIds: rec.unrecorded.map((c) => c.id) });
      // A producer armed since beforeStart: its own armed recording goes, recordAll below takes it.
      await (await this.takeArmed(lessonId))?.discard();
    } else {
      // Armed recorders beforeStart did not see (a producer armed meanwhile) go: recording starts afresh.
      await (await this.takeArmed(lessonId))?.discard();
      if (!(await isRecorded(this.o.db, lessonId))) return OFF;
      rec = await this.load(live);
      if (!rec) {
        const unrecorded = await this.unconsented(lessonId);
        const row = await repo.ensureRecording(this.o.db, lessonId, clockZero, statusText(unrecorded, false));
        rec = this.lessons.get(lessonId) ?? this.make(live, { clockZero: new Date(row.clockZero), state: row.state, stopReason: row.stopReason, unrecorded });
        await rec.event('recording:start', actorId, { unrecordedClassroomIds: unrecorded.map((c) => c.id) });
        if (unrecorded.length) await rec.event('recording:consent', null, { unrecordedClassroomIds: unrecorded.map((c) => c.id) });
      }
    }
    live.adoptRecording(rec);
    if (rec.state === 'recording' && !(await this.diskOk())) {
      await rec.stop('disk_full');
      return rec.status();
    }
    this.notify(lessonId, rec.status());
    if (rec.state === 'recording') rec.recordAll();
    return rec.status();
  }

  /** A new producer in a live lesson (also after a reconnect or a media worker restart). */
  producerAdded(live: RecordedLesson, producer: types.Producer<ProducerMeta>): void {
    if (this.closed) return;
    if (live.lesson.state === 'scheduled') return this.arm(live, producer);
    if (live.lesson.state !== 'live') return;
    void this.load(live)
      .then((rec) => rec?.producerAdded(producer))
      .catch((err) => log.error('could not record producer', { lessonId: live.lesson.id, err }));
  }

  /** The teacher pauses the lesson's recording (its own pause(); this finds it, also after a restart). */
  async pause(live: RecordedLesson, actorId: string): Promise<RecordingStatus> {
    return (await this.requireRecording(live)).pause(actorId);
  }

  async resume(live: RecordedLesson, actorId: string): Promise<RecordingStatus> {
    const rec = await this.requireRecording(live);
    if (rec.state === 'recording') return rec.status();
    if (!(await this.diskOk())) throw new AppError('CONFLICT', 'not enough free disk space to record');
    return rec.resume(actorId);
  }

  private async requireRecording(live: RecordedLesson): Promise<LessonRecording> {
    const rec = live.lesson.state === 'live' ? await this.load(live) : null;
    if (!rec || rec.ended) throw new AppError('CONFLICT', 'this lesson is not being recorded');
    return rec;
  }

  /**
   * The lesson ended and its live lesson had no recording object (a server restarted since,
   * and nobody asked for it yet): the stored recording is stopped all the same. (A live lesson
   * with one stops it itself: LiveLesson.close.)
   */
  async lessonEnded(live: RecordedLesson): Promise<void> {
    const rec = await this.load(live, true);
    await rec?.stop('lesson-end');
  }

  async freeBytes(): Promise<number> {
    const s = await statfs(path.join(this.o.dataDir, recPaths.root()));
    return Number(s.bavail) * Number(s.bsize);
  }

  private async diskOk(): Promise<boolean> {
    return (await this.freeBytes().catch(() => Infinity)) >= this.minFreeBytes;
  }

  private async checkDisk(): Promise<void> {
    const active = [...this.lessons.values()].filter((r) => r.state === 'recording' && !r.ended);
    if (!active.length || (await this.diskOk())) return;
    for (const rec of active) await rec.stop('disk_full');
  }

  /** The lesson's recording in memory (tests, benchmark). */
  recordingOf(lessonId: string): LessonRecording | undefined {
    return this.lessons.get(lessonId);
  }

  /**
   * Shutdown: recorders close their segments; recording resumes when the lesson is live again.
   * The live lessons have closed their recordings already (LiveLesson.close); this is for any
   * not handed over yet.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.diskTimer);
    const armed = await Promise.all([...this.armed.keys()].map((id) => this.takeArmed(id)));
    const ready = [...this.ready.values()];
    this.ready.clear();
    await Promise.all([...this.lessons.values(), ...ready, ...armed.filter((r) => r !== null)].map((r) => r.close('server-stopped')));
  }
}

function sameIds(a: { id: string }[], b: { id: string }[]): boolean {
  const ids = new Set(a.map((x) => x.id));
  return a.length === b.length && b.every((x) => ids.has(x.id));
}
