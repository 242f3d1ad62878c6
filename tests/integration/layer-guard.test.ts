// The frame-rate guard on a real simulcast consumer: the server starts the projector's consumer
// of the teacher camera on the lowest layer, knows its temporal layers from the producer (L1T3
// per layer), and passes the layer the view asks for on to mediasoup.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { joinWithMedia, produceCamera, startLiveServer, waitFor, type LiveTestServer } from '../helpers/liveServer.js';

let srv: LiveTestServer;

beforeAll(async () => {
  srv = await startLiveServer({});
}, 60_000);

afterAll(async () => {
  await srv?.close();
});

it('guards the simulcast consumer of the teacher camera, from the lowest layer to the one asked for', async () => {
  const teacher = await joinWithMedia(await srv.connect(await srv.cookieFor('teacher-wang'), 'teacher'), srv.lessonId, { send: true });
  const camera = await produceCamera(teacher.client, teacher.send!.id);
  const room = await joinWithMedia(await srv.connect(await srv.deviceCookie(srv.classrooms.qingshan), 'qingshan'), srv.lessonId);
  const { consumerId } = await room.client.waitEvent<{ consumerId: string; producerId: string }>('consumer:new', (c) => c.producerId === camera);

  const media = srv.live()!.currentMedia!;
  const consumer = [...media.peers.get(room.snap.self.peerId)!.consumers.values()].find((c) => c.id === consumerId)!;
  await waitFor(async () => media.layerGuard(consumerId) !== undefined, 5_000, 'the guard');
  const guard = media.layerGuard(consumerId)!;
  expect(consumer.type).toBe('simulcast');
  expect(guard.topTemporal).toBe(2);
  expect(consumer.preferredLayers).toEqual({ spatialLayer: 0, temporalLayer: 2 });

  await room.client.ok('consumer:setLayers', { consumerId, spatialLayer: 2 });
  expect(guard.preferred).toBe(2);
  expect(consumer.preferredLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });
  // Teacher-only audio or a classroom's one-layer camera has no guard.
  expect([...media.peers.get(room.snap.self.peerId)!.consumers.values()].filter((c) => media.layerGuard(c.id)).length).toBe(1);
});
