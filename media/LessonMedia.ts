// A lesson's media: one router on one worker, its peers, and an audio-level observer for
// classroom microphones. It knows nothing of roles; the live lesson decides who may
// produce and who receives what, and calls consume()/closeConsumer() accordingly.
//
// Scaling past one worker: a lesson that outgrows one core would get a second router on
// another worker and `router.pipeToRouter({ producerId, router: other })` for each
// producer; receivers on the second router consume the piped producers. createRouter()
// below is the one place that would choose that second router.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { types } from 'mediasoup';
import { AUDIO_LEVEL_INTERVAL_MS, AUDIO_LEVEL_THRESHOLD_DB, INITIAL_OUTGOING_BITRATE, MAX_INCOMING_BITRATE, ROUTER_CODECS } from './config.js';
import { LayerGuard } from './LayerGuard.js';
import { clientInput } from './clientInput.js';
import { MediaPeer, goneIfClosed, type ProducerMeta } from './MediaPeer.js';
import type { PooledWorker, WorkerPool } from './WorkerPool.js';
import type { MediaSource } from '../server/contract/domain.js';
import { AppError } from '../server/contract/errors.js';
import { logger } from '../server/contract/log.js';

const log = logger('media.lesson');

/** Longest a joining browser's first frame holds back routine key-frame requests. */
const FIRST_FRAME_HOLD_MS = 3_000;

export interface TransportInfo {
  id: string;
  iceParameters: types.IceParameters;
  iceCandidates: types.IceCandidate[];
  dtlsParameters: types.DtlsParameters;
}

interface LessonMediaEvents {
  /** The worker under this lesson died: every transport is gone; re-create from scratch. */
  lost: [];
  producerAdded: [producer: types.Producer<ProducerMeta>];
  producerClosed: [producer: types.Producer<ProducerMeta>];
  consumerClosed: [peerId: string, consumerId: string];
  consumerPaused: [peerId: string, consumerId: string];
  consumerResumed: [peerId: string, consumerId: string];
  audioLevels: [levels: { producer: types.Producer<ProducerMeta>; volume: number }[]];
}

export class LessonMedia extends EventEmitter<LessonMediaEvents> {
  readonly peers = new Map<string, MediaPeer>();
  private closed = false;
  private readonly guards = new Map<string, LayerGuard>();
  /** Peers whose first video frame is on its way; see holdKeyFramesFor(). */
  private readonly firstFrameDueFor = new Map<string, NodeJS.Timeout>();
  /** A digest of the router's capabilities (the same for every router of this build). */
  readonly capsKey: string;
  private readonly guardTimer = setInterval(() => {
    const now = Date.now();
    for (const g of this.guards.values()) g.tick(now)?.catch(() => undefined);
  }, 1000);

  private constructor(
    readonly router: types.Router,
    readonly slot: PooledWorker,
    private readonly levels: types.AudioLevelObserver,
  ) {
    super();
    this.capsKey = createHash('sha256').update(JSON.stringify(router.rtpCapabilities)).digest('base64url').slice(0, 22);
    this.guardTimer.unref();
    router.on('workerclose', () => {
      this.close();
      this.emit('lost');
    });
    levels.on('volumes', (vols) =>
      this.emit(
        'audioLevels',
        vols.map((v) => ({ producer: v.producer as unknown as types.Producer<ProducerMeta>, volume: v.volume })),
      ),
    );
    levels.on('silence', () => this.emit('audioLevels', []));
  }

  static async create(pool: WorkerPool): Promise<LessonMedia> {
    const { router, slot } = await pool.createRouter(ROUTER_CODECS);
    const levels = await router.createAudioLevelObserver({
      maxEntries: 16,
      threshold: AUDIO_LEVEL_THRESHOLD_DB,
      interval: AUDIO_LEVEL_INTERVAL_MS,
    });
    return new LessonMedia(router, slot, levels);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  peer(peerId: string): MediaPeer {
    this.assertOpen();
    let p = this.peers.get(peerId);
    if (!p) this.peers.set(peerId, (p = new MediaPeer(peerId)));
    return p;
  }

  closePeer(peerId: string): void {
    this.releaseKeyFrames(peerId);
    this.peers.get(peerId)?.close();
    this.peers.delete(peerId);
  }

  /**
   * A browser is starting to receive: until its first video frame (or a few seconds) our own
   * routine key-frame requests (the recorders' per segment) wait. A sender honours one key-frame
   * request per 300 ms (Chromium), so a routine one just before the joiner's would take the
   * joiner's place, and mediasoup asks again only a second later.
   */
  holdKeyFramesFor(peerId: string): void {
    clearTimeout(this.firstFrameDueFor.get(peerId));
    this.firstFrameDueFor.set(peerId, setTimeout(() => this.firstFrameDueFor.delete(peerId), FIRST_FRAME_HOLD_MS).unref());
  }

  private releaseKeyFrames(peerId: string): void {
    clearTimeout(this.firstFrameDueFor.get(peerId));
    this.firstFrameDueFor.delete(peerId);
  }

  /** This peer's first video frame is on its way (tests look at it). */
  firstFrameDue(peerId: string): boolean {
    return this.firstFrameDueFor.has(peerId);
  }

  /** Routine key-frame requests should wait: somebody's first frame is on its way. */
  get keyFramesHeld(): boolean {
    return this.firstFrameDueFor.size > 0;
  }

  async createTransport(peerId: string, direction: 'send' | 'recv'): Promise<TransportInfo> {
    const peer = this.peer(peerId);
    // A reconnecting client opens fresh transports; old ones of the same direction go.
    for (const t of peer.transports.values()) if (t.appData.direction === direction) t.close();
    const transport = await this.router.createWebRtcTransport({
      webRtcServer: this.slot.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      initialAvailableOutgoingBitrate: INITIAL_OUTGOING_BITRATE,
      appData: { direction },
    });
    if (peer.isClosed) {
      transport.close();
      throw new AppError('CONFLICT', 'peer left');
    }
    peer.transports.set(transport.id, transport);
    const ids = { routerId: this.router.id, peerId, transportId: transport.id, direction };
    log.info('transport opened', ids);
    transport.observer.once('close', () => {
      peer.transports.delete(transport.id);
      log.info('transport closed', ids);
    });
    // A browser that vanished without a word: its DTLS closes or fails; free it at once.
    transport.on('dtlsstatechange', (s) => {
      if (s === 'closed' || s === 'failed') transport.close();
    });
    if (direction === 'send') await transport.setMaxIncomingBitrate(MAX_INCOMING_BITRATE);
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  /**
   * An RTP ingest for a peer: a plain-RTP send transport on loopback (comedia: the first
   * packet tells where the sender is). For encoders that cannot do WebRTC, and for tests.
   */
  async createPlainIngest(peerId: string): Promise<{ id: string; ip: string; port: number; rtcpPort: number }> {
    const peer = this.peer(peerId);
    const transport = await this.router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: false,
      comedia: true,
      appData: { direction: 'send' },
    });
    if (peer.isClosed) {
      transport.close();
      throw new AppError('CONFLICT', 'peer left');
    }
    peer.plainTransports.set(transport.id, transport);
    transport.observer.once('close', () => peer.plainTransports.delete(transport.id));
    return {
      id: transport.id,
      ip: transport.tuple.localIp,
      port: transport.tuple.localPort,
      rtcpPort: transport.rtcpTuple?.localPort ?? transport.tuple.localPort,
    };
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: types.DtlsParameters): Promise<void> {
    const t = this.peer(peerId).transport(transportId);
    // Its own mark, not dtlsState: a browser's ICE may complete before its connect arrives,
    // and mediasoup (DTLS role 'auto') then starts DTLS as server by itself.
    if (t.appData.connected) throw new AppError('CONFLICT', 'transport already connected');
    await clientInput('dtlsParameters', () => t.connect({ dtlsParameters }));
    t.appData.connected = true;
  }

  async restartIce(peerId: string, transportId: string): Promise<types.IceParameters> {
    return this.peer(peerId).transport(transportId).restartIce();
  }

  async produce(
    peerId: string,
    opts: { transportId: string; kind: 'audio' | 'video'; rtpParameters: types.RtpParameters; meta: ProducerMeta },
  ): Promise<types.Producer<ProducerMeta>> {
    const peer = this.peer(peerId);
    const transport = peer.sendTransport(opts.transportId);
    for (const p of peer.producers.values()) {
      if (p.appData.source === opts.meta.source) throw new AppError('CONFLICT', `already producing ${opts.meta.source}`);
    }
    const producer = await clientInput('rtpParameters', () =>
      transport.produce<ProducerMeta>({
        kind: opts.kind,
        rtpParameters: opts.rtpParameters,
        appData: opts.meta,
      }),
    );
    peer.producers.set(producer.id, producer);
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id);
      this.emit('producerClosed', producer);
    });
    if (producer.kind === 'audio' && opts.meta.classroomId) {
      await this.levels.addProducer({ producerId: producer.id }).catch(() => undefined);
    }
    if (!producer.closed) this.emit('producerAdded', producer);
    return producer;
  }

  closeProducer(peerId: string, producerId: string): void {
    const p = this.peer(peerId).producers.get(producerId);
    if (!p) throw new AppError('NOT_FOUND', 'no such producer');
    p.close();
  }

  /** All producers in the lesson, with their owner. */
  *allProducers(): Iterable<types.Producer<ProducerMeta>> {
    for (const peer of this.peers.values()) yield* peer.producers.values();
  }

  findProducer(producerId: string): types.Producer<ProducerMeta> | undefined {
    for (const p of this.allProducers()) if (p.id === producerId) return p;
    return undefined;
  }

  /**
   * Creates a paused consumer of `producer` for `peerId` on its recv transport.
   * Paused so that the browser sets up its side first; resume() then asks for a key frame.
   */
  async consume(peerId: string, producer: types.Producer<ProducerMeta>): Promise<types.Consumer<ProducerMeta> | null> {
    const peer = this.peer(peerId);
    if (peer.consumers.has(producer.id)) return peer.consumers.get(producer.id)!;
    const caps = peer.rtpCapabilities;
    if (!caps || !this.router.canConsume({ producerId: producer.id, rtpCapabilities: caps })) return null;
    const transport = [...peer.transports.values()].find((t) => t.appData.direction === 'recv');
    if (!transport) return null;
    // The capabilities are the client's (media:ready); canConsume() above has checked them already.
    const consumer = await clientInput('rtpCapabilities', () =>
      transport.consume<ProducerMeta>({
        producerId: producer.id,
        rtpCapabilities: caps,
        paused: true,
        // Start on the lowest simulcast layer: its key frame is a few packets, so the first frame
        // arrives sooner; the client asks for the layer its view needs once that frame is shown.
        preferredLayers: producer.type === 'simulcast' ? { spatialLayer: 0, temporalLayer: 2 } : undefined,
        appData: producer.appData,
      }),
    );
    if (peer.isClosed || producer.closed) {
      consumer.close();
      return null;
    }
    // Teacher video outranks classroom video when a link is short of bits.
    if (consumer.kind === 'video' && producer.appData.classroomId === null) await consumer.setPriority(2);
    peer.consumers.set(producer.id, consumer);
    if (consumer.type === 'simulcast') this.guards.set(consumer.id, new LayerGuard(consumer));
    if (consumer.kind === 'video' && this.firstFrameDueFor.has(peerId)) this.releaseOnFirstKeyFrame(peerId, consumer);
    consumer.observer.once('close', () => {
      this.guards.delete(consumer.id);
      if (peer.consumers.get(producer.id) === consumer) peer.consumers.delete(producer.id);
      this.emit('consumerClosed', peerId, consumer.id);
    });
    consumer.on('producerpause', () => this.emit('consumerPaused', peerId, consumer.id));
    consumer.on('producerresume', () => this.emit('consumerResumed', peerId, consumer.id));
    return consumer;
  }

  private releaseOnFirstKeyFrame(peerId: string, consumer: types.Consumer<ProducerMeta>): void {
    const onTrace = (t: types.ConsumerTraceEventData) => {
      if (t.type !== 'keyframe' || t.direction !== 'out') return;
      consumer.off('trace', onTrace);
      void consumer.enableTraceEvent([]).catch(() => undefined);
      this.releaseKeyFrames(peerId);
    };
    consumer.on('trace', onTrace);
    void consumer.enableTraceEvent(['keyframe']).catch(() => undefined);
  }

  async setConsumerLayers(peerId: string, consumerId: string, spatialLayer: number): Promise<void> {
    const c = this.peer(peerId).consumerById(consumerId);
    const guard = this.guards.get(c.id);
    if (!guard) return;
    await guard.setWanted(spatialLayer).catch(goneIfClosed(c, 'consumer'));
  }

  /** The frame-rate guard of a simulcast consumer (tests look at it). */
  layerGuard(consumerId: string): LayerGuard | undefined {
    return this.guards.get(consumerId);
  }

  /** Counts for metrics and leak checks. */
  counts(): { peers: number; transports: number; producers: number; consumers: number } {
    let transports = 0;
    let producers = 0;
    let consumers = 0;
    for (const p of this.peers.values()) {
      transports += p.transports.size;
      producers += p.producers.size;
      consumers += p.consumers.size;
    }
    return { peers: this.peers.size, transports, producers, consumers };
  }

  producerOf(peerId: string, source: MediaSource): types.Producer<ProducerMeta> | undefined {
    for (const p of this.peers.get(peerId)?.producers.values() ?? []) if (p.appData.source === source) return p;
    return undefined;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.guardTimer);
    this.guards.clear();
    for (const t of this.firstFrameDueFor.values()) clearTimeout(t);
    this.firstFrameDueFor.clear();
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
    this.router.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError('UNAVAILABLE', 'lesson media is restarting');
  }
}
