// The recording of one lesson: one track per (owner, classroom, source), each written by a
// succession of recorder runs (a run per producer; a new run after a recorder crash, a
// reconnection, a media worker restart or a pause). Between runs of a track lies a gap.
import { randomUUID } from 'node:crypto';
import { rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { types } from 'mediasoup';
import type { RecordingStatus } from '../contract/domain.js';
import type { Db } from '../db/db.js';
import type { ProducerMeta } from '../../media/MediaPeer.js';
import type { LiveLesson } from '../live/LiveLesson.js';
import { recordLessonEvent } from '../lessons/repo.js';
import type { LessonEventPayload, LessonEventType } from '../contract/lessonEvents.js';
import { logger } from '../contract/log.js';
import type { PortPool } from './ports.js';
import { RecorderRun, salvage, type SegmentInfo } from './RecorderRun.js';
import { recorderWatchdogRestarts } from './captureMetrics.js';
import * as repo from './repo.js';
import { recPaths } from '../contract/recordingPaths.js';
import { backoffDelay } from '../contract/backoff.js';

const log = logger('recordings.lesson');

const SOURCE_LABEL = { camera: '摄像头', mic: '麦克风', screen: '屏幕' } as const;

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
  onSegmentClosed?(e: { lessonId: string; trackId: string; seq: number }): void;
  /** Recording state changed: tell everyone in the lesson. */
  notify(status: RecordingStatus): void;
  /** A recorder hit a full disk. */
  onDiskFull(): void;
  /** A stuck (watchdog) or crashed recorder is being restarted (the teacher is told). */
  onRecorderRestarted?(e: { trackId: string; label: string; cause: 'stalled' | 'crashed' }): void;
}

export class LessonRecording {
  state: repo.RecordingState;
  reason: RecordingStatus['reason'] = null;
  ended = false;
  /** The server is shutting down: no run starts any more. */
  private halted = false;
  private tracks = new Map<string, Track>();
  /** Database writes of this lesson, in order (a segment after its track row). */
  private q: Promise<void> = Promise.resolve();
  live: LiveLesson | null = null;
  /**
   * Armed: the lesson is not live yet, its recorders get ready for the producers already
   * published and wait (see RecorderRun's `armed`); goLive() starts them at clock zero.
   * Nothing is stored while armed.
   */
  armed = false;
  /** Discarded (an armed recording that did not go live): it writes nothing any more. */
  private discarded = false;

  constructor(
    readonly lessonId: string,
    public clockZero: Date,
    state: repo.RecordingState,
    readonly unrecorded: { id: string; name: string; school: string }[],
    private readonly deps: LessonRecordingDeps,
  ) {
    this.state = state;
  }

  clock = (): number => Date.now() - this.clockZero.getTime();

  /**
   * An armed recording: the lesson went live at `clockZero`; every recorder starts now.
   * `stored` is the recording's row being written: the recording's own writes wait for it.
   */
  goLive(clockZero: Date, stored: Promise<unknown>): void {
    this.clockZero = clockZero;
    this.armed = false;
    void this.enqueue('recording row', async () => void (await stored));
    for (const t of this.tracks.values()) t.run?.go();
  }

  status(): RecordingStatus {
    return { state: this.state, reason: this.reason, unrecordedClassroomIds: this.unrecorded.map((c) => c.id) };
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
  recordAll(live: LiveLesson): void {
    this.live = live;
    for (const p of live.currentMedia?.allProducers() ?? []) {
      this.producerAdded(live, p).catch((err) => log.error('could not record producer', { lessonId: this.lessonId, err }));
    }
  }

  async producerAdded(live: LiveLesson, producer: types.Producer<ProducerMeta>): Promise<void> {
    this.live = live;
    if (this.state !== 'recording' || this.ended || producer.closed) return;
    const owner = live.peers.get(producer.appData.peerId)?.info;
    if (!owner) return;
    const classroomId = owner.lessonRole === 'classroom' ? owner.classroomId : null;
    if (owner.lessonRole === 'observer') return;
    // Pupils are minors: nothing from a classroom whose school has not consented. The
    // teacher's camera and mic film the host school's class: they follow the host's consent.
    const consentOf = classroomId ?? live.lesson.hostClassroomId;
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
          id: existing?.id ?? randomUUID(),
          key,
          label: await this.labelFor(key, owner.displayName),
          stored: !!existing,
          nextSeq: existing?.nextSeq ?? 1,
          runNo: 0,
          run: null,
          producer: null,
          chain: Promise.resolve(),
          lastMediaMs: null,
          gapReason: existing ? 'server-stopped' : null,
          deaths: [],
          restartTimer: null,
        };
        // A restarted server: segments left open by a crash are saved (or marked corrupt),
        // and the gap starts where the last segment ended.
        if (existing) {
          await this.salvageOpen(existing.id);
          const rows = await this.deps.db.query<{ end_ms: number | null }>(
            'select max(end_ms) as end_ms from recording_segments where track_id = $1',
            [existing.id],
          );
          track.lastMediaMs = rows[0]?.end_ms == null ? null : Number(rows[0].end_ms);
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
        const live = this.live;
        const want = this.wanted(track);
        if (track.run && track.run.producer !== want) {
          log.info('recorder run replaced', { lessonId: this.lessonId, trackId: track.id, from: track.run.producer.id, to: want?.id ?? null });
          await track.run.end({ kind: 'source-gone' });
        }
        if (!track.run && want && live && !track.restartTimer) this.startRun(track, live, want);
      })
      .catch((err) => log.error('recorder reconcile failed', { lessonId: this.lessonId, trackId: track.id, err }));
    return track.chain;
  }

  /** The producer to record: the track's newest one, or else another open one of the same owner and source. */
  private wanted(track: Track): types.Producer<ProducerMeta> | null {
    if (this.ended || this.halted || this.state !== 'recording') return null;
    if (track.producer && !track.producer.closed) return track.producer;
    const live = this.live;
    for (const p of live?.currentMedia?.allProducers() ?? []) {
      if (p.closed || p.appData.source !== track.key.source) continue;
      const owner = live!.peers.get(p.appData.peerId)?.info;
      if (!owner) continue;
      const classroomId = owner.lessonRole === 'classroom' ? owner.classroomId : null;
      if (classroomId !== track.key.classroomId || (!classroomId && owner.userId !== track.key.userId)) continue;
      track.producer = p;
      return p;
    }
    return null;
  }

  private async salvageOpen(trackId: string): Promise<void> {
    const open = await this.deps.db.query<{ seq: number; path: string; start_ms: number }>(
      "select seq, path, start_ms from recording_segments where track_id = $1 and state = 'open'",
      [trackId],
    );
    for (const o of open) {
      const file = path.join(this.deps.dataDir, o.path);
      const duration = await salvage(file);
      const bytes = (await stat(file).catch(() => null))?.size ?? 0;
      const startMs = Number(o.start_ms);
      await repo.closeSegment(this.deps.db, {
        trackId,
        seq: Number(o.seq),
        path: o.path,
        startMs,
        endMs: duration === null ? startMs : Math.round(startMs + duration * 1000),
        bytes,
        state: duration === null ? 'corrupt' : 'closed',
      });
      if (duration !== null) this.deps.onSegmentClosed?.({ lessonId: this.lessonId, trackId, seq: Number(o.seq) });
    }
  }

  private async labelFor(key: repo.TrackKey, displayName: string): Promise<string> {
    let who = displayName;
    if (key.classroomId) {
      const rows = await this.deps.db.query<{ name: string; school: string }>(
        'select c.name, s.name as school from classrooms c join schools s on s.id = c.school_id where c.id = $1',
        [key.classroomId],
      );
      if (rows[0]) who = `${rows[0].school} ${rows[0].name}`;
    }
    return `${who} ${SOURCE_LABEL[key.source]}`;
  }

  private startRun(track: Track, live: LiveLesson, producer: types.Producer<ProducerMeta>): void {
    const media = live.currentMedia;
    if (producer.closed || !media || track.run) return;
    const run = new RecorderRun({
      router: media.router,
      producer,
      dataDir: this.deps.dataDir,
      trackDir: recPaths.trackDir(this.lessonId, track.id),
      firstSeq: track.nextSeq,
      runNo: ++track.runNo,
      segmentMs: this.deps.segmentMs,
      ports: this.deps.ports,
      clock: this.clock,
      keyFramesHeld: () => live.currentMedia?.keyFramesHeld ?? false,
      armed: this.armed,
    });
    track.run = run;
    const ids = { lessonId: this.lessonId, trackId: track.id, producerId: producer.id, peerId: producer.appData.peerId, runNo: track.runNo };
    log.info(this.armed ? 'recorder run arming' : 'recorder run starting', ids);
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
            this.deps.onSegmentClosed?.({ lessonId: this.lessonId, trackId: track.id, seq: seg.seq });
          } catch (err) {
            log.error('onSegmentClosed failed', { err });
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
          this.deps.onRecorderRestarted?.({ trackId: track.id, label: track.label, cause: 'stalled' });
        }
        if (end.enospc) {
          track.gapReason = 'disk-full';
          this.deps.onDiskFull();
          return;
        }
        // A crash the track recovers from (its producer is still the one to record): the
        // teacher hears of it, as of a stall. (A full disk says so through recording:state.)
        if (!end.stalled && !this.ended && this.state === 'recording' && !producer.closed && track.producer === producer) {
          this.deps.onRecorderRestarted?.({ trackId: track.id, label: track.label, cause: 'crashed' });
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
    if (this.ended || this.state !== 'recording' || track.restartTimer) return;
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

  /** A stopRuns() still in progress (a pause answers before its recorders have closed). */
  stopping: Promise<void> | null = null;

  /** Ends every run (ffmpeg closes its segments) and waits for the bookkeeping. */
  async stopRuns(reason: GapReason): Promise<void> {
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

  /** An armed recording that will not go live: its recorders end, their files go (nothing was recorded). */
  async discard(): Promise<void> {
    this.ended = true;
    this.discarded = true;
    await this.stopRuns('source-gone');
    const abs = (rel: string) => path.join(this.deps.dataDir, rel);
    for (const t of this.tracks.values()) {
      if (!t.stored) await rm(abs(recPaths.trackDir(this.lessonId, t.id)), { recursive: true, force: true });
    }
    // The folders go too when they are empty now (rmdir refuses otherwise).
    await rmdir(abs(recPaths.tracksDir(this.lessonId))).catch(() => undefined);
    await rmdir(abs(recPaths.lessonDir(this.lessonId))).catch(() => undefined);
  }

  /** Test hook: the recorder process of a track. */
  runOf(trackId: string): RecorderRun | null {
    for (const t of this.tracks.values()) if (t.id === trackId) return t.run;
    return null;
  }
}
