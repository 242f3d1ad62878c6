// One participant's media objects in a lesson's router. Closing the peer closes its
// transports, which closes their producers and consumers (mediasoup cascades).
import type { types } from 'mediasoup';
import type { MediaSource } from '../server/contract/domain.js';
import { AppError } from '../server/contract/errors.js';

// A type alias (not an interface) so that it satisfies mediasoup's AppData index signature.
export type ProducerMeta = {
  peerId: string;
  classroomId: string | null;
  source: MediaSource;
};

export class MediaPeer {
  readonly transports = new Map<string, types.WebRtcTransport>();
  /** RTP ingests (an encoder that speaks plain RTP, or a test's ffmpeg): send-only. */
  readonly plainTransports = new Map<string, types.PlainTransport>();
  readonly producers = new Map<string, types.Producer<ProducerMeta>>();
  /** Keyed by producer id: at most one consumer of a producer per peer. */
  readonly consumers = new Map<string, types.Consumer<ProducerMeta>>();
  rtpCapabilities: types.RtpCapabilities | null = null;
  private closed = false;

  constructor(readonly peerId: string) {}

  get isClosed(): boolean {
    return this.closed;
  }

  transport(id: string): types.WebRtcTransport {
    const t = this.transports.get(id);
    if (!t) throw new AppError('NOT_FOUND', 'no such transport');
    return t;
  }

  /** A transport this peer may produce on: its WebRTC send transport or an RTP ingest. */
  sendTransport(id: string): types.WebRtcTransport | types.PlainTransport {
    const plain = this.plainTransports.get(id);
    if (plain) return plain;
    const t = this.transport(id);
    if (t.appData.direction !== 'send') throw new AppError('BAD_REQUEST', 'not a send transport');
    return t;
  }

  consumerById(consumerId: string): types.Consumer<ProducerMeta> {
    for (const c of this.consumers.values()) if (c.id === consumerId) return c;
    throw new AppError('NOT_FOUND', 'no such consumer');
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.transports.values()) t.close();
    for (const t of this.plainTransports.values()) t.close();
    this.transports.clear();
    this.plainTransports.clear();
    this.producers.clear();
    this.consumers.clear();
  }
}

/**
 * For a worker request on a producer or consumer that may close meanwhile (its producer
 * went away, the receiver left): then it is simply gone, not an internal error.
 */
export function goneIfClosed(obj: { closed: boolean }, what: 'producer' | 'consumer') {
  return async (err: unknown): Promise<never> => {
    if (await closedMeanwhile(obj)) throw new AppError('NOT_FOUND', `no such ${what}`);
    throw err;
  };
}

/** mediasoup delivers the worker's "closed" notice a tick (setImmediate) after a failed request. */
export async function closedMeanwhile(obj: { closed: boolean }): Promise<boolean> {
  if (!obj.closed) await new Promise((r) => setImmediate(r));
  return obj.closed;
}
