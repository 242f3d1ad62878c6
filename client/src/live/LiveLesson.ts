// One live lesson as seen by this browser: join → media → live, and back again by itself after
// any loss (socket disconnect, server restart, media:reset, transports that stay down).
// Holds an immutable state object for React (useSyncExternalStore) and the user's actions.
import type { ChatMessage, Lesson, LessonRole, PeerInfo, Quiz, QuizAnswer, RaisedHand, RecordingStatus } from '../../../server/contract/domain.js';
import type { ClientEventName, ClientPayload, ClientResults, JoinedMedia, LessonSnapshot, NewConsumer, RecordingNotice } from '../../../server/contract/events.js';
import type { Ack } from '../../../server/contract/errors.js';
import type { LessonResponse } from '../../../server/contract/api.js';
import { api } from '../api.js';
import { tr } from '../i18n/index.js';
import { toast } from '../toast.js';
import { LessonClient, RequestError } from './LessonClient.js';
import { MediaSession, isClosedError, type ConsumerInfo, type ConsumerStats, type ProducerInfo, type PublishMode } from './MediaSession.js';
import { classifyNetQuality, lossBetween, sampleFromStats, type NetQuality, type NetSample } from './netQuality.js';
import { reconnectDelay } from './reconnect.js';
import { preloadDevice, rememberedCaps, sameCaps, type JoinCaps } from './devicePreload.js';

export type ViewMode = 'teach' | 'projector' | 'observe';
export type Phase = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'fatal';

export interface LiveState {
  lessonId: string;
  mode: ViewMode;
  phase: Phase;
  socketConnected: boolean;
  error: string | null;
  lesson: Lesson | null;
  self: PeerInfo | null;
  peers: PeerInfo[];
  stageClassroomId: string | null;
  mutedClassroomIds: string[];
  hands: RaisedHand[];
  chat: ChatMessage[];
  quiz: { quiz: Quiz; answers: QuizAnswer[] } | null;
  /** 录制中 / paused / stopped (disk full), and classrooms not recorded (no consent). */
  recording: RecordingStatus;
  /** Recording faults the server recovered from (teacher only), newest last, until dismissed. */
  recordingNotices: RecordingNoticeItem[];
  /** dBov (-127..0) per classroom, from `audio:levels` (teacher only). */
  audioLevels: Record<string, number>;
  consumers: ConsumerInfo[];
  producers: ProducerInfo[];
  localCamera: MediaStreamTrack | null;
  localMic: MediaStreamTrack | null;
  localScreen: MediaStreamTrack | null;
  netQuality: NetQuality;
}

export interface TestState {
  connected: boolean;
  lessonState: Lesson['state'] | null;
  lessonRole: LessonRole | null;
  stageClassroomId: string | null;
  hands: RaisedHand[];
  consumers: number;
  producers: { source: string; kind: string }[];
  phase: Phase;
  socketConnected: boolean;
  lessonId: string;
  selfClassroomId: string | null;
  mutedClassroomIds: string[];
  quizId: string | null;
  netQuality: NetQuality;
  recording: RecordingStatus;
}

/** One line per track and cause: a recorder that keeps failing counts up instead of stacking. */
export interface RecordingNoticeItem extends RecordingNotice {
  key: string;
  count: number;
  /** When it last happened (ms since epoch). */
  at: number;
}

const NOTICES_KEEP = 4;

/** What a full lesson:join brought for the media part, and the capabilities it sent. */
interface JoinResult {
  media: JoinedMedia | null;
  caps: JoinCaps;
}

const CHAT_KEEP = 200;
const LEVEL_STALE_MS = 1500;

const CAMERA_CONSTRAINTS: Record<'teacher' | 'classroom', MediaTrackConstraints> = {
  teacher: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30, max: 30 } },
  classroom: { width: { ideal: 640 }, height: { ideal: 360 }, frameRate: { ideal: 20, max: 25 } },
};
const MIC_CONSTRAINTS: MediaTrackConstraints = { echoCancellation: true, noiseSuppression: true, autoGainControl: true };

export class LiveLesson {
  private readonly client: LessonClient;
  private stateValue: LiveState;
  private listeners = new Set<() => void>();
  private session: MediaSession | null = null;
  private gen = 0;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private joinedSocketId: string | null = null;
  private router: { rtpCapabilities: unknown; capsKey: string } | null = null;
  private started = false;
  private stopped = false;
  private timers: ReturnType<typeof setInterval>[] = [];
  private levelsAt = 0;
  private lastNet: NetSample | null = null;
  private localTracksPromise: Promise<void> | null = null;
  private warned = new Set<string>();
  private sentLayers = new Map<string, number>();

  constructor(
    readonly lessonId: string,
    readonly mode: ViewMode,
    client?: LessonClient,
  ) {
    this.client = client ?? new LessonClient();
    preloadDevice();
    this.stateValue = {
      lessonId,
      mode,
      phase: 'connecting',
      socketConnected: false,
      error: null,
      lesson: null,
      self: null,
      peers: [],
      stageClassroomId: null,
      mutedClassroomIds: [],
      hands: [],
      chat: [],
      quiz: null,
      recording: { state: 'off', reason: null, unrecordedClassroomIds: [] },
      recordingNotices: [],
      audioLevels: {},
      consumers: [],
      producers: [],
      localCamera: null,
      localMic: null,
      localScreen: null,
      netQuality: 'good',
    };
  }

  // ---- store ----

  get state(): LiveState {
    return this.stateValue;
  }

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  getSnapshot = (): LiveState => this.stateValue;

  private set(patch: Partial<LiveState>): void {
    this.stateValue = { ...this.stateValue, ...patch };
    for (const l of this.listeners) l();
  }

  // ---- lifecycle ----

  /** Connects and joins, then keeps itself joined. Once (a view may adopt a started lesson). */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const ev = this.client.events;
    ev.on('connected', () => {
      this.set({ socketConnected: true });
      this.joinedSocketId = null; // a new socket: join again
      void this.attempt();
    });
    ev.on('disconnected', () => {
      this.gen++;
      this.clearRetry();
      this.teardownMedia();
      if (this.isOver()) return;
      this.set({ socketConnected: false, phase: 'reconnecting', netQuality: 'poor' });
    });
    ev.on('connectError', ({ unauthenticated }) => {
      if (this.isOver()) return;
      if (this.stateValue.phase !== 'reconnecting') this.set({ phase: 'reconnecting', netQuality: 'poor' });
      if (unauthenticated) this.checkAuth();
    });
    ev.on('media:reset', () => {
      if (this.isOver()) return;
      this.gen++;
      this.teardownMedia();
      this.set({ phase: 'reconnecting', netQuality: 'poor' });
      void this.attempt(); // same socket: only the media part
    });
    ev.on('consumer:new', (c, ack) => this.onNewConsumer(c, ack));
    ev.on('consumer:closed', ({ consumerId }) => {
      this.sentLayers.delete(consumerId);
      this.session?.closeConsumer(consumerId);
    });
    ev.on('consumer:paused', ({ consumerId }) => this.session?.setProducerPaused(consumerId, true));
    ev.on('consumer:resumed', ({ consumerId }) => this.session?.setProducerPaused(consumerId, false));
    ev.on('peer:joined', (peer) => {
      this.set({ peers: [...this.stateValue.peers.filter((p) => p.peerId !== peer.peerId), peer] });
    });
    ev.on('peer:left', ({ peerId }) => {
      this.set({ peers: this.stateValue.peers.filter((p) => p.peerId !== peerId) });
    });
    ev.on('lesson:state', (lesson) => this.onLesson(lesson));
    ev.on('hands:updated', (hands) => this.set({ hands }));
    ev.on('stage:updated', ({ classroomId }) => this.set({ stageClassroomId: classroomId }));
    ev.on('classroom:muted', ({ mutedClassroomIds }) => this.set({ mutedClassroomIds }));
    ev.on('recording:state', (recording) => {
      if (recording.reason === 'disk_full' && this.stateValue.recording.reason !== 'disk_full' && this.mode === 'teach') {
        toast.error(tr('recording.diskFull'));
      }
      this.set({ recording });
    });
    ev.on('recording:notice', (n) => this.addRecordingNotice(n));
    ev.on('audio:levels', (levels) => {
      const audioLevels: Record<string, number> = {};
      for (const l of levels) audioLevels[l.classroomId] = l.volume;
      this.levelsAt = Date.now();
      this.set({ audioLevels });
    });
    ev.on('chat:message', (m) => this.addChat(m));
    ev.on('quiz:pushed', (quiz) => {
      const cur = this.stateValue.quiz;
      this.set({ quiz: cur && cur.quiz.id === quiz.id ? { ...cur, quiz } : { quiz, answers: [] } });
    });
    ev.on('quiz:results', (r) => this.set({ quiz: r }));

    this.timers.push(
      setInterval(() => {
        if (this.levelsAt && Date.now() - this.levelsAt > LEVEL_STALE_MS && Object.keys(this.stateValue.audioLevels).length) {
          this.set({ audioLevels: {} });
        }
      }, 500),
      setInterval(() => void this.sampleNetwork(), 2000),
    );
    if (this.client.connected) {
      // A socket handed in already connected: the 'connected' event has passed.
      this.set({ socketConnected: true });
      void this.attempt();
    } else {
      this.client.connect();
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.gen++;
    this.clearRetry();
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.teardownMedia();
    this.stopLocalTracks();
    const client = this.client;
    if (client.connected) {
      client.request('lesson:leave', {}, 2000).catch(() => undefined).finally(() => client.close());
    } else {
      client.close();
    }
    this.listeners.clear();
  }

  private isOver(): boolean {
    return this.stopped || this.stateValue.phase === 'ended' || this.stateValue.phase === 'fatal';
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private scheduleRetry(): void {
    this.clearRetry();
    this.attempts += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.attempt();
    }, reconnectDelay(this.attempts));
  }

  private checkAuth(): void {
    // A 401 here makes the app go to /login (see App's unauthenticated handler).
    api('GET', '/api/me').catch(() => undefined);
  }

  /** (Re)join the lesson if this socket hasn't, then (re)do the media part. Retries with backoff. */
  private async attempt(): Promise<void> {
    if (this.isOver()) return;
    this.clearRetry();
    const gen = ++this.gen;
    this.teardownMedia();
    if (!this.client.connected) return; // the 'connected' event brings us back
    const fullJoin = this.joinedSocketId === null || this.joinedSocketId !== this.client.socketId;
    try {
      let joined: JoinResult | null = null;
      if (fullJoin) {
        // The transports (and, for a browser that joined before, our capabilities) come with
        // the join: one round trip before media flows instead of three.
        const caps = rememberedCaps();
        const snap = await this.client.request('lesson:join', {
          lessonId: this.lessonId,
          media: { send: this.mode !== 'observe', caps },
        });
        if (gen !== this.gen) return;
        this.applySnapshot(snap);
        this.joinedSocketId = this.client.socketId ?? null;
        if (snap.lesson.state === 'ended') {
          this.finishEnded();
          return;
        }
        joined = { media: snap.media, caps };
      }
      const session = await this.startMedia(gen, joined);
      if (gen !== this.gen) return;
      this.attempts = 0;
      this.set({ phase: 'live', error: null });
      void this.publishAll(session);
    } catch (e) {
      if (gen !== this.gen || this.isOver()) return; // superseded by a newer attempt or teardown
      this.teardownMedia();
      const code = e instanceof RequestError ? e.code : null;
      console.warn('[tongbu] join/media attempt failed', e);
      if (fullJoin && (code === 'NOT_FOUND' || code === 'FORBIDDEN')) {
        this.set({ phase: 'fatal', error: (e as Error).message });
        return;
      }
      if (fullJoin && code === 'CONFLICT' && (await this.lessonHasEnded())) {
        if (gen === this.gen && !this.isOver()) this.finishEnded();
        return;
      }
      if (gen !== this.gen || this.isOver()) return;
      if (code === 'UNAUTHENTICATED') this.checkAuth();
      if (!fullJoin && (code === 'CONFLICT' || code === 'NOT_FOUND' || code === 'FORBIDDEN')) {
        this.joinedSocketId = null; // the server forgot us: join again next time
      }
      this.set({ phase: 'reconnecting', netQuality: 'poor' });
      this.scheduleRetry();
    }
  }

  /** lesson:join answers CONFLICT for an ended lesson: ask the REST API which it is. */
  private async lessonHasEnded(): Promise<boolean> {
    try {
      const { lesson } = await api<LessonResponse>('GET', `/api/lessons/${encodeURIComponent(this.lessonId)}`);
      if (lesson.state !== 'ended') return false;
      this.set({ lesson });
      return true;
    } catch {
      return false;
    }
  }

  private applySnapshot(snap: LessonSnapshot): void {
    this.router = { rtpCapabilities: snap.routerRtpCapabilities, capsKey: snap.routerCapsKey };
    this.set({
      lesson: snap.lesson,
      self: snap.self,
      peers: snap.peers,
      stageClassroomId: snap.stageClassroomId,
      mutedClassroomIds: snap.mutedClassroomIds,
      hands: snap.hands,
      chat: mergeChat([], snap.chat),
      quiz: snap.quiz,
      recording: snap.recording ?? this.stateValue.recording,
    });
  }

  private publishMode(): PublishMode {
    const role = this.stateValue.self?.lessonRole;
    if (this.mode === 'teach' && role === 'teacher') return 'teacher';
    if (this.mode === 'projector' && role === 'classroom') return 'classroom';
    return 'none';
  }

  private async startMedia(gen: number, joined: JoinResult | null): Promise<MediaSession> {
    if (!this.router) throw new Error('not joined');
    const session = new MediaSession(this.client, this.router, this.publishMode());
    this.session = session;
    session.events.on('consumers', (list) => {
      if (this.session === session) this.set({ consumers: list });
    });
    session.events.on('producers', (list) => {
      if (this.session === session) this.set({ producers: list });
    });
    session.events.on('failed', (reason) => {
      if (this.session !== session || this.isOver()) return;
      console.warn('[tongbu] media transport stayed down, redoing media:', reason);
      this.gen++;
      this.teardownMedia();
      this.set({ phase: 'reconnecting', netQuality: 'poor' });
      void this.attempt();
    });
    await session.start(joined?.media ?? null);
    if (gen !== this.gen) throw new Error('superseded');
    // The server consumes with the capabilities we remembered; a changed browser sends its own.
    if (!joined?.media?.consuming || !sameCaps(joined.caps?.rtpCapabilities, session.rtpCapabilities)) {
      await this.client.request('media:ready', {
        rtpCapabilities: session.rtpCapabilities as ClientPayload<'media:ready'>['rtpCapabilities'],
      });
    }
    return session;
  }

  private async publishAll(session: MediaSession): Promise<void> {
    if (session.publish === 'none') return;
    await this.ensureLocalTracks(session.publish);
    const s = this.stateValue;
    const jobs: [Parameters<MediaSession['produce']>[0], MediaStreamTrack | null][] = [
      ['camera', s.localCamera],
      ['mic', s.localMic],
      ['screen', session.publish === 'teacher' ? s.localScreen : null],
    ];
    for (const [source, track] of jobs) {
      if (!track || track.readyState === 'ended') continue;
      if (session.closed || this.session !== session) return;
      try {
        await session.produce(source, track);
      } catch (e) {
        if (session.closed || isClosedError(e)) return;
        toast.error((e as Error).message || tr('error.generic'));
      }
    }
  }

  private ensureLocalTracks(mode: 'teacher' | 'classroom'): Promise<void> {
    if (!this.localTracksPromise) {
      this.localTracksPromise = this.acquireLocalTracks(mode).finally(() => {
        this.localTracksPromise = null;
      });
    }
    return this.localTracksPromise;
  }

  private async acquireLocalTracks(mode: 'teacher' | 'classroom'): Promise<void> {
    const md = navigator.mediaDevices;
    if (!md?.getUserMedia) return;
    if (!live(this.stateValue.localCamera)) {
      try {
        const stream = await md.getUserMedia({ video: CAMERA_CONSTRAINTS[mode], audio: false });
        const track = stream.getVideoTracks()[0] ?? null;
        if (track) {
          // The teacher's camera is simulcast: under CPU overuse a 'motion' track keeps its frame
          // rate and scales its resolution down, which switches simulcast layers off and on; every
          // switch-down leaves the recording and each projector without a picture until the lower
          // layer's next key frame (1.3–2.2 s on a busy machine, every ~15 s). 'detail' keeps the
          // resolution (the blackboard stays readable) and lowers the frame rate instead. A
          // classroom's single stream changes resolution seamlessly, so it keeps its motion.
          track.contentHint = mode === 'teacher' ? 'detail' : 'motion';
          track.addEventListener('ended', () => this.onLocalTrackEnded('camera', track));
        }
        if (this.stopped) track?.stop();
        else this.set({ localCamera: track });
      } catch (e) {
        this.warnOnce('camera', tr('live.cameraError', { msg: (e as Error).message || (e as Error).name }));
      }
    }
    if (!live(this.stateValue.localMic)) {
      try {
        const stream = await md.getUserMedia({ audio: MIC_CONSTRAINTS, video: false });
        const track = stream.getAudioTracks()[0] ?? null;
        track?.addEventListener('ended', () => this.onLocalTrackEnded('mic', track));
        if (this.stopped) track?.stop();
        else this.set({ localMic: track });
      } catch (e) {
        this.warnOnce('mic', tr('live.micError', { msg: (e as Error).message || (e as Error).name }));
      }
    }
  }

  private onLocalTrackEnded(kind: 'camera' | 'mic', track: MediaStreamTrack): void {
    if (this.stopped) return;
    const key = kind === 'camera' ? 'localCamera' : 'localMic';
    if (this.stateValue[key] !== track) return;
    this.set({ [key]: null } as Partial<LiveState>);
    toast.error(tr('live.trackEnded', { what: tr(kind === 'camera' ? 'live.camera' : 'live.mic') }));
    void this.session?.closeProducer(kind);
  }

  private warnOnce(key: string, text: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    toast.error(text);
  }

  private onNewConsumer(c: NewConsumer, ack: (res: Ack<null>) => void): void {
    const session = this.session;
    const respond = typeof ack === 'function' ? ack : () => undefined;
    if (!session || session.closed || this.isOver()) {
      respond({ ok: false, error: { code: 'CONFLICT', message: 'media not ready' } });
      return;
    }
    session.consume(c).then(
      () => respond({ ok: true, data: null }),
      (e: Error) => respond({ ok: false, error: { code: 'CONFLICT', message: e.message || 'consume failed' } }),
    );
  }

  private teardownMedia(): void {
    const session = this.session;
    this.session = null;
    this.sentLayers.clear();
    this.lastNet = null;
    if (session) session.close();
    if (this.stateValue.consumers.length || this.stateValue.producers.length) this.set({ consumers: [], producers: [] });
  }

  private stopLocalTracks(): void {
    const { localCamera, localMic, localScreen } = this.stateValue;
    for (const t of [localCamera, localMic, localScreen]) t?.stop();
    this.set({ localCamera: null, localMic: null, localScreen: null });
  }

  private onLesson(lesson: Lesson): void {
    if (lesson.id !== this.lessonId) return;
    this.set({ lesson });
    if (lesson.state === 'ended') this.finishEnded();
  }

  private finishEnded(): void {
    if (this.stateValue.phase === 'ended') return;
    this.gen++;
    this.clearRetry();
    this.teardownMedia();
    this.stopLocalTracks();
    this.set({ phase: 'ended' });
    const client = this.client;
    client.request('lesson:leave', {}, 2000).catch(() => undefined).finally(() => client.close());
  }

  private addRecordingNotice(n: RecordingNotice): void {
    if (this.mode !== 'teach') return;
    const key = `${n.kind}:${n.cause}:${n.label}`;
    const prev = this.stateValue.recordingNotices.find((x) => x.key === key);
    const item: RecordingNoticeItem = { ...n, key, count: (prev?.count ?? 0) + 1, at: Date.now() };
    const rest = this.stateValue.recordingNotices.filter((x) => x.key !== key);
    this.set({ recordingNotices: [...rest, item].slice(-NOTICES_KEEP) });
  }

  dismissRecordingNotice(key: string): void {
    this.set({ recordingNotices: this.stateValue.recordingNotices.filter((x) => x.key !== key) });
  }

  private addChat(m: ChatMessage): void {
    this.set({ chat: mergeChat(this.stateValue.chat, [m]) });
  }

  // ---- network quality (every 2 s) ----

  private async sampleNetwork(): Promise<void> {
    const session = this.session;
    if (this.stateValue.phase !== 'live' || !session) {
      if (this.stateValue.phase === 'reconnecting' && this.stateValue.netQuality !== 'poor') this.set({ netQuality: 'poor' });
      return;
    }
    try {
      const reports = await session.recvTransportStats();
      if (!reports || session !== this.session) return;
      const cur = sampleFromStats(reports);
      const loss = lossBetween(this.lastNet, cur);
      this.lastNet = cur;
      const recvState = session.recvTransport?.connectionState;
      const q =
        recvState === 'failed' || recvState === 'disconnected'
          ? 'poor'
          : classifyNetQuality(loss, cur.rttSeconds === null ? null : cur.rttSeconds * 1000);
      if (q !== this.stateValue.netQuality) this.set({ netQuality: q });
    } catch {
      /* transport closing */
    }
  }

  // ---- actions (errors are shown as toasts; resolve to null on failure) ----

  private async act<E extends ClientEventName>(event: E, payload: ClientPayload<E>): Promise<ClientResults[E] | null> {
    try {
      return await this.client.request(event, payload);
    } catch (e) {
      toast.error((e as Error).message || tr('error.generic'));
      return null;
    }
  }

  async startLesson(): Promise<void> {
    const lesson = await this.act('lesson:start', {});
    if (lesson) this.onLesson(lesson);
  }

  async endLesson(): Promise<void> {
    const lesson = await this.act('lesson:end', {});
    if (lesson) this.onLesson(lesson);
  }

  selfClassroomId(): string | null {
    return this.stateValue.self?.classroomId ?? null;
  }

  isHandRaised(): boolean {
    const id = this.selfClassroomId();
    return !!id && this.stateValue.hands.some((h) => h.classroomId === id);
  }

  async raiseHand(): Promise<void> {
    if (this.isHandRaised()) return;
    await this.act('hand:raise', {});
  }

  /** A classroom lowers its own hand (no id); the teacher lowers a classroom's hand. */
  async lowerHand(classroomId?: string): Promise<void> {
    if (!classroomId && !this.isHandRaised()) return;
    await this.act('hand:lower', classroomId ? { classroomId } : {});
  }

  async setStage(classroomId: string | null): Promise<void> {
    await this.act('stage:set', { classroomId });
  }

  async muteClassroom(classroomId: string, muted: boolean): Promise<void> {
    await this.act('classroom:mute', { classroomId, muted });
  }

  /** Teacher: pause or resume recording (the live lesson is unaffected). */
  async setRecordingPaused(paused: boolean): Promise<void> {
    const recording = await this.act(paused ? 'recording:pause' : 'recording:resume', {});
    if (recording) this.set({ recording });
  }

  async sendChat(text: string): Promise<boolean> {
    const m = await this.act('chat:send', { text });
    if (m) this.addChat(m);
    return !!m;
  }

  async pushQuiz(payload: ClientPayload<'quiz:push'>): Promise<boolean> {
    const quiz = await this.act('quiz:push', payload);
    if (quiz) {
      const cur = this.stateValue.quiz;
      if (!cur || cur.quiz.id !== quiz.id) this.set({ quiz: { quiz, answers: [] } });
    }
    return !!quiz;
  }

  async answerQuiz(quizId: string, counts: number[], classroomId?: string): Promise<boolean> {
    const answer = await this.act('quiz:answer', classroomId ? { quizId, counts, classroomId } : { quizId, counts });
    if (answer) {
      const cur = this.stateValue.quiz;
      if (cur && cur.quiz.id === quizId) {
        const answers = [...cur.answers.filter((a) => a.classroomId !== answer.classroomId), answer];
        this.set({ quiz: { ...cur, answers } });
      }
    }
    return !!answer;
  }

  async closeQuiz(quizId: string): Promise<void> {
    await this.act('quiz:close', { quizId });
  }

  async toggleScreen(): Promise<void> {
    if (this.stateValue.localScreen) {
      await this.stopScreen();
      return;
    }
    if (this.publishMode() !== 'teacher') return;
    let track: MediaStreamTrack | undefined;
    try {
      const stream = await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: 15, max: 15 } }, audio: false });
      track = stream.getVideoTracks()[0];
    } catch (e) {
      if ((e as Error).name !== 'NotAllowedError' && (e as Error).name !== 'AbortError') {
        toast.error(tr('live.screenError', { msg: (e as Error).message }));
      }
      return;
    }
    if (!track) return;
    if (this.stopped) {
      track.stop();
      return;
    }
    track.contentHint = 'detail';
    const t = track;
    t.addEventListener('ended', () => {
      if (this.stateValue.localScreen === t) void this.stopScreen();
    });
    this.set({ localScreen: t });
    const session = this.session;
    if (session?.canPublish) {
      try {
        await session.produce('screen', t);
      } catch (e) {
        if (!session.closed && !isClosedError(e)) toast.error((e as Error).message);
      }
    }
  }

  async stopScreen(): Promise<void> {
    const track = this.stateValue.localScreen;
    track?.stop();
    this.set({ localScreen: null });
    await this.session?.closeProducer('screen');
  }

  /** Ask for the simulcast layer that fits this view (sent only when it changes). */
  setLayers(consumerId: string, spatialLayer: number): void {
    if (this.sentLayers.get(consumerId) === spatialLayer) return;
    if (!this.session?.hasConsumer(consumerId)) return;
    this.sentLayers.set(consumerId, spatialLayer);
    this.client.request('consumer:setLayers', { consumerId, spatialLayer }).catch(() => {
      this.sentLayers.delete(consumerId); // try again on the next resize
    });
  }

  // ---- test hooks ----

  testState(): TestState {
    const s = this.stateValue;
    return {
      connected: s.phase === 'live',
      lessonState: s.lesson?.state ?? null,
      lessonRole: s.self?.lessonRole ?? null,
      stageClassroomId: s.stageClassroomId,
      hands: s.hands,
      consumers: s.consumers.length,
      producers: s.producers.map((p) => ({ source: p.source, kind: p.kind })),
      phase: s.phase,
      socketConnected: s.socketConnected,
      lessonId: this.lessonId,
      selfClassroomId: s.self?.classroomId ?? null,
      mutedClassroomIds: s.mutedClassroomIds,
      quizId: s.quiz?.quiz.id ?? null,
      netQuality: s.netQuality,
      recording: s.recording,
    };
  }

  async stats(): Promise<ConsumerStats[]> {
    return this.session ? this.session.consumerStats() : [];
  }
}

function live(t: MediaStreamTrack | null): boolean {
  return !!t && t.readyState === 'live';
}

function mergeChat(cur: ChatMessage[], add: ChatMessage[]): ChatMessage[] {
  const seen = new Set(cur.map((m) => m.id));
  const out = [...cur];
  for (const m of add) {
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    out.push(m);
  }
  return out.length > CHAT_KEEP ? out.slice(-CHAT_KEEP) : out;
}
