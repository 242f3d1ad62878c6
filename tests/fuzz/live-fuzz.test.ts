// Hostile clients against the live-lesson socket: thousands of random and malicious
// payloads to every client event of the contract, from joined and unjoined sockets of
// every role, plus raw malformed Socket.IO packets, oversized frames and floods.
// Every ack must be a well-formed typed answer, the process and the mediasoup worker
// must survive, and Object.prototype must stay clean.
//
// Reproduce a failure with the seed it prints: TONGBU_FUZZ_SEED=<seed> npx vitest run ...
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientSchemas, LIMITS, type ClientEventName } from '../../server/contract/events.js';
import { ERROR_CODES } from '../../server/contract/errors.js';
import {
  fakeDtlsParameters,
  joinWithMedia,
  opusRtpParameters,
  produceCamera,
  produceMic,
  rawRequest,
  startLiveServer,
  vp8SimulcastRtpParameters,
  waitFor,
  type LiveTestServer,
  type TestClient,
} from '../helpers/liveServer.js';
import fc from 'fast-check';

const SEED = Number(process.env.TONGBU_FUZZ_SEED ?? 0x7b0b5eed) >>> 0;
const ROUNDS = Number(process.env.TONGBU_FUZZ_ROUNDS ?? 4);
/** Per socket per round; the edge allows 300 messages per 10 s per connection. */
const PER_SOCKET = 190;
const EVENTS = Object.keys(clientSchemas) as ClientEventName[];
/** Every ack comes back in well under this, even on a loaded 2-core machine. */
const ACK_TIMEOUT_MS = 5_000;
const POLLUTION_MARK = 'tongbuPolluted';

// ---- seeded randomness (fast-check) --------------------------------------------------

/**
 * Uniform numbers in [0, 1) from fast-check, replayable from `seed`. The messages are built by
 * hand from these draws: a run against a live server is a scenario, not a property to shrink
 * (the server's state carries over from one message to the next).
 */
function seeded(seed: number): () => number {
  const [stream] = fc.sample(fc.infiniteStream(fc.integer({ min: 0, max: 0xffffffff })), { seed, numRuns: 1, unbiased: true });
  const it = stream[Symbol.iterator]();
  return () => (it.next().value as number) / 0x1_0000_0000;
}

/** The generator in use. Each socket has its own, so the sequence it sends does not depend on timing. */
let rand = seeded(SEED);
function withRng<T>(rng: () => number, fn: () => T): T {
  const saved = rand;
  rand = rng;
  try {
    return fn();
  } finally {
    rand = saved;
  }
}
const rngFor = (...salt: number[]) => seeded(salt.reduce((h, x) => Math.imul(h ^ x, 0x9e3779b1) >>> 0, SEED));
const chance = (p: number) => rand() < p;
const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];

// ---- hostile values ------------------------------------------------------------------

const NASTY_STRINGS = [
  '',
  ' ',
  '\t\n',
  'NaN',
  'Infinity',
  '-Infinity',
  '-0',
  '1e309',
  '0x10',
  'null',
  'undefined',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  "'; drop table lessons; --",
  '<script>alert(1)</script>',
  '\u0000',
  '\ud800',
  '\u202e反转',
  '同学们好👩‍🏫',
  '../../../etc/passwd',
  '%s%s%s%n',
  'a'.repeat(65),
  'b'.repeat(257),
];
const NASTY_NUMBERS = [0, -0, -1, 1, 0.5, 3, 4, 127, 128, 255, 256, 2 ** 31, 2 ** 32, 2 ** 53, -(2 ** 53), 1e308, -1e308, NaN, Infinity, -Infinity, 5e-324];
const KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'then', 'length', 'lessonId', 'id', ''];

function randomString(): string {
  if (chance(0.5)) return pick(NASTY_STRINGS);
  if (chance(0.1)) return 'x'.repeat(int(1_000, 20_000));
  const len = int(1, 80);
  let s = '';
  for (let i = 0; i < len; i++) s += String.fromCharCode(chance(0.8) ? int(0x20, 0x7e) : int(0x80, 0xffff));
  return s;
}

/** An object with `key` as an own property even for "__proto__" (JSON.parse does that). */
function withOwn(obj: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const json = JSON.stringify(obj);
  const add = `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`;
  return JSON.parse(json === '{}' ? `{${add}}` : `${json.slice(0, -1)},${add}}`);
}

function pollution(): Record<string, unknown> {
  return JSON.parse(`{"__proto__":{"${POLLUTION_MARK}":true},"constructor":{"prototype":{"${POLLUTION_MARK}":true}}}`);
}

function randomValue(depth = 0): unknown {
  const r = rand();
  if (r < 0.12) return null;
  if (r < 0.2) return chance(0.5);
  if (r < 0.35) return pick(NASTY_NUMBERS);
  if (r < 0.6) return randomString();
  if (depth > 3) return 0;
  if (r < 0.72) return Array.from({ length: int(0, 5) }, () => randomValue(depth + 1));
  if (r < 0.76) return Buffer.from(randomString());
  if (r < 0.8) return pollution();
  let o: Record<string, unknown> = {};
  for (let i = int(0, 4); i > 0; i--) o = withOwn(o, chance(0.4) ? pick(KEYS) : randomString().slice(0, 20), randomValue(depth + 1));
  return o;
}

// ---- valid-looking payloads, then broken -----------------------------------------------

interface Ctx {
  lessonId: string;
  classrooms: string[];
  caps: unknown;
  transports: string[];
  producers: string[];
  consumers: string[];
  quizzes: string[];
}

const idFrom = (ctx: Ctx, pool: string[]) => (chance(0.8) && pool.length ? pick(pool) : chance(0.5) ? randomString() : pick([ctx.lessonId, ...ctx.classrooms]));

function template(event: ClientEventName, ctx: Ctx): Record<string, unknown> {
  switch (event) {
    case 'lesson:join':
      return { lessonId: chance(0.7) ? ctx.lessonId : randomString() };
    case 'lesson:leave':
    case 'lesson:start':
    case 'lesson:end':
    case 'recording:pause':
    case 'recording:resume':
    case 'hand:raise':
      return {};
    case 'media:ready':
      return { rtpCapabilities: structuredClone(ctx.caps) };
    case 'transport:create':
      return { direction: pick(['send', 'recv']) };
    case 'transport:connect':
      return { transportId: idFrom(ctx, ctx.transports), dtlsParameters: fakeDtlsParameters() };
    case 'transport:restartIce':
      return { transportId: idFrom(ctx, ctx.transports) };
    case 'producer:create': {
      const source = pick(['camera', 'mic', 'screen'] as const);
      const mid = String(int(0, 30));
      return {
        transportId: idFrom(ctx, ctx.transports),
        kind: source === 'mic' ? 'audio' : 'video',
        source,
        rtpParameters: source === 'mic' ? opusRtpParameters(int(1, 2 ** 31), mid) : vp8SimulcastRtpParameters(mid, int(1, 4)),
      };
    }
    case 'producer:close':
    case 'producer:pause':
    case 'producer:resume':
      return { producerId: idFrom(ctx, ctx.producers) };
    case 'consumer:setLayers':
      return { consumerId: idFrom(ctx, ctx.consumers), spatialLayer: int(0, 3) };
    case 'consumer:pause':
    case 'consumer:resume':
      return { consumerId: idFrom(ctx, ctx.consumers) };
    case 'hand:lower':
      return chance(0.5) ? {} : { classroomId: idFrom(ctx, ctx.classrooms) };
    case 'stage:set':
      return { classroomId: chance(0.2) ? null : idFrom(ctx, ctx.classrooms) };
    case 'classroom:mute':
      return { classroomId: idFrom(ctx, ctx.classrooms), muted: chance(0.5) };
    case 'chat:send':
      return { text: chance(0.7) ? `第${int(1, 999)}条` : randomString() };
    case 'quiz:push':
      return chance(0.5)
        ? { kind: 'truefalse', question: randomString() || '对吗' }
        : { kind: 'choice', question: '选哪个', options: Array.from({ length: int(1, 7) }, () => randomString().slice(0, 120)) };
    case 'quiz:answer':
      return {
        quizId: idFrom(ctx, ctx.quizzes),
        ...(chance(0.5) ? { classroomId: idFrom(ctx, ctx.classrooms) } : {}),
        counts: Array.from({ length: int(1, 7) }, () => (chance(0.9) ? int(0, 200) : pick(NASTY_NUMBERS))),
      };
    case 'quiz:close':
      return { quizId: idFrom(ctx, ctx.quizzes) };
    case 'recording:watch':
      return { lessonIds: chance(0.7) ? [ctx.lessonId] : Array.from({ length: int(0, 5) }, () => randomString()) };
    case 'annotation:watch':
    case 'annotation:unwatch':
      return { lessonId: chance(0.7) ? ctx.lessonId : randomString() };
    case 'annotation:create':
      return {
        lessonId: chance(0.8) ? ctx.lessonId : randomString(),
        ...(chance(0.5) ? { atMs: int(0, 3_600_000) } : {}),
        ...(chance(0.3) ? { endMs: chance(0.2) ? null : int(0, 3_600_000) } : {}),
        framework: pick(['none', 'st', 'flanders', 'rubric']),
        code: chance(0.5) ? pick(['T', 'S', '1', '4', '9']) : null,
        text: chance(0.7) ? `评课第${int(1, 99)}条 @王老师` : randomString(),
      };
    case 'annotation:delete':
      return { annotationId: chance(0.5) ? String(int(1, 999)) : randomString() };
    default: {
      // A new event without a case here still gets fuzzed, from hostile values only.
      const never: never = event;
      return { [String(never)]: randomValue() } as Record<string, unknown>;
    }
  }
}

/** Replaces something somewhere inside `v` (a path chosen at random) with a hostile value. */
function mutateDeep(v: unknown, depth = 0): unknown {
  if (v === null || typeof v !== 'object' || depth > 5 || chance(0.25)) return randomValue(depth);
  if (Array.isArray(v)) {
    if (!v.length || chance(0.2)) return [...v, randomValue(depth)];
    const i = int(0, v.length - 1);
    const out = [...v];
    if (chance(0.2)) out.splice(i, 1);
    else out[i] = mutateDeep(out[i], depth + 1);
    return out;
  }
  const o = { ...(v as Record<string, unknown>) };
  const keys = Object.keys(o);
  const r = rand();
  if (!keys.length || r < 0.15) return withOwn(o, chance(0.5) ? pick(KEYS) : randomString().slice(0, 30), randomValue(depth));
  const k = pick(keys);
  if (r < 0.3) {
    delete o[k];
    return o;
  }
  if (r < 0.38) return withOwn(o, '__proto__', { [POLLUTION_MARK]: true, [k]: o[k] });
  o[k] = mutateDeep(o[k], depth + 1);
  return o;
}

function payloadFor(event: ClientEventName, ctx: Ctx, role: Role): unknown {
  // The teacher's own lesson:end/leave would stop the round early: send those only broken.
  const mustBreak = role === 'teacher' && (event === 'lesson:end' || event === 'lesson:leave');
  if (mustBreak) return pick([null, 0, 'end', [], [{}], true]);
  const r = rand();
  if (r < 0.3) return template(event, ctx); // valid (or nearly): reaches the handler
  if (r < 0.85) return mutateDeep(template(event, ctx));
  if (r < 0.95) return randomValue();
  // Just under the frame limit (the whole Socket.IO packet must stay below it).
  const base = template(event, ctx);
  const key = event === 'chat:send' ? 'text' : pick(Object.keys(base).concat('pad'));
  const rest = Buffer.byteLength(JSON.stringify([event, { ...base, [key]: '' }]));
  return { ...base, [key]: 'y'.repeat(LIMITS.messageBytesMax - rest - 64) };
}

// ---- the run ----------------------------------------------------------------------

type Role = 'teacher' | 'classroom' | 'observer' | 'unjoined';
const WRONG_NAMES = ['lesson:joinx', 'LESSON:JOIN', 'lesson', ':', ' ', 'constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', '__defineGetter__', 'consumer:new', 'peer:joined', 'media:reset', 'admin:eval', '💥', 'x'.repeat(500)];

interface Outcome {
  event: string;
  args: string;
  res: unknown;
  kind: 'normal' | 'extra-args' | 'no-payload' | 'wrong-name';
}

let srv: LiveTestServer;
let workerPid: number;
const outcomes: Outcome[] = [];
const problems: string[] = [];
const sentPerEvent = new Map<string, number>();

function checkAck(o: Outcome): void {
  const where = `seed=${SEED} ${o.kind} ${o.event.slice(0, 40)} ${o.args.slice(0, 200)} → ${JSON.stringify(o.res)?.slice(0, 200)}`;
  const res = o.res as { ok?: unknown; data?: unknown; error?: { code?: unknown; message?: unknown } } | null;
  if (!res || typeof res !== 'object') return void problems.push(`not an object: ${where}`);
  if (res.ok === true) {
    if (!('data' in res) || Object.keys(res).sort().join() !== 'data,ok') problems.push(`bad ok ack: ${where}`);
    if (o.kind !== 'normal') problems.push(`should have failed: ${where}`);
    return;
  }
  if (res.ok !== false || !res.error || Object.keys(res).sort().join() !== 'error,ok') return void problems.push(`bad ack: ${where}`);
  const { code, message } = res.error;
  if (!ERROR_CODES.includes(code as never) || typeof message !== 'string' || !message) problems.push(`bad error: ${where}`);
  // A client's garbage is the client's fault, never an internal error.
  if (code === 'INTERNAL') problems.push(`INTERNAL: ${where}`);
  const expected = { 'extra-args': 'BAD_REQUEST', 'no-payload': 'BAD_REQUEST', 'wrong-name': 'NOT_FOUND', normal: null }[o.kind];
  if (expected && code !== expected && code !== 'RATE_LIMITED') problems.push(`expected ${expected}: ${where}`);
}

/** Frames over the limit close the connection (tested on its own below); keep these under. */
const FRAME_BUDGET = LIMITS.messageBytesMax - 1_024;

async function send(client: TestClient, event: string, args: unknown[], kind: Outcome['kind'], withAck = true): Promise<void> {
  let preview = JSON.stringify([event, ...args]) ?? '';
  if (Buffer.byteLength(preview) > FRAME_BUDGET) {
    args = args.map(() => ({ lessonId: 'z'.repeat(1_000) }));
    preview = JSON.stringify([event, ...args]);
  }
  sentPerEvent.set(event, (sentPerEvent.get(event) ?? 0) + 1);
  if (!withAck) {
    (client.socket as unknown as { emit(e: string, ...a: unknown[]): void }).emit(event, ...args);
    return;
  }
  try {
    const res = await rawRequest(client.socket, event, args, ACK_TIMEOUT_MS);
    const o = { event, args: preview, res, kind };
    outcomes.push(o);
    checkAck(o);
  } catch (err) {
    problems.push(`seed=${SEED} no ack within ${ACK_TIMEOUT_MS} ms (${(err as Error).message}): ${kind} ${event.slice(0, 40)} ${preview.slice(0, 200)}`);
  }
}

function assertNotPolluted(): void {
  const probe = {} as Record<string, unknown>;
  expect(probe[POLLUTION_MARK]).toBeUndefined();
  expect(Object.prototype.hasOwnProperty.call(Object.prototype, POLLUTION_MARK)).toBe(false);
  expect(Object.keys(Object.prototype)).toEqual([]);
}

beforeAll(async () => {
  srv = await startLiveServer({});
  workerPid = srv.web.pool.workers[0].worker.pid!;
}, 60_000);

afterAll(async () => {
  await srv?.close();
});

describe('out-of-order and repeated requests', () => {
  it('are answered with CONFLICT / NOT_FOUND, never a crash', async () => {
    const { lessonId } = srv;
    const fresh = await srv.connect(await srv.deviceCookie(srv.classrooms.qingshan), 'fresh');
    // Before joining, every seat-scoped event is CONFLICT. The recordings page and 评课 events
    // are not seat-scoped: they check access per lesson themselves.
    const seatless = /^(lesson:(join|leave)|recording:watch|annotation:.*)$/;
    for (const event of EVENTS) {
      if (seatless.test(event)) continue;
      const payload = template(event, { lessonId, classrooms: [], caps: {}, transports: ['t'], producers: ['p'], consumers: ['c'], quizzes: ['q'] });
      const res = (await rawRequest(fresh.socket, event, [payload])) as { ok: boolean; error?: { code: string } };
      // Payloads that fail validation are BAD_REQUEST before anything else.
      expect(res.ok ? 'ok' : res.error!.code, event).toMatch(/^(CONFLICT|BAD_REQUEST)$/);
    }
    expect(await fresh.ok('lesson:leave', {})).toBeNull();

    const j = await joinWithMedia(fresh, lessonId, { send: false, recv: false, ready: false });
    // Producing before any transport exists.
    expect(await fresh.errorCode('producer:create', { transportId: 'nope', kind: 'audio', source: 'mic', rtpParameters: opusRtpParameters(5, '0') })).toBe('NOT_FOUND');
    // media:ready before a recv transport: fine, nothing to consume on yet.
    expect(await fresh.ok('media:ready', { rtpCapabilities: j.snap.routerRtpCapabilities as never })).toBeNull();
    expect(await fresh.errorCode('media:ready', { rtpCapabilities: { codecs: [{ kind: 'audio', mimeType: 'audio/G722', clockRate: 8000 }] } })).toBe('BAD_REQUEST');
    const send = await fresh.ok('transport:create', { direction: 'send' });
    expect(await fresh.ok('transport:connect', { transportId: send.id, dtlsParameters: fakeDtlsParameters() })).toBeNull();
    expect(await fresh.errorCode('transport:connect', { transportId: send.id, dtlsParameters: fakeDtlsParameters() })).toBe('CONFLICT');
    const mic = await produceMic(fresh, send.id);
    expect(await fresh.ok('producer:close', { producerId: mic })).toBeNull();
    expect(await fresh.errorCode('producer:close', { producerId: mic })).toBe('NOT_FOUND');
    expect(await fresh.errorCode('consumer:setLayers', { consumerId: 'nope', spatialLayer: 1 })).toBe('NOT_FOUND');
    // Joining twice just re-seats; leaving then acting is CONFLICT.
    await fresh.ok('lesson:join', { lessonId });
    await fresh.ok('lesson:join', { lessonId });
    expect(srv.live()!.peers.size).toBe(1);
    await fresh.ok('lesson:leave', {});
    expect(await fresh.errorCode('producer:pause', { producerId: mic })).toBe('CONFLICT');
    expect(await fresh.errorCode('hand:raise', {})).toBe('CONFLICT');
    fresh.close();
  });
});

describe('racing a close', () => {
  it('requests on a consumer whose producer closes meanwhile are NOT_FOUND, never INTERNAL', async () => {
    const t = await srv.connect(await srv.cookieFor('teacher-wang'), 'race-teacher');
    const tj = await joinWithMedia(t, srv.lessonId, { send: true });
    const c = await srv.connect(await srv.deviceCookie(srv.classrooms.shiqiao), 'race-classroom');
    await joinWithMedia(c, srv.lessonId);
    const tally = new Map<string, number>();
    for (let i = 0; i < 20; i++) {
      const producerId = await produceCamera(t, tj.send!.id, `race${i}`);
      const { consumerId } = await waitFor(() => c.openConsumers((x) => x.producerId === producerId)[0], 5_000, 'consumer');
      const results = await Promise.all([
        c.request('consumer:setLayers', { consumerId, spatialLayer: 1 }),
        c.request('consumer:pause', { consumerId }),
        t.request('producer:close', { producerId }),
        c.request('consumer:setLayers', { consumerId, spatialLayer: 2 }),
        c.request('consumer:resume', { consumerId }),
        c.request('consumer:pause', { consumerId }),
      ]);
      for (const r of results) {
        const k = r.ok ? 'ok' : r.error.code;
        tally.set(k, (tally.get(k) ?? 0) + 1);
      }
    }
    expect([...tally.keys()].sort()).toEqual(['NOT_FOUND', 'ok']);
    expect(tally.get('NOT_FOUND')).toBeGreaterThanOrEqual(20 * 3);
    t.close();
    c.close();
    await waitFor(() => (srv.live()?.peers.size ?? 0) === 0, 5_000, 'both gone');
  });
});

describe('text the database cannot store', () => {
  it('NUL and lone surrogates are BAD_REQUEST, not INTERNAL', async () => {
    const t = await srv.connect(await srv.cookieFor('teacher-wang'), 'nul');
    await t.ok('lesson:join', { lessonId: srv.lessonId });
    expect(await t.errorCode('chat:send', { text: '你好\u0000' })).toBe('BAD_REQUEST');
    expect(await t.errorCode('quiz:push', { kind: 'truefalse', question: '\u0000对吗' })).toBe('BAD_REQUEST');
    expect(await t.errorCode('quiz:push', { kind: 'choice', question: '哪个', options: ['a\udc64', 'b'] })).toBe('BAD_REQUEST');
    expect(await t.errorCode('quiz:push', { kind: 'choice', question: '哪个', options: ['\u0000', 'b'] })).toBe('BAD_REQUEST');
    // Nothing half-written.
    const rows = await srv.db.query<{ n: number }>('select count(*)::int as n from quizzes where lesson_id = $1', [srv.lessonId]);
    expect(rows[0].n).toBe(0);
    // And wrong event names that happen to be Object.prototype members are answered too.
    for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(await rawRequest(t.socket, name, [{}], 3_000)).toEqual({ ok: false, error: { code: 'NOT_FOUND', message: 'unknown event' } });
    }
    await t.ok('lesson:leave', {});
    t.close();
  });
});

describe('random and hostile payloads', () => {
  it(`≥ 3000 messages to every event, from every role (seed ${SEED})`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const lesson = await srv.createLesson([srv.classrooms.qingshan, srv.classrooms.shiqiao]);
      const ctx: Ctx = {
        lessonId: lesson.id,
        classrooms: [srv.classrooms.qingshan, srv.classrooms.shiqiao, srv.classrooms.host],
        caps: null,
        transports: [],
        producers: [],
        consumers: [],
        quizzes: [],
      };
      const teacher = await srv.connect(await srv.cookieFor('teacher-wang'), `teacher@${round}`);
      const a = await srv.connect(await srv.deviceCookie(srv.classrooms.qingshan), `qingshan@${round}`);
      const b = await srv.connect(await srv.deviceCookie(srv.classrooms.shiqiao), `shiqiao@${round}`);
      const obs = await srv.connect(await srv.cookieFor('researcher-zhao'), `observer@${round}`);
      const stranger = await srv.connect(await srv.cookieFor('teacher-li'), `unjoined@${round}`);
      const sockets: [TestClient, Role][] = [
        [teacher, 'teacher'],
        [a, 'classroom'],
        [b, 'classroom'],
        [obs, 'observer'],
        [stranger, 'unjoined'],
      ];
      // Real ids make the fuzz reach deep: transports, producers, consumers and a quiz exist.
      const tj = await joinWithMedia(teacher, lesson.id, { send: true });
      ctx.caps = tj.snap.routerRtpCapabilities;
      await teacher.ok('lesson:start', {});
      ctx.producers.push(await produceCamera(teacher, tj.send!.id), await produceMic(teacher, tj.send!.id));
      for (const c of [a, b]) {
        const j = await joinWithMedia(c, lesson.id, { send: true });
        ctx.transports.push(j.send!.id, j.recv!.id);
        ctx.producers.push(await produceCamera(c, j.send!.id), await produceMic(c, j.send!.id));
      }
      ctx.transports.push(tj.send!.id, tj.recv!.id, (await joinWithMedia(obs, lesson.id)).recv!.id);
      ctx.quizzes.push((await teacher.ok('quiz:push', { kind: 'truefalse', question: '对吗？' })).id);
      await waitFor(() => a.consumers.size >= 2 && obs.consumers.size >= 2, 5_000, 'consumers before fuzzing');
      // Receivers answer the server's consumer:new with garbage, errors or nothing at all.
      for (const [idx, [c]] of sockets.entries()) {
        c.socket.on('disconnect', (reason) => {
          if (reason !== 'io client disconnect') problems.push(`seed=${SEED} ${c.label} disconnected by the server: ${reason}`);
        });
        const ackRng = rngFor(round, idx, 1);
        c.consumerAck = () =>
          withRng(ackRng, () => pick([{ ok: true, data: null }, { ok: false, error: { code: 'X', message: 'y' } }, null, 'ok', 42, [], { ok: 'yes' }, pollution()]));
      }
      obs.consumerAck = 'never';
      const collectIds = () => {
        for (const [c] of sockets) for (const id of c.consumers.keys()) if (!ctx.consumers.includes(id)) ctx.consumers.push(id);
      };
      collectIds();

      await Promise.all(
        sockets.map(async ([client, role], idx) => {
          const rng = rngFor(round, idx, 0);
          for (let i = 0; i < PER_SOCKET; i += 10) {
            const batch: Promise<void>[] = [];
            // Generated synchronously with this socket's own generator.
            withRng(rng, () => {
              for (let k = 0; k < 10; k++) {
                const r = rand();
                if (r < 0.06) {
                  batch.push(send(client, pick(WRONG_NAMES), [randomValue()], 'wrong-name'));
                  continue;
                }
                const event = pick(EVENTS);
                const payload = payloadFor(event, ctx, role);
                if (r < 0.1) batch.push(send(client, event, [payload, randomValue()], 'extra-args'));
                else if (r < 0.13) batch.push(send(client, event, [], 'no-payload'));
                else if (r < 0.18) batch.push(send(client, event, [payload], 'normal', false));
                else batch.push(send(client, event, [payload], 'normal'));
              }
            });
            await Promise.all(batch);
            collectIds();
          }
        }),
      );
      assertNotPolluted();
      // The lesson still works after all that: the teacher can end it.
      if (srv.live(lesson.id)) await teacher.ok('lesson:end', {});
      for (const [c] of sockets) c.close();
    }
    const acked = outcomes.length;
    const kinds = new Map<string, number>();
    for (const p of problems) {
      const k = p.replace(/seed=\d+ /, '').slice(0, 60);
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    expect(problems.slice(0, 20), `${problems.length} problems: ${JSON.stringify([...kinds])}`).toEqual([]);
    expect(acked).toBeGreaterThanOrEqual(3000);
    // Every event of the contract was exercised, a lot, and some reached success.
    for (const event of EVENTS) expect(sentPerEvent.get(event) ?? 0, event).toBeGreaterThanOrEqual(50);
    const okEvents = new Set(outcomes.filter((o) => (o.res as { ok: boolean }).ok).map((o) => o.event));
    expect(okEvents.size).toBeGreaterThanOrEqual(15);
    const codes = new Set(outcomes.map((o) => (o.res as { error?: { code: string } }).error?.code).filter(Boolean));
    expect([...codes]).toEqual(expect.arrayContaining(['BAD_REQUEST', 'CONFLICT', 'FORBIDDEN', 'NOT_FOUND']));
  }, 150_000);
});

describe('malformed frames, oversize frames and floods', () => {
  const probe = async (c: TestClient) => {
    if (!c.socket.connected) return 'disconnected';
    const res = await rawRequest(c.socket, 'lesson:join', [{ lessonId: 'no-such-lesson' }], 3_000).catch(() => null);
    return res ? (res as { error?: { code: string } }).error?.code : c.socket.connected ? 'silent' : 'disconnected';
  };

  it('raw garbage packets drop that connection or are ignored, nothing else', async () => {
    const cookie = await srv.cookieFor('researcher-zhao');
    const packets = [
      '2["lesson:join"',
      '2[]',
      '2[{}]',
      '2[null,{}]',
      '2[42,{}]',
      '2["disconnect"]',
      '2["newListener",{}]',
      '21["lesson:join",{"lessonId":"x"},1,2,3]',
      '3999[{}]',
      '41',
      '40',
      '4{}',
      '9xyz',
      '5-["binary"]',
      '51-["lesson:join",{"_placeholder":true,"num":7}]',
      '',
      '2' + '['.repeat(5_000),
      '2["chat:send",{"text":"' + '\\'.repeat(3) + '"}]',
    ];
    for (const p of packets) {
      const c = await srv.connect(cookie, `raw ${p.slice(0, 20)}`);
      (c.socket.io.engine as unknown as { write(d: string): void }).write(p);
      const after = await probe(c);
      // Either the server dropped the connection, or it still answers properly.
      expect(['disconnected', 'NOT_FOUND'], `after ${p.slice(0, 40)}`).toContain(after);
      c.close();
    }
  });

  it('a frame over the transport limit (256 KB) closes that connection only', async () => {
    const c = await srv.connect(await srv.cookieFor('researcher-zhao'), 'oversize');
    const gone = new Promise<string>((r) => c.socket.once('disconnect', (reason) => r(reason)));
    c.socket.emit('chat:send', { text: 'z'.repeat(LIMITS.frameBytesMax + 10) }, () => undefined);
    expect(await gone).toMatch(/transport (close|error)/);
    const other = await srv.connect(await srv.cookieFor('researcher-zhao'), 'after-oversize');
    expect(await probe(other)).toBe('NOT_FOUND');
    other.close();
  });

  it('a flood gets RATE_LIMITED after 300 messages in 10 s', async () => {
    const c = await srv.connect(await srv.cookieFor('researcher-zhao'), 'flood');
    const results = (await Promise.all(
      Array.from({ length: 400 }, () => rawRequest(c.socket, 'hand:raise', [{}], 10_000)),
    )) as { ok: boolean; error?: { code: string } }[];
    const limited = results.filter((r) => r.error?.code === 'RATE_LIMITED').length;
    expect(limited).toBe(100);
    expect(results.slice(0, 300).every((r) => r.error?.code === 'CONFLICT')).toBe(true);
    c.close();
  });
});

describe('afterwards', () => {
  it('the server, the lesson service and the same mediasoup worker are alive and well', async () => {
    assertNotPolluted();
    const health = await fetch(`${srv.url}/healthz`);
    expect(health.status).toBe(200);
    const worker = srv.web.pool.workers[0].worker;
    expect(worker.pid).toBe(workerPid);
    expect(worker.closed).toBe(false);
    expect((await worker.dump()).pid).toBe(workerPid);
    const c = await srv.connect(await srv.cookieFor('teacher-wang'), 'final');
    const j = await joinWithMedia(c, srv.lessonId, { send: true });
    expect(j.snap.self.lessonRole).toBe('teacher');
    await produceCamera(c, j.send!.id);
    c.close();
  });
});
