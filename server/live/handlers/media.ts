// media:ready, transport:*, producer:*, consumer:* — a participant's own media only.
import type { types } from 'mediasoup';
import { AppError } from '../../contract/errors.js';
import { checkRtpCapabilities } from '../../../media/clientInput.js';
import { goneIfClosed } from '../../../media/MediaPeer.js';
import { canProduce } from '../policy.js';
import type { Seat, SocketSession } from '../session.js';
import type { ClientPayload, JoinedMedia, TransportOptions } from '../../contract/events.js';

/** A transport of the seat's own, with the ICE servers a browser needs. */
async function openTransport(s: SocketSession, seat: Seat, direction: 'send' | 'recv'): Promise<TransportOptions> {
  if (direction === 'send' && seat.role === 'observer') throw new AppError('FORBIDDEN', 'observers do not publish');
  const media = await seat.live.media();
  const t = await media.createTransport(seat.peerId, direction);
  return { ...t, iceServers: s.deps.iceServers() };
}

/**
 * The media part of lesson:join, so a join costs one round trip, not three: both transports,
 * and the client's capabilities when its Device was loaded from this router's (same key).
 */
export async function joinMedia(s: SocketSession, seat: Seat, req: NonNullable<ClientPayload<'lesson:join'>['media']>): Promise<JoinedMedia> {
  const media = await seat.live.media();
  const [recv, send] = await Promise.all([
    openTransport(s, seat, 'recv'),
    req.send && seat.role !== 'observer' ? openTransport(s, seat, 'send') : null,
  ]);
  const consuming = req.caps !== undefined && req.caps.routerCapsKey === media.capsKey;
  if (consuming) {
    const caps = req.caps!.rtpCapabilities as types.RtpCapabilities;
    checkRtpCapabilities(caps);
    await seat.live.setRtpCapabilities(seat.peerId, caps);
  }
  return { recv, send, consuming };
}

export function registerMediaHandlers(s: SocketSession): void {
  const mediaOf = async () => {
    const seat = s.requireSeat();
    return { seat, media: await seat.live.media() };
  };

  s.edge.on('media:ready', async ({ rtpCapabilities }) => {
    const seat = s.requireSeat();
    checkRtpCapabilities(rtpCapabilities as types.RtpCapabilities);
    await seat.live.setRtpCapabilities(seat.peerId, rtpCapabilities as types.RtpCapabilities);
    return null;
  });

  s.edge.on('transport:create', ({ direction }) => openTransport(s, s.requireSeat(), direction));

  s.edge.on('transport:connect', async ({ transportId, dtlsParameters }) => {
    const { seat, media } = await mediaOf();
    await media.connectTransport(seat.peerId, transportId, dtlsParameters as types.DtlsParameters);
    return null;
  });

  s.edge.on('transport:restartIce', async ({ transportId }) => {
    const { seat, media } = await mediaOf();
    return { iceParameters: await media.restartIce(seat.peerId, transportId) };
  });

  s.edge.on('producer:create', async ({ transportId, kind, source, rtpParameters }) => {
    const seat = s.requireSeat();
    if (!canProduce(seat.role, source)) throw new AppError('FORBIDDEN', `a ${seat.role} may not publish ${source}`);
    const producer = await seat.live.produce(seat.peerId, {
      transportId,
      kind,
      source,
      rtpParameters: rtpParameters as types.RtpParameters,
    });
    return { producerId: producer.id };
  });

  s.edge.on('producer:close', async ({ producerId }) => {
    const { seat, media } = await mediaOf();
    media.closeProducer(seat.peerId, producerId);
    return null;
  });

  s.edge.on('producer:pause', async ({ producerId }) => {
    const { seat, media } = await mediaOf();
    const p = media.peer(seat.peerId).producers.get(producerId);
    if (!p) throw new AppError('NOT_FOUND', 'no such producer');
    await p.pause().catch(goneIfClosed(p, 'producer'));
    return null;
  });

  s.edge.on('producer:resume', async ({ producerId }) => {
    const seat = s.requireSeat();
    await seat.live.resumeOwnProducer(seat.peerId, producerId);
    return null;
  });

  s.edge.on('consumer:setLayers', async ({ consumerId, spatialLayer }) => {
    const { seat, media } = await mediaOf();
    await media.setConsumerLayers(seat.peerId, consumerId, spatialLayer);
    return null;
  });

  s.edge.on('consumer:pause', async ({ consumerId }) => {
    const { seat, media } = await mediaOf();
    const c = media.peer(seat.peerId).consumerById(consumerId);
    await c.pause().catch(goneIfClosed(c, 'consumer'));
    return null;
  });

  s.edge.on('consumer:resume', async ({ consumerId }) => {
    const { seat, media } = await mediaOf();
    const c = media.peer(seat.peerId).consumerById(consumerId);
    await c.resume().catch(goneIfClosed(c, 'consumer'));
    return null;
  });
}
