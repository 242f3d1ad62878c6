// A lesson while people are in it: its participants, raised hands, stage and mutes, and
// its media, and its recording (a child: LiveLesson → LessonRecording → RecorderRun, which
// sees the lesson only through the RecordingHost port). Decides, per participant, which
// producers it consumes (reconcile()).
// Stage, mutes and hands are keyed by classroom, not by connection, so a projector that
// reconnects finds its hand still raised and its stage still held.
import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import type { Db } from '../db/db.js';
import type { Lesson, LessonRole, PeerInfo, PublicUser, RaisedHand } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { LessonMedia } from '../../media/LessonMedia.js';
import { closedMeanwhile, goneIfClosed } from '../../media/MediaPeer.js';
import type { ProducerMeta } from '../../media/MediaPeer.js';
import type { WorkerPool } from '../../media/WorkerPool.js';
import { recordLessonEvent, saveLiveState } from '../lessons/repo.js';
import type { LessonEventPayload, LessonEventType } from '../contract/lessonEvents.js';
import { logger } from '../contract/log.js';
import { receives } from './policy.js';
import type { RecordingService } from '../recordings/RecordingService.js';
import type { LessonRecording } from '../recordings/LessonRecording.js';
import type { RecordedLesson, RecordingHost } from '../recordings/RecordingHost.js';
import type { LiveServer, LiveSocket } from './types.js';
import { KeyedSerial } from '../contract/keyedSerial.js';
import { addLiveWatch } from '../workspace/watchRepo.js';

const log = logger('live.lesson');
const CONSUMER_ACK_TIMEOUT_MS = 10_000;

const ignoreIfClosed = (obj: { closed: boolean }) => async (err: unknown) => {
  if (!(await closedMeanwhile(obj))) throw err;
};

export interface LivePeer {
  info: PeerInfo;
  socket: LiveSocket;
}

/**
 * Why a live lesson closes here: the lesson ended; everyone left a while ago (its router is
 * freed; it opens again on the next join); the server shuts down.
 */
export type LiveLessonCloseReason = 'lesson-end' | 'lesson-closed' | 'server-stopped';

interface LiveState {
  stageClassroomId: string | null;
  mutedClassroomIds: string[];
  hands: RaisedHand[];
}

export class LiveLesson implements RecordedLesson {
  readonly peers = new Map<string, LivePeer>();
  private state: LiveState;
  private mediaNow: LessonMedia | null = null;
  private mediaPending: Promise<LessonMedia> | null = null;
  private readonly reconciling = new KeyedSerial<string>();
  /** When each watcher (observer, or a teacher in another's lesson) joined: written as watch time when they leave. */
  private readonly watchingSince = new Map<string, number>();
  private closed = false;
  /** Why close() was called, and its one promise (the recording's stop or close). */
  private closeReason: LiveLessonCloseReason | null = null;
  private closing: Promise<void> | null = null;
  /**
   * The lesson's recordings (children): normally one; for a moment two in the lobby (a
   * producer armed one while the start was checking the other, which the start then discards),
   * or while one closing with an earlier close hands over to a new one.
   */
  private readonly recordings = new Set<LessonRecording>();

  /** All the recording sees of this lesson (see RecordingHost). */
  readonly recordingHost: RecordingHost;

  constructor(
    public lesson: Lesson,
    private readonly deps: { db: Db; io: LiveServer; pool: WorkerPool; recordings?: RecordingService },
    saved: Partial<LiveState>,
  ) {
    this.state = {
      stageClassroomId: saved.stageClassroomId ?? null,
      mutedClassroomIds: saved.mutedClassroomIds ?? [],
      hands: saved.hands ?? [],
    };
    this.recordingHost = {
      lessonId: lesson.id,
      hostClassroomId: lesson.hostClassroomId,
      router: () => this.currentMedia?.router ?? null,
      producers: () => this.currentMedia?.allProducers() ?? [],
      owner: (peerId) => this.peers.get(peerId)?.info,
      keyFramesHeld: () => this.currentMedia?.keyFramesHeld ?? false,
    };
  }

  /** The lesson's recording while it has one here (made by RecordingService, owned by this lesson). */
  get recording(): LessonRecording | null {
    let open: LessonRecording | null = null;
    for (const r of this.recordings) if (!r.closing && (!open || open.armed || !r.armed)) open = r;
    return open;
  }

  /** Takes the recording as this lesson's child; one arriving after close() is ended at once, the same way. */
  adoptRecording(rec: LessonRecording): void {
    if (this.recordings.has(rec)) return;
    if (this.closeReason) {
      void this.endRecording(rec, this.closeReason).catch((err) => log.error('could not end the recording', { lessonId: this.lesson.id, err }));
      return;
    }
    this.recordings.add(rec);
    rec.once('close', () => this.recordings.delete(rec));
  }

  private endRecording(rec: LessonRecording, why: LiveLessonCloseReason): Promise<void> {
    return why === 'lesson-end' ? rec.stop('lesson-end') : rec.close(why);
  }

  get room(): string {
    return `lesson:${this.lesson.id}`;
  }
  get stageClassroomId(): string | null {
    return this.state.stageClassroomId;
  }
  get mutedClassroomIds(): string[] {
    return [...this.state.mutedClassroomIds];
  }
  get hands(): RaisedHand[] {
    return [...this.state.hands];
  }
  get isClosed(): boolean {
    return this.closed;
  }

  /** The lesson's media, re-created on a fresh worker if the old one died. */
  async media(): Promise<LessonMedia> {
    if (this.closed) throw new AppError('CONFLICT', 'lesson is not live here any more');
    if (this.mediaNow && !this.mediaNow.isClosed) return this.mediaNow;
    if (!this.mediaPending) {
      this.mediaPending = LessonMedia.create(this.deps.pool)
        .then((m) => {
          if (this.closed) {
            m.close();
            throw new AppError('CONFLICT', 'lesson closed');
          }
          this.wireMedia(m);
          this.mediaNow = m;
          return m;
        })
        .finally(() => (this.mediaPending = null));
    }
    return this.mediaPending;
  }

  /** Media if it exists right now (for counts), without creating it. */
  get currentMedia(): LessonMedia | null {
    return this.mediaNow && !this.mediaNow.isClosed ? this.mediaNow : null;
  }

  addPeer(socket: LiveSocket, user: PublicUser, lessonRole: LessonRole): LivePeer {
    // One seat per user: a reconnecting browser replaces its stale self.
    for (const p of this.peers.values()) if (p.info.userId === user.id) this.removePeer(p.info.peerId);
    const info: PeerInfo = {
      peerId: randomUUID(),
      userId: user.id,
      displayName: user.displayName,
      lessonRole,
      classroomId: lessonRole === 'classroom' ? user.classroomId : null,
    };
    const peer = { info, socket };
    this.peers.set(info.peerId, peer);
    socket.join(this.room);
    socket.to(this.room).emit('peer:joined', info);
    log.info('peer joined', { lessonId: this.lesson.id, peerId: info.peerId, userId: info.userId, lessonRole, classroomId: info.classroomId });
    void this.logPresence('presence:join', info);
    if (lessonRole !== 'classroom' && user.id !== this.lesson.teacherId) this.watchingSince.set(info.peerId, Date.now());
    return peer;
  }

  /** 师徒结对 counts watching another's lesson live: the stay's part inside the live lesson (not the lobby). */
  private logWatch(info: PeerInfo): Promise<void> {
    const since = this.watchingSince.get(info.peerId);
    this.watchingSince.delete(info.peerId);
    if (since === undefined || !this.lesson.startedAt) return Promise.resolve();
    const now = Date.now();
    const end = this.lesson.endedAt ? Math.min(now, Date.parse(this.lesson.endedAt)) : now;
    const seconds = (end - Math.max(since, Date.parse(this.lesson.startedAt))) / 1000;
    return addLiveWatch(this.deps.db, { userId: info.userId, lessonId: this.lesson.id, seconds, at: new Date(now) }).catch((err) =>
      log.error('could not record watch time', { lessonId: this.lesson.id, err }),
    );
  }

  /**
   * Attendance (the pairing's targets count a lesson by it): a projector stands for its own
   * classroom, the teacher for the host classroom; observers attend no classroom.
   */
  private logPresence(type: 'presence:join' | 'presence:leave', info: PeerInfo): Promise<void> {
    const classroomId = info.lessonRole === 'classroom' ? info.classroomId : info.lessonRole === 'teacher' ? this.lesson.hostClassroomId : null;
    return classroomId ? this.logEvent(type, info.userId, { classroomId, peerId: info.peerId }) : Promise.resolve();
  }

  removePeer(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (!peer) return;
    this.peers.delete(peerId);
    log.info('peer left', { lessonId: this.lesson.id, peerId, userId: peer.info.userId });
    void this.logPresence('presence:leave', peer.info);
    void this.logWatch(peer.info);
    this.currentMedia?.closePeer(peerId);
    peer.socket.leave(this.room);
    this.deps.io.to(this.room).emit('peer:left', { peerId });
  }

  peer(peerId: string): LivePeer {
    const p = this.peers.get(peerId);
    if (!p) throw new AppError('CONFLICT', 'join the lesson first');
    return p;
  }

  // ---- media --------------------------------------------------------------

  async setRtpCapabilities(peerId: string, caps: types.RtpCapabilities): Promise<void> {
    const media = await this.media();
    if (!media.router.rtpCapabilities.codecs?.some((rc) => caps.codecs?.some((c) => c.mimeType.toLowerCase() === rc.mimeType.toLowerCase()))) {
      throw new AppError('BAD_REQUEST', 'no codec in common with the lesson');
    }
    media.peer(peerId).rtpCapabilities = caps;
    media.holdKeyFramesFor(peerId);
    // Not awaited: consuming waits on the client's consumer:new acks, and the client's
    // own transport:connect request queues behind this handler on the same socket. After
    // this turn, so that the request's ack (which carries the transports) goes out first.
    setImmediate(() => void this.reconcile(peerId));
  }

  async produce(
    peerId: string,
    opts: { transportId: string; kind: 'audio' | 'video'; source: ProducerMeta['source']; rtpParameters: types.RtpParameters },
  ): Promise<types.Producer<ProducerMeta>> {
    const { info } = this.peer(peerId);
    const media = await this.media();
    const expectedKind = opts.source === 'mic' ? 'audio' : 'video';
    if (opts.kind !== expectedKind) throw new AppError('BAD_REQUEST', `${opts.source} must be ${expectedKind}`);
    const producer = await media.produce(peerId, {
      transportId: opts.transportId,
      kind: opts.kind,
      rtpParameters: opts.rtpParameters,
      meta: { peerId, classroomId: info.classroomId, source: opts.source },
    });
    if (opts.source === 'mic' && info.classroomId && this.state.mutedClassroomIds.includes(info.classroomId)) {
      await producer.pause();
    }
    if (opts.source === 'screen') void this.logEvent('screen:start', info.userId, {});
    this.reconcileAll();
    return producer;
  }

  async resumeOwnProducer(peerId: string, producerId: string): Promise<void> {
    const { info } = this.peer(peerId);
    const media = await this.media();
    const p = media.peer(peerId).producers.get(producerId);
    if (!p) throw new AppError('NOT_FOUND', 'no such producer');
    if (p.appData.source === 'mic' && info.classroomId && this.state.mutedClassroomIds.includes(info.classroomId)) {
      throw new AppError('FORBIDDEN', 'the teacher has muted this classroom');
    }
    await p.resume().catch(goneIfClosed(p, 'producer'));
  }

  /** Brings each participant's consumers in line with who should receive what now. */
  reconcileAll(): void {
    for (const peerId of this.peers.keys()) void this.reconcile(peerId);
  }

  reconcile(peerId: string): Promise<void> {
    // One reconciliation per peer at a time, so a producer is never consumed twice.
    return this.reconciling.run(peerId, () => this.reconcileNow(peerId)).catch((err) => {
      // Expected races: the peer left, or the lesson or its media closed (a media worker restart)
      // meanwhile. Anything else — an AppError included — is a bug, and is logged with its stack.
      const gone = this.closed || !this.peers.has(peerId) || !this.currentMedia;
      const raced = gone || (err instanceof AppError && err.code === 'UNAVAILABLE');
      if (raced) log.debug('reconcile stopped by a race', { lessonId: this.lesson.id, peerId, err });
      else log.warn('reconcile failed', { lessonId: this.lesson.id, peerId, err });
    });
  }

  private async reconcileNow(peerId: string): Promise<void> {
    const peer = this.peers.get(peerId);
    const media = this.currentMedia;
    const mp = media?.peers.get(peerId);
    if (!peer || !media || !mp?.rtpCapabilities) return;
    const wanted = new Map<string, types.Producer<ProducerMeta>>();
    for (const p of media.allProducers()) {
      const owner = this.peers.get(p.appData.peerId)?.info;
      if (!owner || owner.peerId === peerId || p.closed) continue;
      if (receives(peer.info, owner, p.appData.source, this.state.stageClassroomId)) wanted.set(p.id, p);
    }
    for (const [producerId, consumer] of mp.consumers) if (!wanted.has(producerId)) consumer.close();
    for (const producer of wanted.values()) {
      if (mp.consumers.has(producer.id)) continue;
      const consumer = await media.consume(peerId, producer);
      if (!consumer) continue;
      const res = await peer.socket
        .timeout(CONSUMER_ACK_TIMEOUT_MS)
        .emitWithAck('consumer:new', {
          consumerId: consumer.id,
          producerId: producer.id,
          peerId: producer.appData.peerId,
          classroomId: producer.appData.classroomId,
          source: producer.appData.source,
          kind: consumer.kind,
          rtpParameters: consumer.rtpParameters,
          producerPaused: consumer.producerPaused,
        })
        .catch(() => null);
      // Closed while resuming (its producer went): skip it, do not abort the rest of the pass.
      if (res?.ok && !consumer.closed) await consumer.resume().catch(ignoreIfClosed(consumer));
      else consumer.close();
    }
  }

  private wireMedia(media: LessonMedia): void {
    media.on('lost', () => {
      log.warn('media worker lost; re-creating lesson media', { lessonId: this.lesson.id });
      if (this.closed) return;
      void this.media()
        .then(() => this.deps.io.to(this.room).emit('media:reset'))
        .catch((err) => log.error('could not re-create lesson media', { err }));
    });
    // Every producer, also one re-published after a reconnect or a media worker restart.
    media.on('producerAdded', (p) => {
      log.info('producer added', { lessonId: this.lesson.id, peerId: p.appData.peerId, producerId: p.id, source: p.appData.source, kind: p.kind });
      this.deps.recordings?.producerAdded(this, p);
    });
    media.on('producerClosed', (p) => {
      log.info('producer closed', { lessonId: this.lesson.id, peerId: p.appData.peerId, producerId: p.id, source: p.appData.source });
      if (p.appData.source === 'screen') void this.logEvent('screen:stop', null, {});
    });
    const toPeer = (peerId: string) => this.peers.get(peerId)?.socket;
    media.on('consumerClosed', (peerId, consumerId) => toPeer(peerId)?.emit('consumer:closed', { consumerId }));
    media.on('consumerPaused', (peerId, consumerId) => toPeer(peerId)?.emit('consumer:paused', { consumerId }));
    media.on('consumerResumed', (peerId, consumerId) => toPeer(peerId)?.emit('consumer:resumed', { consumerId }));
    media.on('audioLevels', (levels) => {
      const payload = levels
        .filter((l) => l.producer.appData.classroomId)
        .map((l) => ({ classroomId: l.producer.appData.classroomId as string, volume: l.volume }));
      for (const p of this.peers.values()) if (p.info.lessonRole === 'teacher') p.socket.emit('audio:levels', payload);
    });
  }

  // ---- classroom control -----------------------------------------------------

  raiseHand(classroomId: string, actorId: string): void {
    if (this.state.hands.some((h) => h.classroomId === classroomId)) return;
    this.state.hands.push({ classroomId, raisedAt: new Date().toISOString() });
    this.afterHandsChange('hand:raise', actorId, { classroomId });
  }

  lowerHand(classroomId: string, actorId: string): void {
    const before = this.state.hands.length;
    this.state.hands = this.state.hands.filter((h) => h.classroomId !== classroomId);
    if (this.state.hands.length !== before) this.afterHandsChange('hand:lower', actorId, { classroomId });
  }

  setStage(classroomId: string | null, actorId: string): void {
    if (classroomId !== null) this.assertReceiving(classroomId);
    if (this.state.stageClassroomId === classroomId) return;
    this.state.stageClassroomId = classroomId;
    if (classroomId) this.state.hands = this.state.hands.filter((h) => h.classroomId !== classroomId);
    this.deps.io.to(this.room).emit('stage:updated', { classroomId });
    this.deps.io.to(this.room).emit('hands:updated', this.hands);
    void this.persist();
    void (classroomId ? this.logEvent('stage:on', actorId, { classroomId }) : this.logEvent('stage:off', actorId, { classroomId: null }));
    this.reconcileAll();
  }

  async setMuted(classroomId: string, muted: boolean, actorId: string): Promise<void> {
    this.assertReceiving(classroomId);
    const set = new Set(this.state.mutedClassroomIds);
    if (muted) set.add(classroomId);
    else set.delete(classroomId);
    this.state.mutedClassroomIds = [...set];
    const media = this.currentMedia;
    for (const p of media?.allProducers() ?? []) {
      if (p.appData.classroomId === classroomId && p.appData.source === 'mic') {
        // A mic that closes meanwhile must not abort the mute and its broadcast.
        if (muted) await p.pause().catch(ignoreIfClosed(p));
        else await p.resume().catch(ignoreIfClosed(p));
      }
    }
    this.deps.io.to(this.room).emit('classroom:muted', { mutedClassroomIds: this.mutedClassroomIds });
    void this.persist();
    void this.logEvent(muted ? 'classroom:mute' : 'classroom:unmute', actorId, { classroomId });
  }

  assertReceiving(classroomId: string): void {
    if (!this.lesson.receivingClassroomIds.includes(classroomId)) {
      throw new AppError('BAD_REQUEST', 'that classroom is not in this lesson');
    }
  }

  private afterHandsChange(type: 'hand:raise' | 'hand:lower', actorId: string, payload: LessonEventPayload<'hand:raise'>): void {
    this.deps.io.to(this.room).emit('hands:updated', this.hands);
    void this.persist();
    void this.logEvent(type, actorId, payload);
  }

  logEvent<T extends LessonEventType>(type: T, actorId: string | null, payload: LessonEventPayload<T>): Promise<void> {
    return recordLessonEvent(this.deps.db, this.lesson.id, type, actorId, payload).catch((err) =>
      log.error('could not record lesson event', { type, err }),
    );
  }

  private persist(): Promise<void> {
    return saveLiveState(this.deps.db, this.lesson.id, this.state).catch((err) => log.error('could not persist live state', { err }));
  }

  counts(): { peers: number; producers: number; consumers: number; transports: number } {
    const m = this.currentMedia?.counts();
    return { peers: this.peers.size, producers: m?.producers ?? 0, consumers: m?.consumers ?? 0, transports: m?.transports ?? 0 };
  }

  /**
   * Idempotent, cascading: forgets participants (their sockets stay connected), stops the
   * recording (at the lesson's end: stopped for good; otherwise its recorders close and it
   * goes on from what is stored when the lesson is live here again; armed ones are discarded),
   * closes the media. Resolves when the recording has finished writing.
   */
  close(why: LiveLessonCloseReason): Promise<void> {
    if (this.closing) return this.closing;
    this.closed = true;
    this.closeReason = why;
    // Everyone here stops attending with the close (a restart's gap is not attendance); awaited
    // below, so an ordered shutdown writes them before the database closes.
    const leaves = [...this.peers.values()].flatMap((p) => [this.logPresence('presence:leave', p.info), this.logWatch(p.info)]);
    for (const p of this.peers.values()) p.socket.leave(this.room);
    this.peers.clear();
    // The recording first: from this call on it records nothing, so its recorders end as the
    // lesson's end (or a close), not as a gap when the media goes right after.
    const open = [...this.recordings].filter((r) => !r.closing);
    const recording = open.length
      ? Promise.all(open.map((r) => this.endRecording(r, why)))
      : why === 'lesson-end'
        ? this.deps.recordings?.lessonEnded(this)
        : undefined;
    this.mediaNow?.close();
    this.mediaNow = null;
    // Closing ones (handing over) are awaited too: the lesson's recording has finished writing when this resolves.
    const closing = [...this.recordings].filter((r) => r.closing).map((r) => r.finished);
    this.closing = Promise.all([recording, ...closing, ...leaves]).then(() => undefined).catch((err) => log.error('the recording did not stop cleanly', { lessonId: this.lesson.id, why, err }));
    return this.closing;
  }
}
