// media:ready, transport:*, producer:*, consumer:* — a participant's own media only.
import type { types } from 'mediasoup';
import { AppError } from '../../contract/errors.js';
import { goneIfClosed } from '../../../media/MediaPeer.js';
import { canProduce } from '../policy.js';
import type { SocketSession } from '../session.js';
import type { IceServer } from '../iceServers.js';

export function registerMediaHandlers(s: SocketSession, iceServers: () => IceServer[]): void {
  const mediaOf = async () => {
    const seat = s.requireSeat();
    return { seat, media: await seat.live.media() };
  };

  s.edge.on('media:ready', async ({ rtpCapabilities }) => {
    const seat = s.requireSeat();
    await seat.live.setRtpCapabilities(seat.peerId, rtpCapabilities as types.RtpCapabilities);
    return null;
  });

  s.edge.on('transport:create', async ({ direction }) => {
    const { seat, media } = await mediaOf();
    if (direction === 'send' && seat.role === 'observer') throw new AppError('FORBIDDEN', 'observers do not publish');
    const t = await media.createTransport(seat.peerId, direction);
    return { ...t, iceServers: iceServers() };
  });

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
