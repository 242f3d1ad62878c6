// Live-lesson signalling end to end: a real server (PGlite + one real mediasoup worker) and
// real socket.io-client participants — the city teacher, both rural classroom devices and
// a researcher observing. No browser, so no DTLS; producers are made from hand-written
// RTP parameters, which mediasoup accepts on a transport that is not yet connected.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ChatMessage, Lesson, PeerInfo, Quiz, QuizAnswer, RaisedHand } from '../../server/contract/domain.js';
import type { ClientPayload, TransportOptions } from '../../server/contract/events.js';
import type { Ack } from '../../server/contract/errors.js';
import { listLessonEvents } from '../../server/lessons/repo.js';
import { tapLog } from '../../server/contract/log.js';
import { internalErrors } from '../../server/http/apiError.js';
import {
  fakeDtlsParameters,
  joinWithMedia,
  opusRtpParameters,
  produceCamera,
  produceMic,
  startLiveServer,
  waitFor,
  type Joined,
  type LiveTestServer,
} from '../helpers/liveServer.js';


let srv: LiveTestServer;
let lessonId: string;
let teacher: Joined;
let qingshan: Joined; // rural classroom A
let shiqiao: Joined; // rural classroom B
let observer: Joined; // researcher-zhao
let A: string; // qingshan classroom id
let B: string; // shiqiao classroom id
const producers = { teacherMic: '', teacherCam: '', aMic: '', aCam: '', bMic: '', bCam: '' };

beforeAll(async () => {
  srv = await startLiveServer({});
  lessonId = srv.lessonId;
  // Participants' media only: a recorded lesson would add its recorders' transports and
  // consumers (armed in the lobby as soon as something is published) to every count here.
  await srv.db.query('update lessons set recording = false where id = $1', [lessonId]);
  A = srv.classrooms.qingshan;
  B = srv.classrooms.shiqiao;
}, 60_000);

afterAll(async () => {
  await srv?.close();
});

/** The consumer `who` holds (client side) for a producer, if open. */
const consumerOf = (who: Joined, producerId: string) => who.client.openConsumers((c) => c.producerId === producerId)[0];
/** Server side: the producer ids `who` consumes right now. */
const serverConsumes = (who: Joined) => {
  const mp = srv.live()!.currentMedia!.peers.get(who.snap.self.peerId);
  return new Set(mp ? [...mp.consumers.keys()] : []);
};

describe('joining', () => {
  it('gives each role its snapshot, and tells the others', async () => {
    const t = await srv.connect(await srv.cookieFor('teacher-wang'), 'teacher');
    // Nothing to end yet: only a live lesson ends.
    const tSnap = await t.ok('lesson:join', { lessonId });
    expect(await t.errorCode('lesson:end', {})).toBe('CONFLICT');
    expect(tSnap.self).toMatchObject({ lessonRole: 'teacher', classroomId: null, displayName: '王老师' });
    expect(tSnap.lesson).toMatchObject({ id: lessonId, state: 'scheduled', receivingClassroomIds: [A, B].sort() });
    expect(tSnap.peers).toEqual([]);
    const caps = tSnap.routerRtpCapabilities as { codecs: { mimeType: string; kind: string }[]; headerExtensions: unknown[] };
    expect(caps.codecs.map((c) => c.mimeType)).toEqual(expect.arrayContaining(['audio/opus', 'video/VP8', 'video/rtx']));
    expect(caps.headerExtensions.length).toBeGreaterThan(0);
    expect(tSnap).toMatchObject({ stageClassroomId: null, mutedClassroomIds: [], hands: [], chat: [], quiz: null });
    teacher = { client: t, snap: tSnap };

    const a = await srv.connect(await srv.deviceCookie(A), 'qingshan');
    const aSnap = await a.ok('lesson:join', { lessonId });
    expect(aSnap.self).toMatchObject({ lessonRole: 'classroom', classroomId: A });
    expect(aSnap.peers.map((p) => p.peerId)).toEqual([tSnap.self.peerId]);
    expect(aSnap.routerRtpCapabilities).toEqual(tSnap.routerRtpCapabilities);
    qingshan = { client: a, snap: aSnap };

    const b = await srv.connect(await srv.deviceCookie(B), 'shiqiao');
    const bSnap = await b.ok('lesson:join', { lessonId });
    expect(bSnap.self).toMatchObject({ lessonRole: 'classroom', classroomId: B });
    expect(bSnap.peers.map((p) => p.lessonRole).sort()).toEqual(['classroom', 'teacher']);
    shiqiao = { client: b, snap: bSnap };

    const o = await srv.connect(await srv.cookieFor('researcher-zhao'), 'observer');
    const oSnap = await o.ok('lesson:join', { lessonId });
    expect(oSnap.self).toMatchObject({ lessonRole: 'observer', classroomId: null, displayName: '赵老师' });
    expect(oSnap.peers).toHaveLength(3);
    observer = { client: o, snap: oSnap };

    // The teacher heard of all three, in order.
    await waitFor(() => t.events('peer:joined').length === 3, 5_000, 'three peer:joined');
    expect(t.events<PeerInfo>('peer:joined').map((p) => p.peerId)).toEqual([
      aSnap.self.peerId,
      bSnap.self.peerId,
      oSnap.self.peerId,
    ]);
    expect(srv.live()!.counts()).toMatchObject({ peers: 4, producers: 0, consumers: 0 });
  });

  it('refuses a lesson that does not exist', async () => {
    const c = await srv.connect(await srv.cookieFor('teacher-wang'), 'stray');
    expect(await c.errorCode('lesson:join', { lessonId: 'no-such-lesson' })).toBe('NOT_FOUND');
    c.close();
  });
});

describe('transports', () => {
  const checkTransport = (t: TransportOptions) => {
    expect(t.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.iceParameters).toMatchObject({ iceLite: true, usernameFragment: expect.any(String), password: expect.any(String) });
    // The worker's WebRtcServer: one UDP and one TCP port, announced as configured.
    expect(t.iceCandidates).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ protocol: 'udp', ip: '127.0.0.1', port: srv.rtcPort, type: 'host' }),
        expect.objectContaining({ protocol: 'tcp', ip: '127.0.0.1', port: srv.rtcPort, type: 'host', tcpType: 'passive' }),
      ]),
    );
    expect(t.iceCandidates).toHaveLength(2);
    const dtls = t.dtlsParameters as { role: string; fingerprints: { algorithm: string; value: string }[] };
    expect(dtls.role).toBe('auto');
    expect(dtls.fingerprints.find((f) => f.algorithm === 'sha-256')?.value).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(t.iceServers).toEqual([]);
  };

  it('creates send and recv transports with the worker ICE candidates', async () => {
    const first = await teacher.client.ok('transport:create', { direction: 'send' });
    checkTransport(first);
    // A second send transport replaces the first (a reconnecting client).
    teacher.send = await teacher.client.ok('transport:create', { direction: 'send' });
    checkTransport(teacher.send);
    expect(teacher.send.id).not.toBe(first.id);
    expect(
      await teacher.client.errorCode('transport:connect', { transportId: first.id, dtlsParameters: fakeDtlsParameters() }),
    ).toBe('NOT_FOUND');
    teacher.recv = await teacher.client.ok('transport:create', { direction: 'recv' });
    checkTransport(teacher.recv);

    for (const who of [qingshan, shiqiao]) {
      who.send = await who.client.ok('transport:create', { direction: 'send' });
      who.recv = await who.client.ok('transport:create', { direction: 'recv' });
      checkTransport(who.send);
    }
    observer.recv = await observer.client.ok('transport:create', { direction: 'recv' });
    checkTransport(observer.recv);
    const ids = [teacher, qingshan, shiqiao].flatMap((j) => [j.send!.id, j.recv!.id]).concat(observer.recv.id);
    expect(new Set(ids).size).toBe(7);
    expect(srv.live()!.counts().transports).toBe(7);
    // mediasoup agrees: 7 transports on the router, all on the one WebRtcServer.
    const media = srv.live()!.currentMedia!;
    expect((await media.router.dump()).transportIds.sort()).toEqual([...ids].sort());
    expect((await media.slot.webRtcServer.dump()).webRtcTransportIds).toHaveLength(7);
  });

  it('connects once; a second connect is CONFLICT; restartIce gives fresh credentials', async () => {
    const c = teacher.client;
    expect(await c.ok('transport:connect', { transportId: teacher.recv!.id, dtlsParameters: fakeDtlsParameters() })).toBeNull();
    expect(await c.errorCode('transport:connect', { transportId: teacher.recv!.id, dtlsParameters: fakeDtlsParameters() })).toBe(
      'CONFLICT',
    );
    // Somebody else's transport is not found (not usable) for this peer.
    expect(await c.errorCode('transport:connect', { transportId: qingshan.send!.id, dtlsParameters: fakeDtlsParameters() })).toBe(
      'NOT_FOUND',
    );
    const { iceParameters } = await c.ok('transport:restartIce', { transportId: teacher.recv!.id });
    const before = teacher.recv!.iceParameters as { usernameFragment: string; password: string };
    const after = iceParameters as { usernameFragment: string; password: string };
    expect(after.password).toMatch(/^\w{8,}/);
    expect(after.password).not.toBe(before.password);
  });
});

describe('who receives what', () => {
  it('teacher camera (simulcast) and mic go to both classrooms and the observer, not back to the teacher', async () => {
    const t = teacher.client;
    const caps = teacher.snap.routerRtpCapabilities as never;
    await t.ok('media:ready', { rtpCapabilities: caps });
    producers.teacherMic = await produceMic(t, teacher.send!.id);
    producers.teacherCam = await produceCamera(t, teacher.send!.id);
    // Wrong kind for a source, and a second mic, are refused.
    expect(
      await t.errorCode('producer:create', {
        transportId: teacher.send!.id,
        kind: 'video',
        source: 'mic',
        rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }] },
      }),
    ).toBe('BAD_REQUEST');
    await expect(produceMic(t, teacher.send!.id, 'a9')).rejects.toThrow(/CONFLICT/);
    // Producing on a recv transport is refused too.
    await expect(produceCamera(t, teacher.recv!.id, 'v9')).rejects.toThrow(/BAD_REQUEST/);

    for (const who of [qingshan, shiqiao, observer]) {
      await who.client.ok('media:ready', { rtpCapabilities: caps });
    }
    for (const who of [qingshan, shiqiao, observer]) {
      const mic = await who.client.waitEvent<{ producerId: string }>('consumer:new', (c) => c.producerId === producers.teacherMic);
      const cam = await who.client.waitEvent<{ producerId: string }>('consumer:new', (c) => c.producerId === producers.teacherCam);
      expect(mic).toMatchObject({
        peerId: teacher.snap.self.peerId,
        classroomId: null,
        source: 'mic',
        kind: 'audio',
        producerPaused: false,
        rtpParameters: { codecs: [expect.objectContaining({ mimeType: 'audio/opus', payloadType: 100 })] },
      });
      expect(cam).toMatchObject({
        peerId: teacher.snap.self.peerId,
        classroomId: null,
        source: 'camera',
        kind: 'video',
        producerPaused: false,
        rtpParameters: { codecs: expect.arrayContaining([expect.objectContaining({ mimeType: 'video/VP8' })]) },
      });
    }
    await srv.settle();
    const media = srv.live()!.currentMedia!;
    for (const who of [qingshan, shiqiao, observer]) {
      expect(serverConsumes(who)).toEqual(new Set([producers.teacherMic, producers.teacherCam]));
      const consumers = media.peers.get(who.snap.self.peerId)!.consumers;
      const cam = consumers.get(producers.teacherCam)!;
      expect(cam.type).toBe('simulcast');
      expect(cam.priority).toBe(2); // teacher video outranks classroom video
      // Acked, so resumed server-side.
      await waitFor(() => !cam.paused && !consumers.get(producers.teacherMic)!.paused, 5_000, 'consumers resumed after ack');
    }
    expect(teacher.client.events('consumer:new')).toEqual([]);
    const producer = media.findProducer(producers.teacherCam)!;
    expect(producer.type).toBe('simulcast');
    expect(producer.rtpParameters.encodings?.map((e) => e.rid)).toEqual(['r0', 'r1', 'r2']);
  });

  it('a receiver may pick simulcast layers and pause/resume its own consumers only', async () => {
    const c = qingshan.client;
    const cam = consumerOf(qingshan, producers.teacherCam)!;
    expect(await c.ok('consumer:setLayers', { consumerId: cam.consumerId, spatialLayer: 0 })).toBeNull();
    const server = srv.live()!.currentMedia!.peers.get(qingshan.snap.self.peerId)!.consumers.get(producers.teacherCam)!;
    expect(server.preferredLayers).toEqual({ spatialLayer: 0, temporalLayer: 2 });
    await c.ok('consumer:pause', { consumerId: cam.consumerId });
    expect(server.paused).toBe(true);
    await c.ok('consumer:resume', { consumerId: cam.consumerId });
    expect(server.paused).toBe(false);
    // Another receiver's consumer id is not this peer's.
    const other = consumerOf(shiqiao, producers.teacherCam)!;
    expect(await c.errorCode('consumer:pause', { consumerId: other.consumerId })).toBe('NOT_FOUND');
  });

  it('classroom cameras go to the teacher always; classroom mics to nobody while off stage', async () => {
    producers.aMic = await produceMic(qingshan.client, qingshan.send!.id);
    producers.aCam = await produceCamera(qingshan.client, qingshan.send!.id);
    producers.bMic = await produceMic(shiqiao.client, shiqiao.send!.id);
    producers.bCam = await produceCamera(shiqiao.client, shiqiao.send!.id);
    const a = await teacher.client.waitEvent('consumer:new', (c: { producerId: string }) => c.producerId === producers.aCam);
    expect(a).toMatchObject({ peerId: qingshan.snap.self.peerId, classroomId: A, source: 'camera', kind: 'video' });
    const b = await teacher.client.waitEvent('consumer:new', (c: { producerId: string }) => c.producerId === producers.bCam);
    expect(b).toMatchObject({ peerId: shiqiao.snap.self.peerId, classroomId: B, source: 'camera' });
    await srv.settle();
    expect(serverConsumes(teacher)).toEqual(new Set([producers.aCam, producers.bCam]));
    expect(serverConsumes(qingshan)).toEqual(new Set([producers.teacherMic, producers.teacherCam]));
    expect(serverConsumes(shiqiao)).toEqual(new Set([producers.teacherMic, producers.teacherCam]));
    expect(serverConsumes(observer)).toEqual(new Set([producers.teacherMic, producers.teacherCam]));
    expect(teacher.client.events('consumer:new')).toHaveLength(2);
    expect(srv.live()!.counts()).toMatchObject({ producers: 6, consumers: 8 });
  });

  it('on stage, a classroom is seen and heard by the other classroom and the observer, and heard by the teacher', async () => {
    const marks = [teacher, qingshan, shiqiao, observer].map((j) => j.client.mark());
    expect(await teacher.client.ok('stage:set', { classroomId: A })).toBeNull();
    for (const [i, who] of [teacher, qingshan, shiqiao, observer].entries()) {
      expect(await who.client.waitEvent('stage:updated', () => true, 5_000, marks[i])).toEqual({ classroomId: A });
    }
    for (const who of [shiqiao, observer]) {
      await who.client.waitEvent('consumer:new', (c: { producerId: string }) => c.producerId === producers.aCam);
      const mic = await who.client.waitEvent('consumer:new', (c: { producerId: string }) => c.producerId === producers.aMic);
      expect(mic).toMatchObject({ classroomId: A, source: 'mic', kind: 'audio', producerPaused: false });
    }
    await teacher.client.waitEvent('consumer:new', (c: { producerId: string }) => c.producerId === producers.aMic);
    await srv.settle();
    expect(serverConsumes(teacher)).toEqual(new Set([producers.aCam, producers.bCam, producers.aMic]));
    expect(serverConsumes(shiqiao)).toEqual(new Set([producers.teacherMic, producers.teacherCam, producers.aCam, producers.aMic]));
    expect(serverConsumes(observer)).toEqual(new Set([producers.teacherMic, producers.teacherCam, producers.aCam, producers.aMic]));
    // The classroom on stage does not get itself, nor the other classroom.
    expect(serverConsumes(qingshan)).toEqual(new Set([producers.teacherMic, producers.teacherCam]));
    expect(srv.live()!.stageClassroomId).toBe(A);
  });

  it('taking it off stage closes those consumers (the teacher keeps the camera)', async () => {
    const toClose = {
      teacher: [consumerOf(teacher, producers.aMic)!.consumerId],
      shiqiao: [consumerOf(shiqiao, producers.aMic)!.consumerId, consumerOf(shiqiao, producers.aCam)!.consumerId],
      observer: [consumerOf(observer, producers.aMic)!.consumerId, consumerOf(observer, producers.aCam)!.consumerId],
    };
    const teacherCamConsumer = consumerOf(teacher, producers.aCam)!.consumerId;
    await teacher.client.ok('stage:set', { classroomId: null });
    for (const [who, ids] of [
      [teacher, toClose.teacher],
      [shiqiao, toClose.shiqiao],
      [observer, toClose.observer],
    ] as const) {
      for (const id of ids) await who.client.waitEvent('consumer:closed', (c: { consumerId: string }) => c.consumerId === id);
    }
    await srv.settle();
    expect(serverConsumes(teacher)).toEqual(new Set([producers.aCam, producers.bCam]));
    expect(serverConsumes(shiqiao)).toEqual(new Set([producers.teacherMic, producers.teacherCam]));
    expect(serverConsumes(observer)).toEqual(new Set([producers.teacherMic, producers.teacherCam]));
    expect(teacher.client.events('consumer:closed', (c: { consumerId: string }) => c.consumerId === teacherCamConsumer)).toEqual([]);
    expect(qingshan.client.events('consumer:closed')).toEqual([]);
    // Router agrees with the bookkeeping.
    const dump = await srv.live()!.currentMedia!.router.dump();
    expect(dump.mapConsumerIdProducerId).toHaveLength(srv.live()!.counts().consumers);
    expect(srv.live()!.counts()).toMatchObject({ producers: 6, consumers: 8 });
  });

  it('stage:set refuses a classroom that is not receiving this lesson', async () => {
    expect(await teacher.client.errorCode('stage:set', { classroomId: srv.classrooms.host })).toBe('BAD_REQUEST');
    expect(srv.live()!.stageClassroomId).toBeNull();
  });
});

describe('hands', () => {
  const handsOf = (j: Joined, since: number) =>
    j.client.waitEvent<RaisedHand[]>('hands:updated', () => true, 5_000, since);

  it('raise in order, no duplicates, lower own, teacher lowers others', async () => {
    const start = observer.client.mark();
    let m = start;
    await qingshan.client.ok('hand:raise', {});
    expect((await handsOf(observer, m)).map((h) => h.classroomId)).toEqual([A]);
    m = observer.client.mark();
    await shiqiao.client.ok('hand:raise', {});
    const both = await handsOf(observer, m);
    expect(both.map((h) => h.classroomId)).toEqual([A, B]);
    expect(Date.parse(both[0].raisedAt)).toBeLessThanOrEqual(Date.parse(both[1].raisedAt));
    // Raising again changes nothing (and broadcasts nothing).
    m = observer.client.mark();
    await qingshan.client.ok('hand:raise', {});
    expect(srv.live()!.hands.map((h) => h.classroomId)).toEqual([A, B]);
    // A classroom cannot lower another's hand; the teacher must name whose hand.
    expect(await qingshan.client.errorCode('hand:lower', { classroomId: B })).toBe('FORBIDDEN');
    expect(await teacher.client.errorCode('hand:lower', {})).toBe('BAD_REQUEST');
    await qingshan.client.ok('hand:lower', {});
    expect((await handsOf(observer, m)).map((h) => h.classroomId)).toEqual([B]);
    m = observer.client.mark();
    await teacher.client.ok('hand:lower', { classroomId: B });
    expect(await handsOf(observer, m)).toEqual([]);
    const seen = observer.client.received.slice(start).filter((r) => r.event === 'hands:updated');
    expect(seen.map((r) => (r.data as RaisedHand[]).map((h) => h.classroomId))).toEqual([[A], [A, B], [B], []]);
  });

  it('calling a classroom on stage clears its hand; a later join sees stage and hands', async () => {
    await shiqiao.client.ok('hand:raise', {});
    await qingshan.client.ok('hand:raise', {});
    const m = qingshan.client.mark();
    await teacher.client.ok('stage:set', { classroomId: B });
    expect(await qingshan.client.waitEvent('stage:updated', () => true, 5_000, m)).toEqual({ classroomId: B });
    expect((await handsOf(qingshan, m)).map((h) => h.classroomId)).toEqual([A]);
    const li = await srv.connect(await srv.cookieFor('teacher-li'), 'teacher-li');
    const snap = await li.ok('lesson:join', { lessonId });
    expect(snap.self.lessonRole).toBe('observer');
    expect(snap.stageClassroomId).toBe(B);
    expect(snap.hands.map((h) => h.classroomId)).toEqual([A]);
    li.close();
    await teacher.client.ok('stage:set', { classroomId: null });
    await teacher.client.ok('hand:lower', { classroomId: A });
    expect(srv.live()!.hands).toEqual([]);
    // Stage and hands are persisted with the lesson, for a server restart.
    const rows = await srv.db.query<{ live_state: unknown }>('select live_state from lessons where id = $1', [lessonId]);
    const saved = typeof rows[0].live_state === 'string' ? JSON.parse(rows[0].live_state) : rows[0].live_state;
    expect(saved).toMatchObject({ stageClassroomId: null, hands: [] });
  });
});

describe('mute', () => {
  it('pauses the classroom mic for every receiver; the classroom cannot resume it', async () => {
    await teacher.client.ok('stage:set', { classroomId: A });
    for (const who of [teacher, shiqiao, observer]) {
      await waitFor(() => consumerOf(who, producers.aMic), 5_000, `${who.client.label} consumes A mic`);
    }
    const micConsumers = [teacher, shiqiao, observer].map((who) => [who, consumerOf(who, producers.aMic)!.consumerId] as const);
    const m = qingshan.client.mark();
    await teacher.client.ok('classroom:mute', { classroomId: A, muted: true });
    expect(await qingshan.client.waitEvent('classroom:muted', () => true, 5_000, m)).toEqual({ mutedClassroomIds: [A] });
    for (const [who, id] of micConsumers) {
      await who.client.waitEvent('consumer:paused', (c: { consumerId: string }) => c.consumerId === id);
    }
    const micProducer = srv.live()!.currentMedia!.findProducer(producers.aMic)!;
    expect(micProducer.paused).toBe(true);
    // The muted classroom may not unmute itself...
    expect(await qingshan.client.errorCode('producer:resume', { producerId: producers.aMic })).toBe('FORBIDDEN');
    expect(micProducer.paused).toBe(true);
    // ...but its camera is its own to pause and resume.
    await qingshan.client.ok('producer:pause', { producerId: producers.aCam });
    await teacher.client.waitEvent('consumer:paused', (c: { consumerId: string }) => c.consumerId === consumerOf(teacher, producers.aCam)!.consumerId);
    await qingshan.client.ok('producer:resume', { producerId: producers.aCam });
    await teacher.client.waitEvent('consumer:resumed', (c: { consumerId: string }) => c.consumerId === consumerOf(teacher, producers.aCam)!.consumerId);
    // Nobody may touch another participant's producer.
    expect(await shiqiao.client.errorCode('producer:pause', { producerId: producers.aCam })).toBe('NOT_FOUND');
    expect(await shiqiao.client.errorCode('producer:close', { producerId: producers.aMic })).toBe('NOT_FOUND');
  });

  it('a mic re-published while muted starts paused', async () => {
    const oldIds = [teacher, shiqiao, observer].map((who) => [who, consumerOf(who, producers.aMic)!.consumerId] as const);
    await qingshan.client.ok('producer:close', { producerId: producers.aMic });
    for (const [who, id] of oldIds) await who.client.waitEvent('consumer:closed', (c: { consumerId: string }) => c.consumerId === id);
    producers.aMic = await produceMic(qingshan.client, qingshan.send!.id, 'a1');
    expect(srv.live()!.currentMedia!.findProducer(producers.aMic)!.paused).toBe(true);
    for (const who of [teacher, shiqiao, observer]) {
      const c = await who.client.waitEvent('consumer:new', (x: { producerId: string }) => x.producerId === producers.aMic);
      expect(c).toMatchObject({ producerPaused: true, source: 'mic', classroomId: A });
    }
  });

  it('unmuting resumes the mic for its receivers', async () => {
    const ids = [teacher, shiqiao, observer].map((who) => [who, consumerOf(who, producers.aMic)!.consumerId] as const);
    await teacher.client.ok('classroom:mute', { classroomId: A, muted: false });
    for (const [who, id] of ids) await who.client.waitEvent('consumer:resumed', (c: { consumerId: string }) => c.consumerId === id);
    expect(srv.live()!.currentMedia!.findProducer(producers.aMic)!.paused).toBe(false);
    expect(srv.live()!.mutedClassroomIds).toEqual([]);
    // Now the classroom may pause and resume its own mic.
    await qingshan.client.ok('producer:pause', { producerId: producers.aMic });
    await qingshan.client.ok('producer:resume', { producerId: producers.aMic });
    expect(await teacher.client.errorCode('classroom:mute', { classroomId: srv.classrooms.host, muted: true })).toBe('BAD_REQUEST');
    await teacher.client.ok('stage:set', { classroomId: null });
    await srv.settle();
    expect(serverConsumes(shiqiao)).toEqual(new Set([producers.teacherMic, producers.teacherCam]));
  });
});

describe('chat', () => {
  let first: ChatMessage;

  it('is persisted, broadcast, and in the next join’s history', async () => {
    first = await teacher.client.ok('chat:send', { text: '  同学们好！ ' });
    expect(first).toMatchObject({ lessonId, text: '同学们好！', displayName: '王老师', userId: teacher.snap.self.userId });
    for (const who of [teacher, qingshan, shiqiao, observer]) {
      expect(await who.client.waitEvent<ChatMessage>('chat:message', (c) => c.id === first.id)).toEqual(first);
    }
    const second = await qingshan.client.ok('chat:send', { text: '老师好' });
    const rows = await srv.db.query<{ n: number }>('select count(*)::int as n from chat_messages where lesson_id = $1', [lessonId]);
    expect(rows[0].n).toBe(2);
    const li = await srv.connect(await srv.cookieFor('teacher-li'), 'teacher-li');
    const snap = await li.ok('lesson:join', { lessonId });
    expect(snap.chat.map((c) => [c.id, c.text])).toEqual([
      [first.id, '同学们好！'],
      [second.id, '老师好'],
    ]);
    li.close();
  });

  it('refuses empty and over-long lines', async () => {
    expect(await observer.client.errorCode('chat:send', { text: '字'.repeat(501) })).toBe('BAD_REQUEST');
    expect(await observer.client.errorCode('chat:send', { text: '   ' })).toBe('BAD_REQUEST');
    const ok = await observer.client.ok('chat:send', { text: '字'.repeat(500) });
    expect(ok.text).toHaveLength(500);
  });

  it('limits each sender to 5 lines per 10 s', async () => {
    const results = [];
    for (let i = 1; i <= 7; i++) results.push(await shiqiao.client.request('chat:send', { text: `第${i}条` }));
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    const rows = await srv.db.query<{ text: string }>(
      'select text from chat_messages where lesson_id = $1 and user_id = $2 order by sent_at',
      [lessonId, shiqiao.snap.self.userId],
    );
    expect(rows.map((r) => r.text)).toEqual(['第1条', '第2条', '第3条', '第4条', '第5条']);
    // Others are not limited by it.
    await qingshan.client.ok('chat:send', { text: '还可以说话' });
  });
});

describe('quizzes', () => {
  let quiz: Quiz;

  it('push goes to everyone; answers go to the teacher and observers; close goes to all', async () => {
    const marks = new Map([teacher, qingshan, shiqiao, observer].map((j) => [j, j.client.mark()]));
    quiz = await teacher.client.ok('quiz:push', { kind: 'choice', question: '3/4 和 2/3 哪个大？', options: ['3/4', '2/3', '一样大'] });
    expect(quiz).toMatchObject({ lessonId, kind: 'choice', options: ['3/4', '2/3', '一样大'], closedAt: null });
    for (const who of [teacher, qingshan, shiqiao, observer]) {
      expect(await who.client.waitEvent('quiz:pushed', () => true, 5_000, marks.get(who))).toEqual(quiz);
    }
    // A participant joining now sees the open quiz.
    const li = await srv.connect(await srv.cookieFor('teacher-li'), 'teacher-li');
    expect((await li.ok('lesson:join', { lessonId })).quiz).toEqual({ quiz, answers: [] });
    li.close();

    const a = await qingshan.client.ok('quiz:answer', { quizId: quiz.id, counts: [12, 5, 1] });
    expect(a).toMatchObject({ quizId: quiz.id, classroomId: A, counts: [12, 5, 1] });
    const r1 = await teacher.client.waitEvent<{ quiz: Quiz; answers: QuizAnswer[] }>('quiz:results', (r) => r.answers.length === 1);
    expect(r1.answers[0]).toMatchObject({ classroomId: A, counts: [12, 5, 1] });
    await observer.client.waitEvent('quiz:results', (r: { answers: unknown[] }) => r.answers.length === 1);
    // A classroom answers only for itself; the teacher answers for the host class.
    expect(await shiqiao.client.errorCode('quiz:answer', { quizId: quiz.id, classroomId: A, counts: [1, 1, 1] })).toBe('FORBIDDEN');
    expect(await observer.client.errorCode('quiz:answer', { quizId: quiz.id, counts: [1, 1, 1] })).toBe('FORBIDDEN');
    await shiqiao.client.ok('quiz:answer', { quizId: quiz.id, counts: [7, 8, 0] });
    const host = await teacher.client.ok('quiz:answer', { quizId: quiz.id, counts: [30, 10, 2] });
    expect(host.classroomId).toBe(srv.classrooms.host);
    // Answering again replaces the class's answer.
    await qingshan.client.ok('quiz:answer', { quizId: quiz.id, counts: [13, 4, 1] });
    expect(await qingshan.client.errorCode('quiz:answer', { quizId: 'no-such-quiz', counts: [1, 1] })).toBe('NOT_FOUND');
    // One count per option.
    expect(await qingshan.client.errorCode('quiz:answer', { quizId: quiz.id, counts: [1, 1] })).toBe('BAD_REQUEST');

    await teacher.client.ok('quiz:close', { quizId: quiz.id });
    for (const who of [teacher, qingshan, shiqiao, observer]) {
      const r = await who.client.waitEvent<{ quiz: Quiz; answers: QuizAnswer[] }>('quiz:results', (x) => x.quiz.closedAt !== null);
      const byRoom = Object.fromEntries(r.answers.map((x) => [x.classroomId, x.counts]));
      expect(byRoom).toEqual({ [A]: [13, 4, 1], [B]: [7, 8, 0], [srv.classrooms.host]: [30, 10, 2] });
    }
    // Running results never reached the classrooms: their only quiz:results is the closing one.
    expect(qingshan.client.events('quiz:results')).toHaveLength(1);
    expect(shiqiao.client.events('quiz:results')).toHaveLength(1);
    expect(teacher.client.events('quiz:results').length).toBeGreaterThanOrEqual(5);
  });

  it('a true/false quiz has the two fixed options; a closed quiz takes no answers', async () => {
    const tf = await teacher.client.ok('quiz:push', { kind: 'truefalse', question: '1/2 = 2/4' });
    expect(tf.options).toEqual(['对', '错']);
    await teacher.client.ok('quiz:close', { quizId: tf.id });
    expect(await qingshan.client.errorCode('quiz:answer', { quizId: tf.id, counts: [20, 0] })).toBe('CONFLICT');
    expect(await qingshan.client.errorCode('quiz:answer', { quizId: quiz.id, counts: [1, 1, 1] })).toBe('CONFLICT');
  });
});

describe('joining with media in one round trip', () => {
  type JoinMedia = NonNullable<ClientPayload<'lesson:join'>['media']>;
  type RawSocket = { timeout(ms: number): { emit(ev: string, p: unknown, cb: (err: Error | null, res: unknown) => void): void } };
  const capsOf = (snap: Joined['snap']) => snap.routerRtpCapabilities as NonNullable<JoinMedia['caps']>['rtpCapabilities'];
  const teacherProducerIds = () => [...srv.live()!.currentMedia!.peers.get(teacher.snap.self.peerId)!.producers.keys()];

  it('brings the transports, and the consumers follow the ack when the client names the router capabilities', async () => {
    const c = await srv.connect(await srv.cookieFor('researcher-qian'), 'qian');
    // What the socket delivered, in order: consumers must not overtake the transports.
    const order: string[] = [];
    c.socket.on('consumer:new', () => order.push('consumer:new'));
    const payload = { lessonId, media: { send: true, caps: { routerCapsKey: teacher.snap.routerCapsKey, rtpCapabilities: capsOf(teacher.snap) } } };
    // The raw callback runs as the ack is read (a promise would settle only after the read batch).
    const ack = await new Promise<Ack<Joined['snap']>>((resolve, reject) =>
      (c.socket as unknown as RawSocket).timeout(5_000).emit('lesson:join', payload, (err, res) => {
        order.push('ack');
        if (err) reject(err);
        else resolve(res as Ack<Joined['snap']>);
      }),
    );
    if (!ack.ok) throw new Error(ack.error.message);
    const snap = ack.data;
    // Every router of the server has the same capabilities, and so the same key.
    expect(snap.routerCapsKey).toBe(teacher.snap.routerCapsKey);
    expect(snap.routerCapsKey).toMatch(/^[\w-]{22}$/);
    // An observer gets no send transport even when it asks.
    expect(snap.media).toMatchObject({ send: null, consuming: true });
    expect(snap.media!.recv.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(snap.media!.recv.iceCandidates).toEqual(expect.arrayContaining([expect.objectContaining({ protocol: 'udp', port: srv.rtcPort })]));
    const producerIds = teacherProducerIds();
    expect(producerIds.length).toBeGreaterThanOrEqual(2);
    await waitFor(() => producerIds.every((id) => c.openConsumers((x) => x.producerId === id && !x.paused).length === 1), 5_000, 'teacher media');
    // Without a media:ready: the server took the capabilities from the join.
    const mp = srv.live()!.currentMedia!.peers.get(snap.self.peerId)!;
    expect([...mp.transports.keys()]).toEqual([snap.media!.recv.id]);
    expect(new Set(mp.consumers.keys())).toEqual(new Set(producerIds));
    expect(order[0]).toBe('ack');
    // Its first frame is due (no browser here: it never comes), so the recorders' routine key-frame
    // requests wait; leaving releases them.
    const media = srv.live()!.currentMedia!;
    expect(media.firstFrameDue(snap.self.peerId)).toBe(true);
    expect(media.keyFramesHeld).toBe(true);
    c.close();
    await waitFor(() => !media.firstFrameDue(snap.self.peerId) || null, 5_000, 'the hold to be released');
  });

  it('with a stale key it only brings the transports; media:ready then starts the consumers', async () => {
    const c = await srv.connect(await srv.cookieFor('admin'), 'admin');
    const snap = await c.ok('lesson:join', {
      lessonId,
      media: { send: false, caps: { routerCapsKey: 'a-key-from-another-build', rtpCapabilities: capsOf(teacher.snap) } },
    });
    expect(snap.media).toMatchObject({ send: null, consuming: false });
    const mp = srv.live()!.currentMedia!.peers.get(snap.self.peerId)!;
    expect(mp.rtpCapabilities).toBeNull();
    expect(mp.consumers.size).toBe(0);
    await c.ok('media:ready', { rtpCapabilities: capsOf(snap) });
    await waitFor(() => teacherProducerIds().every((id) => c.openConsumers((x) => x.producerId === id).length === 1), 5_000, 'teacher media');
    c.close();
  });

  it('a classroom device gets its send transport too, and publishes on it', async () => {
    const before = qingshan.snap.self.peerId;
    const snap = await qingshan.client.ok('lesson:join', {
      lessonId,
      media: { send: true, caps: { routerCapsKey: qingshan.snap.routerCapsKey, rtpCapabilities: capsOf(qingshan.snap) } },
    });
    expect(snap.self.peerId).not.toBe(before);
    expect(snap.media).toMatchObject({ consuming: true });
    expect(snap.media!.send!.id).not.toBe(snap.media!.recv.id);
    qingshan = { client: qingshan.client, snap, send: snap.media!.send!, recv: snap.media!.recv };
    const mic = await produceMic(qingshan.client, qingshan.send!.id, 'a9');
    expect(srv.live()!.currentMedia!.findProducer(mic)?.appData).toMatchObject({ classroomId: A, source: 'mic' });
  });

  it('refuses a malformed media part with BAD_REQUEST', async () => {
    const c = await srv.connect(await srv.cookieFor('admin'), 'admin2');
    expect(await c.errorCode('lesson:join', { lessonId, media: { send: 'yes' } } as never)).toBe('BAD_REQUEST');
    expect(await c.errorCode('lesson:join', { lessonId, media: { send: true, caps: { routerCapsKey: 'x'.repeat(5000), rtpCapabilities: {} } } } as never)).toBe(
      'BAD_REQUEST',
    );
    c.close();
  });
});

describe('lesson state', () => {
  it('start → live, broadcast; start again is harmless', async () => {
    const marks = new Map([teacher, qingshan, shiqiao, observer].map((j) => [j, j.client.mark()]));
    expect(await qingshan.client.errorCode('lesson:start', {})).toBe('FORBIDDEN');
    const live = await teacher.client.ok('lesson:start', {});
    expect(live).toMatchObject({ id: lessonId, state: 'live', endedAt: null });
    expect(Date.parse(live.startedAt!)).toBeGreaterThan(Date.now() - 60_000);
    for (const who of [teacher, qingshan, shiqiao, observer]) {
      expect(await who.client.waitEvent<Lesson>('lesson:state', () => true, 5_000, marks.get(who))).toEqual(live);
    }
    expect(await teacher.client.ok('lesson:start', {})).toEqual(live);
    expect(teacher.client.events('lesson:state')).toHaveLength(1);
  });

  it('end → ended, broadcast; the lesson closes its media and refuses joins', async () => {
    const media = srv.live()!.currentMedia!;
    const ended = await teacher.client.ok('lesson:end', {});
    expect(ended).toMatchObject({ state: 'ended' });
    expect(ended.endedAt).not.toBeNull();
    for (const who of [teacher, qingshan, shiqiao, observer]) {
      expect((await who.client.waitEvent<Lesson>('lesson:state', (l) => l.state === 'ended')).id).toBe(lessonId);
    }
    expect(srv.live()).toBeUndefined();
    expect(media.isClosed).toBe(true);
    expect(media.router.closed).toBe(true);
    expect(await teacher.client.errorCode('chat:send', { text: '还在吗' })).toBe('CONFLICT');
    expect(await qingshan.client.errorCode('producer:create', {
      transportId: qingshan.send!.id,
      kind: 'audio',
      source: 'mic',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }] },
    })).toBe('CONFLICT');
    const late = await srv.connect(await srv.cookieFor('researcher-zhao'), 'late');
    expect(await late.errorCode('lesson:join', { lessonId })).toBe('CONFLICT');
    late.close();
    // The worker still hosts nothing of this lesson.
    expect((await srv.web.pool.workers[0].worker.dump()).routerIds).toEqual([]);
    const events = (await listLessonEvents(srv.db, lessonId)).map((e) => e.type);
    expect(events).toEqual(
      expect.arrayContaining(['hand:raise', 'stage:on', 'stage:off', 'classroom:mute', 'classroom:unmute', 'quiz:push', 'lesson:start', 'lesson:end']),
    );
    expect(events.indexOf('lesson:start')).toBeLessThan(events.indexOf('lesson:end'));
    // Attendance: each classroom's connection joined, and left when the lesson closed; the
    // teacher's stands for the host classroom; the observer attends none.
    const presenceEvents = async () => (await listLessonEvents(srv.db, lessonId)).filter((e) => e.type === 'presence:join' || e.type === 'presence:leave');
    // The leaves are written as the lesson closes, beside the answer to lesson:end.
    const presence = await waitFor(async () => {
      const p = await presenceEvents();
      return p.filter((e) => e.type === 'presence:leave').length >= 3 ? p : undefined;
    }, 5_000, 'three presence leaves', 100);
    const peerOf = (j: Joined) => j.snap.self.peerId;
    const host = ended.hostClassroomId;
    for (const [who, classroomId] of [[teacher, host], [qingshan, A], [shiqiao, B]] as const) {
      const mine = presence.filter((e) => (e.payload as { peerId: string }).peerId === peerOf(who));
      expect(mine.map((e) => [e.type, (e.payload as { classroomId: string }).classroomId])).toEqual([
        ['presence:join', classroomId],
        ['presence:leave', classroomId],
      ]);
    }
    expect(presence.some((e) => (e.payload as { peerId: string }).peerId === peerOf(observer))).toBe(false);
  });
});

describe('errors at the edge', () => {
  const internalCount = async () => (await internalErrors.get()).values.find((v) => v.labels.edge === 'socket')?.value ?? 0;

  it('a TypeError in a handler is our bug: INTERNAL with a generic message, logged with its stack, counted', async () => {
    const lesson = await srv.createLesson([A]);
    const t = await srv.connect(await srv.cookieFor('teacher-wang'), 'teacher-bug');
    await t.ok('lesson:join', { lessonId: lesson.id });
    const bug = new TypeError("Cannot read properties of undefined (reading 'classroomId')");
    vi.spyOn(srv.live(lesson.id)!, 'lowerHand').mockImplementationOnce(() => {
      throw bug;
    });
    const lines: string[] = [];
    const untap = tapLog((l) => lines.push(l));
    const before = await internalCount();
    try {
      const res = await t.request('hand:lower', { classroomId: A });
      expect(res).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'internal error' } });
    } finally {
      untap();
    }
    expect(await internalCount()).toBe(before + 1);
    const logged = lines.map((l) => JSON.parse(l) as { level: string; scope: string; event?: string; err?: { type: string; stack: string } });
    const line = logged.find((l) => l.err?.stack.includes("reading 'classroomId'"));
    expect(line).toMatchObject({ level: 'error', scope: 'live.edge', event: 'hand:lower', err: { type: 'TypeError' } });
    expect(line!.err!.stack).toContain(bug.stack!.split('\n')[1].trim());
    // The handler works again once the bug is gone.
    expect(await t.ok('hand:lower', { classroomId: A })).toBeNull();
    t.close();
  });

  it("mediasoup's refusal of the client's own parameters is BAD_REQUEST, and not counted as a bug", async () => {
    const lesson = await srv.createLesson([A]);
    const t = await srv.connect(await srv.cookieFor('teacher-wang'), 'teacher-params');
    const j = await joinWithMedia(t, lesson.id, { send: true, ready: false });
    const before = await internalCount();
    const produce = (rtpParameters: ClientPayload<'producer:create'>['rtpParameters']) =>
      t.request('producer:create', { transportId: j.send!.id, kind: 'audio', source: 'mic', rtpParameters });
    // A codec the router does not have (mediasoup: UnsupportedError), a mime type that is none (TypeError).
    const unsupported = await produce({ ...opusRtpParameters(0x7001, 'a0'), codecs: [{ mimeType: 'audio/G722', payloadType: 9, clockRate: 8000 }] });
    expect(unsupported).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^rtpParameters: /) } });
    const malformed = await produce({ ...opusRtpParameters(0x7002, 'a0'), codecs: [{ mimeType: 'opus', payloadType: 111, clockRate: 48000 }] });
    expect(malformed).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^rtpParameters: .*mimeType/) } });
    // Capabilities with a codec in common but one mediasoup cannot read (an rtx without its apt).
    const caps = j.snap.routerRtpCapabilities as ClientPayload<'media:ready'>['rtpCapabilities'];
    const badCaps = { ...caps, codecs: [...(caps.codecs ?? []), { kind: 'video' as const, mimeType: 'video/rtx', clockRate: 90000, parameters: { apt: 'x' } }] };
    expect(await t.request('media:ready', { rtpCapabilities: badCaps })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^rtpCapabilities: .*apt/) },
    });
    expect(await t.request('lesson:join', { lessonId: lesson.id, media: { send: false, caps: { routerCapsKey: j.snap.routerCapsKey, rtpCapabilities: badCaps } } })).toMatchObject({
      ok: false,
      error: { code: 'BAD_REQUEST', message: expect.stringMatching(/^rtpCapabilities: /) },
    });
    expect(await internalCount()).toBe(before);
    // The same client, with what a browser sends, goes on as usual.
    const rejoined = await joinWithMedia(t, lesson.id, { send: true });
    await t.ok('transport:connect', { transportId: rejoined.send!.id, dtlsParameters: fakeDtlsParameters() });
    await produceMic(t, rejoined.send!.id, 'a1');
    t.close();
  });
});
