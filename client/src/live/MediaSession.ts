// The mediasoup-client side of one join: Device, recv (+send) transport, producers, consumers.
// One MediaSession per (re)join; on any reset it is closed (idempotently) and a new one made.
// Local tracks belong to the caller (LocalDevices) and survive sessions: producers use stopTracks:false.
import type { Device } from 'mediasoup-client';
import type { Consumer, Producer, RtpCapabilities, RtpCodecCapability, RtpEncodingParameters, RtpParameters, Transport, TransportOptions as MsTransportOptions } from 'mediasoup-client/types';
import type { MediaSource } from '../../../server/contract/domain.js';
import type { ClientPayload, ClientResults, JoinedMedia, NewConsumer } from '../../../server/contract/events.js';
import type { DevicePreload } from './devicePreload.js';
import { Emitter } from './emitter.js';
import type { LessonClient } from './LessonClient.js';
import { iceAction, type IceState } from './reconnect.js';

export type PublishMode = 'teacher' | 'classroom' | 'none';
type TransportCreated = ClientResults['transport:create'];

export interface ConsumerInfo {
  consumerId: string;
  producerId: string;
  peerId: string;
  classroomId: string | null;
  source: MediaSource;
  kind: 'audio' | 'video';
  track: MediaStreamTrack;
  /** The producer is paused (e.g. a muted classroom). */
  producerPaused: boolean;
}

export interface ProducerInfo {
  producerId: string;
  source: MediaSource;
  kind: 'audio' | 'video';
}

export interface ConsumerStats {
  consumerId: string;
  peerId: string;
  classroomId: string | null;
  source: MediaSource;
  kind: 'audio' | 'video';
  framesDecoded: number;
  packetsReceived: number;
  packetsLost: number;
  concealedSamples: number;
  totalSamplesReceived: number;
  frameWidth: number;
  framesPerSecond: number;
}

type MediaSessionEvents = {
  consumers: (list: ConsumerInfo[]) => void;
  producers: (list: ProducerInfo[]) => void;
  /** A transport stayed down despite ICE restarts: the owner should redo the media part. */
  failed: (reason: string) => void;
  transportState: (direction: 'send' | 'recv', state: IceState) => void;
};

/** Teacher camera: VP8 simulcast, 3 spatial layers of 1280x720. */
export const TEACHER_CAMERA_ENCODINGS: RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];
/** Classroom camera: one modest layer for a weak rural uplink. */
export const CLASSROOM_CAMERA_ENCODINGS: RtpEncodingParameters[] = [{ maxBitrate: 500_000, maxFramerate: 25 }];
export const SCREEN_ENCODINGS: RtpEncodingParameters[] = [{ maxBitrate: 1_500_000, maxFramerate: 15 }];

class ClosedError extends Error {
  constructor() {
    super('media session closed');
    this.name = 'ClosedError';
  }
}

export class MediaSession {
  readonly events = new Emitter<MediaSessionEvents>();
  private device: Device | null = null;
  private recv: Transport | null = null;
  private send: Transport | null = null;
  private consumers = new Map<string, { consumer: Consumer; info: ConsumerInfo }>();
  private producers = new Map<MediaSource, Producer>();
  private producerInfo = new Map<MediaSource, ProducerInfo>();
  private closedFlag = false;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private trouble = new Map<string, { since: number; lastRestart: number }>();
  private restarting = new Set<string>();
  private started: Promise<void> | null = null;
  /** The simulcast layer last asked for per consumer (asked again only when it changes). */
  private sentLayers = new Map<string, number>();

  constructor(
    private readonly client: LessonClient,
    private readonly router: { rtpCapabilities: unknown; capsKey: string },
    readonly publish: PublishMode,
    private readonly devicePreload: DevicePreload,
  ) {}

  get closed(): boolean {
    return this.closedFlag;
  }

  get rtpCapabilities(): RtpCapabilities {
    if (!this.device) throw new Error('device not loaded');
    return this.device.rtpCapabilities;
  }

  get recvTransport(): Transport | null {
    return this.recv;
  }

  get canPublish(): boolean {
    return this.send !== null;
  }

  /** Sets up the Device and transports: those lesson:join brought, or asked for here. Once. */
  start(joined: JoinedMedia | null): Promise<void> {
    this.started ??= this.setUp(joined);
    return this.started;
  }

  private async setUp(joined: JoinedMedia | null): Promise<void> {
    // Independent steps run together: the Device, the recv transport and (for publishers) the
    // send transport. Receiving does not wait for the camera or the send transport.
    const wantSend = this.publish !== 'none';
    const [device, recvOpts, sendOpts] = await Promise.all([
      this.devicePreload.loadDevice(this.router.rtpCapabilities, this.router.capsKey),
      joined?.recv ?? this.client.request('transport:create', { direction: 'recv' }),
      !wantSend ? null : (joined?.send ?? this.client.request('transport:create', { direction: 'send' })),
    ]);
    this.assertOpen();
    this.device = device;
    this.recv = this.createTransport('recv', recvOpts);
    if (sendOpts && (device.canProduce('video') || device.canProduce('audio'))) {
      this.send = this.createTransport('send', sendOpts);
    }
    this.watchdog = setInterval(() => this.checkTransports(), 1000);
  }

  private assertOpen(): void {
    if (this.closedFlag) throw new ClosedError();
  }

  private createTransport(direction: 'send' | 'recv', opts: TransportCreated): Transport {
    const device = this.device!;
    const params: MsTransportOptions = {
      id: opts.id,
      iceParameters: opts.iceParameters as MsTransportOptions['iceParameters'],
      iceCandidates: opts.iceCandidates as MsTransportOptions['iceCandidates'],
      dtlsParameters: opts.dtlsParameters as MsTransportOptions['dtlsParameters'],
      sctpParameters: opts.sctpParameters as MsTransportOptions['sctpParameters'],
      iceServers: opts.iceServers?.length ? opts.iceServers : undefined,
    };
    const transport = direction === 'send' ? device.createSendTransport(params) : device.createRecvTransport(params);

    transport.on('connect', ({ dtlsParameters }, callback) => {
      // The browser goes on at once (its answer, ICE, then the DTLS hello) rather than a round
      // trip later: the server has our DTLS parameters before ICE has finished, and a hello
      // that still beats them is sent again by the browser 50 ms on. If the server refuses
      // them, the transport never comes up: redo the media part.
      callback();
      this.client.request('transport:connect', { transportId: transport.id, dtlsParameters }).catch((err: Error) => {
        if (!this.closedFlag && !transport.closed) this.events.emit('failed', `${direction} transport:connect: ${err.message}`);
      });
    });
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        const source = (appData as { source?: MediaSource }).source ?? (kind === 'audio' ? 'mic' : 'camera');
        this.client
          .request('producer:create', {
            transportId: transport.id,
            kind,
            source,
            rtpParameters: rtpParameters as ClientPayload<'producer:create'>['rtpParameters'],
          })
          .then(({ producerId }) => callback({ id: producerId }), (err: Error) => errback(err));
      });
    }
    transport.on('connectionstatechange', (state) => {
      this.events.emit('transportState', direction, state);
      this.checkTransport(transport);
    });
    return transport;
  }

  // ---- ICE watchdog: restart ICE when failed, or disconnected > 3 s; escalate if it stays down ----

  private checkTransports(): void {
    if (this.recv) this.checkTransport(this.recv);
    if (this.send) this.checkTransport(this.send);
  }

  private checkTransport(t: Transport): void {
    if (this.closedFlag || t.closed) return;
    const state = t.connectionState as IceState;
    const now = Date.now();
    if (state !== 'failed' && state !== 'disconnected') {
      this.trouble.delete(t.id);
      return;
    }
    let tr = this.trouble.get(t.id);
    if (!tr) this.trouble.set(t.id, (tr = { since: now, lastRestart: 0 }));
    const action = iceAction(state, now - tr.since, tr.lastRestart ? now - tr.lastRestart : Infinity);
    if (action === 'restart') {
      tr.lastRestart = now;
      void this.restartIce(t);
    } else if (action === 'escalate') {
      this.trouble.delete(t.id);
      this.events.emit('failed', `${t.direction} transport ${state}`);
    }
  }

  private async restartIce(t: Transport): Promise<void> {
    if (this.restarting.has(t.id)) return;
    this.restarting.add(t.id);
    try {
      const { iceParameters } = await this.client.request('transport:restartIce', { transportId: t.id });
      if (this.closedFlag || t.closed) return;
      await t.restartIce({ iceParameters: iceParameters as MsTransportOptions['iceParameters'] });
    } catch (err) {
      console.warn('[tongbu] ICE restart failed', err);
    } finally {
      this.restarting.delete(t.id);
    }
  }

  // ---- consuming ----

  /** Create the local consumer for a server-decided `consumer:new`. Resolves once it exists. */
  async consume(c: NewConsumer): Promise<void> {
    this.assertOpen();
    // After a join that brought our capabilities, consumers may come while we set up.
    if (this.started) await this.started;
    this.assertOpen();
    if (!this.recv) throw new Error('recv transport not ready');
    if (this.consumers.has(c.consumerId)) return;
    const consumer = await this.recv.consume({
      id: c.consumerId,
      producerId: c.producerId,
      kind: c.kind,
      rtpParameters: c.rtpParameters as RtpParameters,
      appData: { peerId: c.peerId, classroomId: c.classroomId, source: c.source },
    });
    if (this.closedFlag) {
      consumer.close();
      throw new ClosedError();
    }
    const info: ConsumerInfo = {
      consumerId: c.consumerId,
      producerId: c.producerId,
      peerId: c.peerId,
      classroomId: c.classroomId,
      source: c.source,
      kind: c.kind,
      track: consumer.track,
      producerPaused: c.producerPaused,
    };
    this.consumers.set(c.consumerId, { consumer, info });
    const drop = () => this.removeConsumer(c.consumerId);
    consumer.on('transportclose', drop);
    consumer.on('trackended', drop);
    this.emitConsumers();
  }

  closeConsumer(consumerId: string): void {
    this.sentLayers.delete(consumerId);
    const entry = this.consumers.get(consumerId);
    if (!entry) return;
    entry.consumer.close();
    this.removeConsumer(consumerId);
  }

  private removeConsumer(consumerId: string): void {
    if (this.consumers.delete(consumerId)) this.emitConsumers();
  }

  setProducerPaused(consumerId: string, paused: boolean): void {
    const entry = this.consumers.get(consumerId);
    if (!entry || entry.info.producerPaused === paused) return;
    entry.info = { ...entry.info, producerPaused: paused };
    this.emitConsumers();
  }

  hasConsumer(consumerId: string): boolean {
    return this.consumers.has(consumerId);
  }

  /** Ask for the simulcast layer that fits this view (sent only when it changes). */
  setLayers(consumerId: string, spatialLayer: number): void {
    if (this.sentLayers.get(consumerId) === spatialLayer) return;
    if (!this.hasConsumer(consumerId)) return;
    this.sentLayers.set(consumerId, spatialLayer);
    this.client.request('consumer:setLayers', { consumerId, spatialLayer }).catch(() => {
      this.sentLayers.delete(consumerId); // try again on the next resize
    });
  }

  listConsumers(): ConsumerInfo[] {
    return [...this.consumers.values()].map((e) => e.info);
  }

  private emitConsumers(): void {
    this.events.emit('consumers', this.listConsumers());
  }

  // ---- producing ----

  private findCodec(mime: string): RtpCodecCapability | undefined {
    return this.device?.rtpCapabilities.codecs?.find((c) => c.mimeType.toLowerCase() === mime);
  }

  /** Publish a local track under `source`. Replaces the track if that source already produces. */
  async produce(source: MediaSource, track: MediaStreamTrack): Promise<void> {
    this.assertOpen();
    if (!this.send || !this.device) return;
    const existing = this.producers.get(source);
    if (existing && !existing.closed) {
      if (existing.track !== track) await existing.replaceTrack({ track });
      return;
    }
    const kind = track.kind as 'audio' | 'video';
    if (!this.device.canProduce(kind)) return;
    const common = { track, stopTracks: false, appData: { source } };
    let producer: Producer;
    if (kind === 'audio') {
      producer = await this.send.produce({
        ...common,
        codecOptions: { opusStereo: false, opusDtx: true, opusFec: true },
      });
    } else {
      const vp8 = this.findCodec('video/vp8');
      const encodings =
        source === 'screen' ? SCREEN_ENCODINGS : this.publish === 'teacher' ? TEACHER_CAMERA_ENCODINGS : CLASSROOM_CAMERA_ENCODINGS;
      producer = await this.send.produce({
        ...common,
        codec: vp8,
        encodings: encodings.map((e) => ({ ...e })),
        codecOptions: { videoGoogleStartBitrate: source === 'camera' && this.publish === 'classroom' ? 300 : 1000 },
      });
    }
    if (this.closedFlag) {
      producer.close();
      throw new ClosedError();
    }
    this.producers.set(source, producer);
    this.producerInfo.set(source, { producerId: producer.id, source, kind });
    producer.on('transportclose', () => this.forgetProducer(source, producer));
    this.emitProducers();
  }

  /** Stop publishing `source` (e.g. screen share ended). */
  async closeProducer(source: MediaSource): Promise<void> {
    const producer = this.producers.get(source);
    if (!producer) return;
    producer.close();
    this.forgetProducer(source, producer);
    try {
      await this.client.request('producer:close', { producerId: producer.id });
    } catch {
      /* the server also cleans up with the transport */
    }
  }

  private forgetProducer(source: MediaSource, producer: Producer): void {
    if (this.producers.get(source) !== producer) return;
    this.producers.delete(source);
    this.producerInfo.delete(source);
    this.emitProducers();
  }

  listProducers(): ProducerInfo[] {
    return [...this.producerInfo.values()];
  }

  private emitProducers(): void {
    this.events.emit('producers', this.listProducers());
  }

  // ---- stats ----

  async consumerStats(): Promise<ConsumerStats[]> {
    const out: ConsumerStats[] = [];
    for (const { consumer, info } of [...this.consumers.values()]) {
      let report: Record<string, unknown> | undefined;
      try {
        const stats = await consumer.getStats();
        stats.forEach((r: Record<string, unknown>) => {
          if (r.type === 'inbound-rtp' && !report) report = r;
        });
      } catch {
        /* closed meanwhile */
      }
      const n = (k: string) => {
        const v = report?.[k];
        return typeof v === 'number' && Number.isFinite(v) ? v : 0;
      };
      out.push({
        consumerId: info.consumerId,
        peerId: info.peerId,
        classroomId: info.classroomId,
        source: info.source,
        kind: info.kind,
        framesDecoded: n('framesDecoded'),
        packetsReceived: n('packetsReceived'),
        packetsLost: n('packetsLost'),
        concealedSamples: n('concealedSamples'),
        totalSamplesReceived: n('totalSamplesReceived'),
        frameWidth: n('frameWidth'),
        framesPerSecond: n('framesPerSecond'),
      });
    }
    return out;
  }

  async recvTransportStats(): Promise<Record<string, unknown>[] | null> {
    if (!this.recv || this.recv.closed) return null;
    const list: Record<string, unknown>[] = [];
    const stats = await this.recv.getStats();
    stats.forEach((r: Record<string, unknown>) => list.push(r));
    return list;
  }

  /** Close everything (idempotent). The server drops its side with the transports. */
  close(): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    if (this.watchdog) clearInterval(this.watchdog);
    this.watchdog = null;
    for (const { consumer } of this.consumers.values()) consumer.close();
    for (const p of this.producers.values()) p.close();
    this.consumers.clear();
    this.producers.clear();
    this.producerInfo.clear();
    this.send?.close();
    this.recv?.close();
    this.send = null;
    this.recv = null;
    this.events.emit('consumers', []);
    this.events.emit('producers', []);
    this.events.clear();
  }
}

export function isClosedError(e: unknown): boolean {
  return e instanceof ClosedError;
}
