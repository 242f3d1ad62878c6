// Nothing outlives a participant: a projector PC that drops off mid-lesson has its
// transports, producers and consumers closed — in our bookkeeping and in mediasoup's own
// dumps — and a mediasoup worker that dies is replaced with the lesson brought back.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  joinWithMedia,
  produceCamera,
  produceMic,
  silentProxy,
  startLiveServer,
  waitFor,
  type Joined,
  type LiveTestServer,
  type TestClient,
} from '../helpers/liveServer.js';

let srv: LiveTestServer;
let lessonId: string;
let A: string;
let teacher: Joined;
let shiqiao: Joined;
const teacherProducers: string[] = [];

beforeAll(async () => {
  srv = await startLiveServer({});
  lessonId = srv.lessonId;
  // Participants' media only: a recorded lesson would add its recorders' transports and
  // consumers (armed in the lobby as soon as something is published) to every count here.
  await srv.db.query('update lessons set recording = false where id = $1', [lessonId]);
  A = srv.classrooms.qingshan;
  teacher = await joinWithMedia(await srv.connect(await srv.cookieFor('teacher-wang'), 'teacher'), lessonId, { send: true });
  teacherProducers.push(await produceCamera(teacher.client, teacher.send!.id), await produceMic(teacher.client, teacher.send!.id));
  shiqiao = await joinWithMedia(await srv.connect(await srv.deviceCookie(srv.classrooms.shiqiao), 'shiqiao'), lessonId);
  // Qingshan is on stage throughout, so each of its visits makes consumers on both others.
  await teacher.client.ok('stage:set', { classroomId: A });
  await srv.settle();
}, 60_000);

afterAll(async () => {
  await srv?.close();
});

interface Snapshot {
  counts: ReturnType<NonNullable<ReturnType<LiveTestServer['live']>>['counts']>;
  routerTransports: string[];
  routerConsumers: number;
  routerProducers: number;
  observedProducers: number;
  workerRequestHandlers: number;
  workerNotificationHandlers: number;
  serverTransports: number;
  serverIceFragments: number;
  sockets: number;
  roomSize: number;
}

/** Everything that could leak, from our side and from mediasoup's. */
async function snapshot(): Promise<Snapshot> {
  const live = srv.live()!;
  const media = live.currentMedia!;
  const router = await media.router.dump();
  const worker = await media.slot.worker.dump();
  const server = await media.slot.webRtcServer.dump();
  const io = srv.web.live.io;
  return {
    counts: live.counts(),
    routerTransports: [...router.transportIds].sort(),
    routerConsumers: router.mapConsumerIdProducerId.length,
    routerProducers: router.mapProducerIdConsumerIds.length,
    observedProducers: router.mapProducerIdObserverIds.length,
    workerRequestHandlers: worker.channelMessageHandlers.channelRequestHandlers.length,
    workerNotificationHandlers: worker.channelMessageHandlers.channelNotificationHandlers.length,
    serverTransports: server.webRtcTransportIds.length,
    serverIceFragments: server.localIceUsernameFragments.length,
    sockets: io.of('/').sockets.size,
    roomSize: io.of('/').adapter.rooms.get(`lesson:${lessonId}`)?.size ?? 0,
  };
}

/** Qingshan's projector comes in, publishes camera and mic, and is seen by the others. */
async function visit(label: string, port?: number): Promise<{ a: Joined; producers: string[] }> {
  const client = await srv.connect(await srv.deviceCookie(A), label, { port });
  const a = await joinWithMedia(client, lessonId, { send: true });
  const producers = [await produceCamera(client, a.send!.id), await produceMic(client, a.send!.id)];
  for (const who of [teacher, shiqiao]) {
    for (const p of producers) await waitFor(() => who.client.openConsumers((c) => c.producerId === p).length === 1, 5_000, `${who.client.label} consumes ${p}`);
  }
  return { a, producers };
}

const wsOf = (c: TestClient) =>
  (c.socket.io.engine as unknown as { transport: { ws: { terminate(): void } } }).transport.ws;

function mediasoupChildren(): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(process.pid), '-f', 'mediasoup-worker'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe('a participant that disappears', () => {
  let baseline: Snapshot;

  it('has its media closed however it goes, over 20 join/produce/leave cycles', async () => {
    baseline = await snapshot();
    expect(baseline.counts).toEqual({ peers: 2, producers: 2, consumers: 2, transports: 3 });
    expect(baseline.routerTransports).toHaveLength(3);
    const ways = ['engine.close()', 'ws.terminate()', 'lesson:leave + disconnect', 'replaced by a reconnect'] as const;
    for (let i = 0; i < 20; i++) {
      const way = ways[i % ways.length];
      const { a, producers } = await visit(`qingshan#${i}`);
      const during = srv.live()!.counts();
      expect(during).toEqual({ peers: 3, producers: 4, consumers: 2 + 2 + 2 + 2, transports: 5 });
      const consumersOfA = [teacher, shiqiao].flatMap((who) => who.client.openConsumers((c) => producers.includes(c.producerId)));
      let extra: TestClient | null = null;
      if (way === 'engine.close()') a.client.socket.io.engine.close();
      else if (way === 'ws.terminate()') wsOf(a.client).terminate();
      else if (way === 'lesson:leave + disconnect') {
        await a.client.ok('lesson:leave', {});
        a.client.close();
      } else {
        // The same projector reconnects before its old connection is noticed as gone.
        extra = await srv.connect(await srv.deviceCookie(A), `qingshan#${i}b`);
        await extra.ok('lesson:join', { lessonId });
      }
      await waitFor(
        () => consumersOfA.every((c) => c.closed),
        30_000,
        `consumers of qingshan#${i} (${way}) closed on the receivers`,
      );
      if (extra) {
        // The stale connection has no seat any more.
        expect(await a.client.errorCode('chat:send', { text: '我还在吗' })).toBe('CONFLICT');
        wsOf(a.client).terminate();
        extra.close();
      }
      await waitFor(async () => {
        const now = await snapshot();
        return JSON.stringify(now) === JSON.stringify(baseline) ? now : null;
      }, 30_000, `back to baseline after ${way}`);
    }
    const after = await snapshot();
    expect(after).toEqual(baseline);
    // The ones who stayed still have exactly their own media.
    expect(teacher.client.openConsumers()).toHaveLength(0);
    expect(shiqiao.client.openConsumers().map((c) => c.producerId).sort()).toEqual([...teacherProducers].sort());
    // One peer:left per visit, plus one for each stale seat replaced by a reconnect.
    expect(teacher.client.events('peer:left')).toHaveLength(20 + 5);
  }, 120_000);

  // Within the heartbeat's pingInterval + pingTimeout (40 s, server/live/heartbeat.ts: a busy
  // machine's late pong must not count as gone), plus slack for a loaded test machine.
  it('is noticed within 50 s when its network just goes silent (no FIN, no RST)', async () => {
    const baseline = await snapshot();
    const proxy = await silentProxy(srv.web.port);
    try {
      const { producers } = await visit('qingshan-silent', proxy.port);
      const consumersOfA = [teacher, shiqiao].flatMap((who) => who.client.openConsumers((c) => producers.includes(c.producerId)));
      expect(consumersOfA).toHaveLength(4);
      const frozenAt = Date.now();
      proxy.freeze();
      await waitFor(() => consumersOfA.every((c) => c.closed), 50_000, 'silent client cleaned up by ping timeout');
      const took = Date.now() - frozenAt;
      expect(took).toBeLessThan(50_000);
      await waitFor(async () => JSON.stringify(await snapshot()) === JSON.stringify(baseline), 5_000, 'back to baseline');
    } finally {
      proxy.close();
    }
  }, 90_000);
});

describe('a mediasoup worker that dies', () => {
  it('is replaced; everyone gets media:reset; transports and producers work again on the same lesson', async () => {
    const a = await visit('qingshan-before-crash');
    const pool = srv.web.pool;
    const old = pool.workers[0];
    const oldPid = old.worker.pid!;
    const oldMedia = srv.live()!.currentMedia!;
    const marks = [teacher, shiqiao, a.a].map((j) => j.client.mark());
    expect(mediasoupChildren()).toEqual([oldPid]);

    process.kill(oldPid, 'SIGKILL');

    for (const [i, who] of [teacher, shiqiao, a.a].entries()) {
      await who.client.waitEvent('media:reset', () => true, 20_000, marks[i]);
    }
    expect(oldMedia.isClosed).toBe(true);
    const fresh = await waitFor(() => pool.workers.find((w) => !w.worker.closed), 20_000, 'a new worker');
    expect(fresh.worker.pid).not.toBe(oldPid);
    expect(fresh.index).toBe(0);
    const health = await fetch(`${srv.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: true, workers: 1, lessons: 1 });

    // The lesson lives on, with its participants, stage and a new router on the new worker.
    const live = srv.live()!;
    expect(live.peers.size).toBe(3);
    expect(live.stageClassroomId).toBe(A);
    const media = live.currentMedia!;
    expect(media).not.toBe(oldMedia);
    expect(media.slot).toBe(fresh);
    expect(live.counts()).toMatchObject({ producers: 0, consumers: 0, transports: 0 });

    // Clients re-create transports and re-produce, as on media:reset.
    const send = await teacher.client.ok('transport:create', { direction: 'send' });
    expect(send.iceCandidates).toEqual(expect.arrayContaining([expect.objectContaining({ protocol: 'udp', port: srv.rtcPort })]));
    await teacher.client.ok('transport:create', { direction: 'recv' });
    await teacher.client.ok('media:ready', { rtpCapabilities: teacher.snap.routerRtpCapabilities as never });
    const cam = await produceCamera(teacher.client, send.id);
    const mic = await produceMic(teacher.client, send.id);
    await shiqiao.client.ok('transport:create', { direction: 'recv' });
    await shiqiao.client.ok('media:ready', { rtpCapabilities: shiqiao.snap.routerRtpCapabilities as never });
    for (const p of [cam, mic]) {
      await shiqiao.client.waitEvent('consumer:new', (c: { producerId: string }) => c.producerId === p);
    }
    const aSend = await a.a.client.ok('transport:create', { direction: 'send' });
    const aCam = await produceCamera(a.a.client, aSend.id);
    await teacher.client.waitEvent('consumer:new', (c: { producerId: string }) => c.producerId === aCam);
    await srv.settle();
    expect(live.counts()).toEqual({ peers: 3, producers: 3, consumers: 2 + 1 + 1, transports: 4 });
    expect((await fresh.worker.dump()).routerIds).toEqual([media.router.id]);
    // Exactly one worker process: the crash left no half-started replacements behind.
    await waitFor(() => mediasoupChildren().length === 1, 10_000, 'one mediasoup-worker child');
    expect(mediasoupChildren()).toEqual([fresh.worker.pid]);
  }, 60_000);
});
