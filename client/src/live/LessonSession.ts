// One live lesson as seen by this browser's lesson view: join → media → live, and back again by
// itself after any loss (socket disconnect, server restart, media:reset, transports that stay
// down). The JoinMachine says which state the join is in and whether an attempt's answer still
// counts; this class runs the attempts (lesson:join when this socket has not joined, then a new
// MediaSession) and wires the parts: the store React renders, the local devices, the network
// sampler and the actions. (The server's LiveLesson is the lesson's side of the same join.)
import type { Lesson } from '../../../server/contract/domain.js';
import type { ClientPayload, JoinedMedia, NewConsumer } from '../../../server/contract/events.js';
import type { Ack } from '../../../server/contract/errors.js';
import type { LessonResponse } from '../../../server/contract/api.js';
import { api } from '../api.js';
import { tr } from '../i18n/index.js';
import { toast } from '../toast.js';
import { sameCaps, type DevicePreload, type JoinCaps } from './devicePreload.js';
import { JoinMachine } from './joinMachine.js';
import { LessonActions } from './lessonActions.js';
import { LessonClient } from './LessonClient.js';
import { RequestError } from '../requestError.js';
import { LessonStore, type LiveState, type ViewMode } from './LessonStore.js';
import { LocalDevices } from './LocalDevices.js';
import { MediaSession, isClosedError, type ConsumerStats, type PublishMode } from './MediaSession.js';
import { NetSampler } from './netSampler.js';

/** What a full lesson:join brought for the media part, and the capabilities it sent. */
interface JoinResult {
  media: JoinedMedia | null;
  caps: JoinCaps;
}

export class LessonSession {
  readonly actions: LessonActions;
  private readonly client: LessonClient;
  private readonly store: LessonStore;
  private readonly machine: JoinMachine;
  private readonly devices: LocalDevices;
  private readonly net: NetSampler;
  private media: MediaSession | null = null;
  private joinedSocketId: string | null = null;
  private router: { rtpCapabilities: unknown; capsKey: string } | null = null;
  private unfollow: (() => void) | null = null;

  constructor(
    readonly lessonId: string,
    readonly mode: ViewMode,
    private readonly devicePreload: DevicePreload,
    client?: LessonClient,
  ) {
    this.client = client ?? new LessonClient();
    devicePreload.preload();
    this.store = new LessonStore(lessonId, mode);
    this.machine = new JoinMachine({ onRetry: () => void this.attempt() });
    this.devices = new LocalDevices(this.store, (source) => void this.media?.closeProducer(source));
    this.net = new NetSampler(this.store, () => this.media);
    this.actions = new LessonActions({
      client: this.client,
      store: this.store,
      devices: this.devices,
      media: () => this.media,
      publishMode: () => this.publishMode(),
      lessonChanged: (lesson) => this.onLesson(lesson),
    });
  }

  // ---- store (for React) ----

  get state(): LiveState {
    return this.store.state;
  }

  subscribe = (fn: () => void): (() => void) => this.store.subscribe(fn);

  getSnapshot = (): LiveState => this.store.getSnapshot();

  /** The view has left (stop()); a view mounting again needs a new session. */
  get left(): boolean {
    return this.machine.state === 'left';
  }

  // ---- lifecycle ----

  /** Connects and joins, then keeps itself joined. Once (a view may adopt a started session). */
  start(): void {
    if (!this.machine.send('start')) return;
    const ev = this.client.events;
    ev.on('connected', () => {
      this.store.set({ socketConnected: true });
      this.joinedSocketId = null; // a new socket: join again
      void this.attempt();
    });
    ev.on('disconnected', () => {
      this.teardownMedia();
      this.enter('dropped', { socketConnected: false, netQuality: 'poor' });
    });
    ev.on('connectError', ({ unauthenticated }) => {
      if (this.machine.over) return;
      this.enter('unreachable', { netQuality: 'poor' });
      if (unauthenticated) this.checkAuth();
    });
    ev.on('media:reset', () => this.redoMedia());
    ev.on('consumer:new', (c, ack) => this.onNewConsumer(c, ack));
    ev.on('consumer:closed', ({ consumerId }) => this.media?.closeConsumer(consumerId));
    ev.on('consumer:paused', ({ consumerId }) => this.media?.setProducerPaused(consumerId, true));
    ev.on('consumer:resumed', ({ consumerId }) => this.media?.setProducerPaused(consumerId, false));
    ev.on('lesson:state', (lesson) => this.onLesson(lesson));
    this.unfollow = this.store.follow(ev);
    this.net.start();
    if (this.client.connected) {
      // A socket handed in already connected: the 'connected' event has passed.
      this.store.set({ socketConnected: true });
      void this.attempt();
    } else {
      this.client.connect();
    }
  }

  stop(): void {
    if (!this.machine.send('leave')) return;
    this.unfollow?.();
    this.net.stop();
    this.teardownMedia();
    this.devices.close();
    const client = this.client;
    if (client.connected) {
      client.request('lesson:leave', {}, 2000).catch(() => undefined).finally(() => client.close());
    } else {
      client.close();
    }
    this.store.close();
  }

  /** Applies a machine event; on a transition, shows its phase with `patch`. */
  private enter(event: 'dropped' | 'unreachable' | 'ended', patch: Partial<LiveState>): boolean {
    if (!this.machine.send(event)) return false;
    this.set(patch);
    return true;
  }

  /** Writes `patch` and the machine's phase. */
  private set(patch: Partial<LiveState>): void {
    const phase = this.machine.phase;
    this.store.set(phase && phase !== this.store.state.phase ? { ...patch, phase } : patch);
  }

  private checkAuth(): void {
    // A 401 here makes the app go to /login (see App's unauthenticated handler).
    api('GET', '/api/me').catch(() => undefined);
  }

  /** media:reset or transports that stayed down: same socket, so only the media part again. */
  private redoMedia(): void {
    this.teardownMedia();
    if (this.enter('dropped', { netQuality: 'poor' })) void this.attempt();
  }

  /** (Re)join the lesson if this socket hasn't, then (re)do the media part. Retries with backoff. */
  private async attempt(): Promise<void> {
    if (this.machine.over || !this.client.connected) return; // the 'connected' event brings us back
    const attempt = this.machine.begin();
    if (attempt === null) return;
    this.teardownMedia();
    const fullJoin = this.joinedSocketId === null || this.joinedSocketId !== this.client.socketId;
    try {
      let joined: JoinResult | null = null;
      if (fullJoin) {
        // The transports (and, for a browser that joined before, our capabilities) come with
        // the join: one round trip before media flows instead of three.
        const caps = this.devicePreload.rememberedCaps();
        const snap = await this.client.request('lesson:join', {
          lessonId: this.lessonId,
          media: { send: this.mode !== 'observe', caps },
        });
        if (!this.machine.isCurrent(attempt)) return;
        this.router = { rtpCapabilities: snap.routerRtpCapabilities, capsKey: snap.routerCapsKey };
        this.store.applySnapshot(snap);
        this.joinedSocketId = this.client.socketId ?? null;
        if (snap.lesson.state === 'ended') {
          this.finishEnded();
          return;
        }
        joined = { media: snap.media, caps };
      }
      const session = await this.startMedia(attempt, joined);
      if (!this.machine.send('succeeded', attempt)) return;
      this.set({ error: null });
      void this.publishAll(session);
    } catch (e) {
      if (!this.machine.isCurrent(attempt)) return; // superseded by a newer attempt or teardown
      this.teardownMedia();
      const code = e instanceof RequestError ? e.code : null;
      console.warn('[tongbu] join/media attempt failed', e);
      if (fullJoin && (code === 'NOT_FOUND' || code === 'FORBIDDEN')) {
        if (this.machine.send('fatal', attempt)) this.set({ error: (e as Error).message });
        return;
      }
      if (fullJoin && code === 'CONFLICT' && (await this.lessonHasEnded())) {
        if (this.machine.isCurrent(attempt)) this.finishEnded();
        return;
      }
      if (!this.machine.isCurrent(attempt)) return;
      if (code === 'UNAUTHENTICATED') this.checkAuth();
      if (!fullJoin && (code === 'CONFLICT' || code === 'NOT_FOUND' || code === 'FORBIDDEN')) {
        this.joinedSocketId = null; // the server forgot us: join again next time
      }
      if (this.machine.send('failed', attempt)) this.set({ netQuality: 'poor' });
    }
  }

  /** lesson:join answers CONFLICT for an ended lesson: ask the REST API which it is. */
  private async lessonHasEnded(): Promise<boolean> {
    try {
      const { lesson } = await api<LessonResponse>('GET', `/api/lessons/${encodeURIComponent(this.lessonId)}`);
      if (lesson.state !== 'ended') return false;
      this.store.set({ lesson });
      return true;
    } catch {
      return false;
    }
  }

  private publishMode(): PublishMode {
    const role = this.store.state.self?.lessonRole;
    if (this.mode === 'teach' && role === 'teacher') return 'teacher';
    if (this.mode === 'projector' && role === 'classroom') return 'classroom';
    return 'none';
  }

  private async startMedia(attempt: number, joined: JoinResult | null): Promise<MediaSession> {
    if (!this.router) throw new Error('not joined');
    const session = new MediaSession(this.client, this.router, this.publishMode(), this.devicePreload);
    this.media = session;
    session.events.on('consumers', (list) => {
      if (this.media === session) this.store.set({ consumers: list });
    });
    session.events.on('producers', (list) => {
      if (this.media === session) this.store.set({ producers: list });
    });
    session.events.on('failed', (reason) => {
      if (this.media !== session || this.machine.over) return;
      console.warn('[tongbu] media transport stayed down, redoing media:', reason);
      this.redoMedia();
    });
    await session.start(joined?.media ?? null);
    if (!this.machine.isCurrent(attempt)) throw new Error('superseded');
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
    await this.devices.ensure(session.publish);
    const s = this.store.state;
    const jobs: [Parameters<MediaSession['produce']>[0], MediaStreamTrack | null][] = [
      ['camera', s.localCamera],
      ['mic', s.localMic],
      ['screen', session.publish === 'teacher' ? s.localScreen : null],
    ];
    for (const [source, track] of jobs) {
      if (!track || track.readyState === 'ended') continue;
      if (session.closed || this.media !== session) return;
      try {
        await session.produce(source, track);
      } catch (e) {
        if (session.closed || isClosedError(e)) return;
        toast.error((e as Error).message || tr('error.generic'));
      }
    }
  }

  private onNewConsumer(c: NewConsumer, ack: (res: Ack<null>) => void): void {
    const session = this.media;
    const respond = typeof ack === 'function' ? ack : () => undefined;
    if (!session || session.closed || this.machine.over) {
      respond({ ok: false, error: { code: 'CONFLICT', message: 'media not ready' } });
      return;
    }
    session.consume(c).then(
      () => respond({ ok: true, data: null }),
      (e: Error) => respond({ ok: false, error: { code: 'CONFLICT', message: e.message || 'consume failed' } }),
    );
  }

  private teardownMedia(): void {
    const session = this.media;
    this.media = null;
    if (session) session.close();
    const s = this.store.state;
    if (s.consumers.length || s.producers.length) this.store.set({ consumers: [], producers: [] });
  }

  private onLesson(lesson: Lesson): void {
    if (lesson.id !== this.lessonId) return;
    this.store.set({ lesson });
    if (lesson.state === 'ended') this.finishEnded();
  }

  private finishEnded(): void {
    if (!this.machine.send('ended')) return;
    this.teardownMedia();
    this.devices.close();
    this.set({});
    const client = this.client;
    client.request('lesson:leave', {}, 2000).catch(() => undefined).finally(() => client.close());
  }

  // ---- test hooks (window.__tongbu, see testHooks.ts) ----

  async stats(): Promise<ConsumerStats[]> {
    return this.media ? this.media.consumerStats() : [];
  }
}
