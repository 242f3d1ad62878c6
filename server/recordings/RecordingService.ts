// Recording of live lessons (capture side). A lesson is recorded from the moment it goes
// live when its `recording` flag is on; every producer the consent rules allow gets a
// recorder (RecorderRun) writing per-track WebM segments; the teacher may pause/resume; a
// full disk stops recording (never the lesson). Processing hooks in through the callbacks.
import { EventEmitter } from 'node:events';
import { statfs } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { types } from 'mediasoup';
import type { RecordingStatus } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import type { Db } from '../db/db.js';
import type { ProducerMeta } from '../../media/MediaPeer.js';
import type { LiveLesson } from '../live/LiveLesson.js';
import { logger } from '../contract/log.js';
import { LessonRecording } from './LessonRecording.js';
import { PortPool } from './ports.js';
import * as repo from './repo.js';
import { recPaths } from '../contract/recordingPaths.js';
import { SingleFlight } from '../contract/singleFlight.js';

const log = logger('recordings');

const DISK_CHECK_MS = 2_000;
const OFF: RecordingStatus = { state: 'off', reason: null, unrecordedClassroomIds: [] };

export const STATUS_TEXT = {
  diskFull: '磁盘空间不足，录制已停止（课堂照常进行）',
  consent: (names: string[]) => `本课堂不录制：学校未同意（${names.join('、')}）`,
};

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

  /** The lesson's recording, loaded from the database after a server restart. */
  private load(lessonId: string, evenIfEnded = false): Promise<LessonRecording | null> {
    const have = this.lessons.get(lessonId);
    if (have) return Promise.resolve(have);
    return this.loading.run(lessonId, async () => {
      const row = await repo.getRecording(this.o.db, lessonId);
      if (!row || this.lessons.has(lessonId)) return this.lessons.get(lessonId) ?? null;
      const ended = await this.o.db.query<{ state: string }>('select state from lessons where id = $1', [lessonId]);
      if (ended[0]?.state !== 'live' && !evenIfEnded) return null;
      const rec = this.make(lessonId, row.clockZero, row.state, await this.unconsented(lessonId));
      if (row.state === 'stopped') rec.reason = row.statusMessage?.includes(STATUS_TEXT.diskFull) ? 'disk_full' : null;
      return rec;
    });
  }

  private make(lessonId: string, clockZero: Date, state: repo.RecordingState, unrecorded: LessonRecording['unrecorded'], register = true): LessonRecording {
    const rec: LessonRecording = new LessonRecording(lessonId, clockZero, state, unrecorded, {
      db: this.o.db,
      dataDir: this.o.dataDir,
      ports: this.ports,
      segmentMs: this.o.segmentMs,
      onSegmentClosed: (e) => {
        this.o.onSegmentClosed?.(e);
        this.emit('segmentClosed', e);
      },
      notify: (s) => this.notify(lessonId, s),
      onDiskFull: () => void this.stopForDisk(rec),
      onRecorderRestarted: (e) => this.emit('recorderRestarted', { lessonId, ...e }),
    });
    if (register) this.lessons.set(lessonId, rec);
    return rec;
  }

  /**
   * A producer of a lesson that is not live yet: when the lesson is to be recorded, its
   * recorder gets ready now and starts at go-live (a recorder needs a process start, which a
   * loaded machine can take seconds over: done now, the recording has the lesson's first
   * instant). Consent is checked as for recording; nothing is written before go-live.
   */
  private arm(live: LiveLesson, producer: types.Producer<ProducerMeta>): void {
    const lessonId = live.lesson.id;
    // Checked and about to go live: the producer joins that recording.
    const ready = this.ready.get(lessonId);
    let p = ready ? Promise.resolve(ready) : this.armed.get(lessonId);
    if (!p) {
      p = (async () => {
        const on = await this.o.db.query<{ recording: boolean }>('select recording from lessons where id = $1', [lessonId]);
        if (!on[0]?.recording || !(await this.diskOk())) return null;
        const rec = this.make(lessonId, new Date(), 'recording', await this.unconsented(lessonId), false);
        rec.armed = true;
        return rec;
      })();
      this.armed.set(lessonId, p);
      // A failed check is not remembered: the next producer tries again.
      p.then((rec) => rec ?? this.armed.delete(lessonId)).catch((err) => {
        this.armed.delete(lessonId);
        log.error('could not arm the recording', { lessonId, err });
      });
    }
    void p
      .then((rec) => (rec?.armed && !this.closed && live.lesson.state === 'scheduled' ? rec.producerAdded(live, producer) : undefined))
      .catch((err) => log.error('could not arm a recorder', { lessonId, err }));
  }

  /** The armed recording of a lesson that is going live now (taken out of the armed set). */
  private async takeArmed(lessonId: string): Promise<LessonRecording | null> {
    const p = this.armed.get(lessonId);
    if (!p) return null;
    this.armed.delete(lessonId);
    return p.catch(() => null);
  }

  /** The live lesson closed (everyone left, the server moves it): armed recorders go. */
  lessonClosed(lessonId: string): void {
    const ready = this.ready.get(lessonId);
    this.ready.delete(lessonId);
    if (ready) void ready.discard().catch((err) => log.error('could not disarm the recording', { lessonId, err }));
    if (!this.armed.has(lessonId)) return;
    void this.takeArmed(lessonId)
      .then((rec) => rec?.discard())
      .catch((err) => log.error('could not disarm the recording', { lessonId, err }));
  }

  private async unconsented(lessonId: string): Promise<LessonRecording['unrecorded']> {
    const rows = await this.o.db.query<{ classroom_id: string }>(
      `select classroom_id from lesson_classrooms where lesson_id = $1
       union select host_classroom_id from lessons where id = $1`,
      [lessonId],
    );
    return repo.unconsentedClassrooms(this.o.db, rows.map((r) => r.classroom_id));
  }

  private statusText(rec: { unrecorded: LessonRecording['unrecorded'] }, diskFull: boolean): string | null {
    const parts: string[] = [];
    if (rec.unrecorded.length) parts.push(STATUS_TEXT.consent(rec.unrecorded.map((c) => `${c.school} ${c.name}`)));
    if (diskFull) parts.push(STATUS_TEXT.diskFull);
    return parts.length ? parts.join('；') : null;
  }

  /** What a view shows on joining: the recording's state, and who is not recorded. */
  async statusFor(live: LiveLesson): Promise<RecordingStatus> {
    const rec = await this.load(live.lesson.id);
    if (rec) return rec.status();
    const on = await this.o.db.query<{ recording: boolean }>('select recording from lessons where id = $1', [live.lesson.id]);
    if (!on[0]?.recording) return OFF;
    return { ...OFF, unrecordedClassroomIds: (await this.unconsented(live.lesson.id)).map((c) => c.id) };
  }

  /**
   * The teacher is starting the lesson (called just before its state changes): the armed
   * recording is checked now (still to be recorded? consent unchanged? disk?), so that
   * lessonStarted can set it going without a database round trip: on a loaded machine each
   * one is worth tenths of a second of the lesson's beginning.
   */
  async beforeStart(live: LiveLesson): Promise<void> {
    const lessonId = live.lesson.id;
    const armed = await this.takeArmed(lessonId);
    if (!armed) return;
    const on = await this.o.db.query<{ recording: boolean }>('select recording from lessons where id = $1', [lessonId]);
    const ok =
      !!on[0]?.recording &&
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
  startNow(live: LiveLesson): Date {
    const at = new Date();
    const lessonId = live.lesson.id;
    const ready = this.ready.get(lessonId);
    if (!ready || this.closed) return at;
    this.ready.delete(lessonId);
    this.lessons.set(lessonId, ready);
    const row = repo.ensureRecording(this.o.db, lessonId, at, this.statusText(ready, false));
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
    await this.o.db.query('delete from recording_tracks where lesson_id = $1', [lessonId]);
    await this.o.db.query('delete from recordings where lesson_id = $1', [lessonId]);
  }

  /** The lesson went live: start recording if it is to be recorded. */
  async lessonStarted(live: LiveLesson, actorId: string): Promise<RecordingStatus> {
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
      const on = await this.o.db.query<{ recording: boolean }>('select recording from lessons where id = $1', [lessonId]);
      if (!on[0]?.recording) return OFF;
      rec = await this.load(lessonId);
      if (!rec) {
        const unrecorded = await this.unconsented(lessonId);
        const row = await repo.ensureRecording(this.o.db, lessonId, clockZero, this.statusText({ unrecorded }, false));
        rec = this.lessons.get(lessonId) ?? this.make(lessonId, row.clockZero, row.state, unrecorded);
        await rec.event('recording:start', actorId, { unrecordedClassroomIds: unrecorded.map((c) => c.id) });
        if (unrecorded.length) await rec.event('recording:consent', null, { unrecordedClassroomIds: unrecorded.map((c) => c.id) });
      }
    }
    rec.live = live;
    if (rec.state === 'recording' && !(await this.diskOk())) {
      await this.stopForDisk(rec);
      return rec.status();
    }
    this.notify(lessonId, rec.status());
    if (rec.state === 'recording') rec.recordAll(live);
    return rec.status();
  }

  /** A new producer in a live lesson (also after a reconnect or a media worker restart). */
  producerAdded(live: LiveLesson, producer: types.Producer<ProducerMeta>): void {
    if (this.closed) return;
    if (live.lesson.state === 'scheduled') return this.arm(live, producer);
    if (live.lesson.state !== 'live') return;
    void this.load(live.lesson.id)
      .then((rec) => rec?.producerAdded(live, producer))
      .catch((err) => log.error('could not record producer', { lessonId: live.lesson.id, err }));
  }

  async pause(live: LiveLesson, actorId: string): Promise<RecordingStatus> {
    const rec = await this.requireRecording(live);
    if (rec.state === 'paused') return rec.status();
    if (rec.state !== 'recording') throw new AppError('CONFLICT', 'recording is not running');
    rec.state = 'paused';
    await repo.setRecordingState(this.o.db, rec.lessonId, 'paused', this.statusText(rec, false));
    await rec.event('recording:pause', actorId, {});
    this.notify(rec.lessonId, rec.status());
    // ffmpeg may take seconds to close its segment: answer the teacher now, finish behind.
    rec.stopping = rec.stopRuns('paused').catch((err) => log.error('stopping recorders failed', { lessonId: rec.lessonId, err }));
    return rec.status();
  }

  async resume(live: LiveLesson, actorId: string): Promise<RecordingStatus> {
    const rec = await this.requireRecording(live);
    if (rec.state === 'recording') return rec.status();
    if (!(await this.diskOk())) throw new AppError('CONFLICT', 'not enough free disk space to record');
    rec.state = 'recording';
    rec.reason = null;
    await repo.setRecordingState(this.o.db, rec.lessonId, 'recording', this.statusText(rec, false));
    await rec.event('recording:resume', actorId, {});
    this.notify(rec.lessonId, rec.status());
    // A pause just before may still be closing its recorders: start the new ones after it.
    const stopping = rec.stopping;
    if (stopping) stopping.then(() => rec.state === 'recording' && rec.recordAll(live)).catch((err) => log.error('could not resume recording', { lessonId: rec.lessonId, err }));
    else rec.recordAll(live);
    return rec.status();
  }

  private async requireRecording(live: LiveLesson): Promise<LessonRecording> {
    const rec = live.lesson.state === 'live' ? await this.load(live.lesson.id) : null;
    if (!rec || rec.ended) throw new AppError('CONFLICT', 'this lesson is not being recorded');
    return rec;
  }

  /** The lesson ended: close every segment, mark the recording stopped, hand over to processing. */
  async lessonEnded(lessonId: string): Promise<void> {
    // Marked at once (before any await): the caller closes the media right after this call.
    const inMemory = this.lessons.get(lessonId);
    if (inMemory?.ended) return;
    if (inMemory) inMemory.ended = true;
    const rec = inMemory ?? (await this.load(lessonId, true).catch(() => null));
    if (!rec || (rec !== inMemory && rec.ended)) return;
    rec.ended = true;
    const wasDiskFull = rec.reason === 'disk_full';
    rec.state = 'stopped';
    await rec.stopRuns('source-gone');
    await repo.setRecordingState(this.o.db, lessonId, 'stopped', this.statusText(rec, wasDiskFull), true);
    await rec.event('recording:stop', null, { reason: 'lesson-end' });
    this.lessons.delete(lessonId);
    try {
      this.o.onRecordingStopped?.({ lessonId });
      this.emit('recordingStopped', { lessonId });
    } catch (err) {
      log.error('onRecordingStopped failed', { err });
    }
  }

  private async stopForDisk(rec: LessonRecording): Promise<void> {
    if (rec.ended || (rec.state === 'stopped' && rec.reason === 'disk_full')) return;
    log.error('disk full: recording stopped', { lessonId: rec.lessonId });
    rec.state = 'stopped';
    rec.reason = 'disk_full';
    this.notify(rec.lessonId, rec.status());
    await repo.setRecordingState(this.o.db, rec.lessonId, 'stopped', this.statusText(rec, true)).catch(() => undefined);
    await rec.event('recording:stop', null, { reason: 'disk_full' });
    await rec.stopRuns('disk-full');
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
    for (const rec of active) await this.stopForDisk(rec);
  }

  /** The lesson's recording in memory (tests, benchmark). */
  recordingOf(lessonId: string): LessonRecording | undefined {
    return this.lessons.get(lessonId);
  }

  /** Shutdown: recorders close their segments; recording resumes when the lesson is live again. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.diskTimer);
    const armed = await Promise.all([...this.armed.keys()].map((id) => this.takeArmed(id)));
    const ready = [...this.ready.values()];
    this.ready.clear();
    await Promise.all([...this.lessons.values(), ...ready, ...armed.filter((r) => r !== null)].map((r) => r.stopRuns('server-stopped')));
  }
}

function sameIds(a: { id: string }[], b: { id: string }[]): boolean {
  const ids = new Set(a.map((x) => x.id));
  return a.length === b.length && b.every((x) => ids.has(x.id));
}
