// A real Tongbu web process for live-lesson tests: in-memory PGlite with the demo seed,
// one real mediasoup worker, the HTTP API and Socket.IO on an ephemeral port; plus typed
// socket.io-client participants that record what the server pushes to them.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { mediaPortsEnv, reservePortBlock } from './ports.js';
import type { WebServer } from '../../server/app.js';
import type { Db } from '../../server/db/db.js';
import type { DemoAccounts } from '../../server/community/seed.js';
import type { Lesson, PublicUser } from '../../server/contract/domain.js';
import type { Ack } from '../../server/contract/errors.js';
import type {
  ClientEventName,
  ClientPayload,
  ClientResults,
  ClientToServerEvents,
  NewConsumer,
  ServerToClientEvents,
} from '../../server/contract/events.js';
import type { LiveLesson } from '../../server/live/LiveLesson.js';

export type LiveClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

// ---- waiting ---------------------------------------------------------------------

/** Polls `predicate` until it returns something truthy (which is returned) or times out. */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  timeoutMs = 5_000,
  what = 'condition',
  /** How often to look: longer for a check that queries the server's database (it shares the process). */
  everyMs = 10,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await predicate();
      if (v) return v as NonNullable<T>;
      last = v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last: ${describe(last)})`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Checks that a condition holds for a whole stretch of time (what a test of "nothing
 * happens while…" means): fails as soon as it does not, instead of sleeping and looking once.
 */
export async function holdsFor(predicate: () => boolean | Promise<boolean>, ms: number, what = 'condition'): Promise<void> {
  const until = Date.now() + ms;
  do {
    if (!(await predicate())) throw new Error(`${what} stopped holding ${ms - (until - Date.now())} ms into ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  } while (Date.now() < until);
}

function describe(v: unknown): string {
  if (v instanceof Error) return v.message;
  try {
    return JSON.stringify(v)?.slice(0, 300) ?? String(v);
  } catch {
    return String(v);
  }
}

/** Sends one client event and resolves with its ack (rejects if none comes in time). */
export function request<E extends ClientEventName>(
  socket: LiveClientSocket,
  event: E,
  payload: ClientPayload<E>,
  timeoutMs = 5_000,
): Promise<Ack<ClientResults[E]>> {
  const s = socket.timeout(timeoutMs) as unknown as {
    emitWithAck(e: string, ...args: unknown[]): Promise<Ack<ClientResults[E]>>;
  };
  return s.emitWithAck(event, payload);
}

/** Like request() but for anything at all (fuzzing): any event name and any arguments. */
export function rawRequest(socket: Socket, event: string, args: unknown[], timeoutMs = 5_000): Promise<unknown> {
  const s = socket.timeout(timeoutMs) as unknown as { emitWithAck(e: string, ...a: unknown[]): Promise<unknown> };
  return s.emitWithAck(event, ...args);
}

// ---- media fixtures ---------------------------------------------------------------

/** What a browser would send for an Opus mic track. */
export function opusRtpParameters(ssrc: number, mid: string) {
  return {
    mid,
    codecs: [
      {
        mimeType: 'audio/opus',
        payloadType: 111,
        clockRate: 48000,
        channels: 2,
        parameters: { minptime: 10, useinbandfec: 1 },
        rtcpFeedback: [{ type: 'transport-cc', parameter: '' }],
      },
    ],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 },
      { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 2 },
      { uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 1 },
    ],
    encodings: [{ ssrc, dtx: false }],
    rtcp: { cname: `cname-${mid}`, reducedSize: true },
  };
}

/** What a browser would send for a VP8 camera with simulcast layers r0..r2 (rid based). */
export function vp8SimulcastRtpParameters(mid: string, layers = 3) {
  return {
    mid,
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 96,
        clockRate: 90000,
        rtcpFeedback: [
          { type: 'goog-remb', parameter: '' },
          { type: 'transport-cc', parameter: '' },
          { type: 'ccm', parameter: 'fir' },
          { type: 'nack', parameter: '' },
          { type: 'nack', parameter: 'pli' },
        ],
      },
      { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
    ],
    headerExtensions: [
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4 },
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', id: 10 },
      { uri: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id', id: 11 },
      { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 2 },
    ],
    encodings: Array.from({ length: layers }, (_, i) => ({
      rid: `r${i}`,
      scaleResolutionDownBy: 2 ** (layers - 1 - i),
      maxBitrate: [150_000, 500_000, 1_200_000][i] ?? 1_200_000,
      scalabilityMode: 'L1T3',
    })),
    rtcp: { cname: `cname-${mid}`, reducedSize: true },
  };
}

/** A syntactically valid client DTLS fingerprint (the handshake itself never happens here). */
export function fakeDtlsParameters() {
  const hex = Array.from({ length: 32 }, (_, i) => ((i * 37 + 11) & 0xff).toString(16).padStart(2, '0').toUpperCase());
  return { role: 'client' as const, fingerprints: [{ algorithm: 'sha-256' as const, value: hex.join(':') }] };
}

// ---- clients -----------------------------------------------------------------------

export interface Received {
  event: string;
  data: unknown;
  at: number;
}

export interface ConsumerView extends NewConsumer {
  closed: boolean;
  paused: boolean;
}

export type ConsumerAckMode = 'ok' | 'never' | ((c: NewConsumer) => unknown);

export class TestClient {
  readonly received: Received[] = [];
  readonly consumers = new Map<string, ConsumerView>();
  consumerAck: ConsumerAckMode = 'ok';

  constructor(
    readonly socket: LiveClientSocket,
    readonly label: string,
  ) {
    socket.onAny((event: string, ...args: unknown[]) => {
      this.received.push({ event, data: typeof args[0] === 'function' ? undefined : args[0], at: Date.now() });
    });
    socket.on('consumer:new', (c, ack) => {
      this.consumers.set(c.consumerId, { ...c, closed: false, paused: c.producerPaused });
      const mode = this.consumerAck;
      if (mode === 'ok') ack({ ok: true, data: null });
      else if (typeof mode === 'function') (ack as (r: unknown) => void)(mode(c));
    });
    socket.on('consumer:closed', ({ consumerId }) => {
      const c = this.consumers.get(consumerId);
      if (c) c.closed = true;
    });
    socket.on('consumer:paused', ({ consumerId }) => {
      const c = this.consumers.get(consumerId);
      if (c) c.paused = true;
    });
    socket.on('consumer:resumed', ({ consumerId }) => {
      const c = this.consumers.get(consumerId);
      if (c) c.paused = false;
    });
  }

  request<E extends ClientEventName>(event: E, payload: ClientPayload<E>, timeoutMs = 5_000) {
    return request(this.socket, event, payload, timeoutMs);
  }

  /** The ack's data; throws with the server's error if it was not ok. */
  async ok<E extends ClientEventName>(event: E, payload: ClientPayload<E>, timeoutMs = 5_000): Promise<ClientResults[E]> {
    const res = await this.request(event, payload, timeoutMs);
    if (!res.ok) throw new Error(`${this.label} ${event}: ${res.error.code} ${res.error.message}`);
    return res.data;
  }

  /** The error code of an ack that must fail. */
  async errorCode<E extends ClientEventName>(event: E, payload: ClientPayload<E>): Promise<string> {
    const res = await this.request(event, payload);
    if (res.ok) throw new Error(`${this.label} ${event} unexpectedly succeeded: ${describe(res.data)}`);
    return res.error.code;
  }

  events<T = unknown>(event: string, pred: (d: T) => boolean = () => true): T[] {
    return this.received.filter((r) => r.event === event && pred(r.data as T)).map((r) => r.data as T);
  }

  /** Resolves with the first `event` received at index >= `since` that matches. */
  waitEvent<T = unknown>(event: string, pred: (d: T) => boolean = () => true, timeoutMs = 5_000, since = 0): Promise<T> {
    return waitFor(
      () => {
        for (let i = since; i < this.received.length; i++) {
          const r = this.received[i];
          if (r.event === event && pred(r.data as T)) return { v: r.data as T };
        }
        return null;
      },
      timeoutMs,
      `${this.label} to receive ${event}`,
    ).then((x) => x.v);
  }

  /** Open (not closed) consumers, optionally filtered. */
  openConsumers(pred: (c: ConsumerView) => boolean = () => true): ConsumerView[] {
    return [...this.consumers.values()].filter((c) => !c.closed && pred(c));
  }

  mark(): number {
    return this.received.length;
  }

  close(): void {
    this.socket.disconnect();
  }
}

// ---- the server -------------------------------------------------------------------

export interface LiveTestServer {
  web: WebServer;
  db: Db;
  url: string;
  /** The UDP/TCP port of the worker's WebRtcServer (what ICE candidates announce). */
  rtcPort: number;
  /** Its media and recorder port ranges (TONGBU_RTC_* / TONGBU_RECORDER_*), for a second server in their place. */
  portsEnv: Record<string, string>;
  accounts: DemoAccounts;
  /** The demo lesson (teacher-wang, receiving both rural classrooms). */
  lessonId: string;
  classrooms: { host: string; qingshan: string; shiqiao: string };
  user(username: string): Promise<PublicUser>;
  /** `tongbu_session=…` for a user, from a session created directly in the database. */
  cookieFor(username: string): Promise<string>;
  /** `tongbu_session=…` of a classroom device, by redeeming a device code over HTTP. */
  deviceCookie(classroomId: string): Promise<string>;
  connect(cookie: string | null, label?: string, extra?: { port?: number }): Promise<TestClient>;
  /** connect() that expects to be refused: resolves with the connect_error. */
  refused(cookie: string | null): Promise<Error & { data?: unknown }>;
  /** The lesson as the server holds it right now. */
  live(lessonId?: string): LiveLesson | undefined;
  /** Waits until every queued consumer reconciliation of the lesson has run. */
  settle(lessonId?: string): Promise<void>;
  createLesson(receivingClassroomIds: string[], teacher?: string): Promise<Lesson>;
  close(): Promise<void>;
}

let workerBinChecked = false;

/** mediasoup reads MEDIASOUP_WORKER_BIN when first imported: make sure it is set before that. */
export function ensureMediasoupWorkerBin(): string {
  if (!process.env.MEDIASOUP_WORKER_BIN && !workerBinChecked) {
    workerBinChecked = true;
    const out = execFileSync('bash', ['infra/mediasoup/build-worker.sh'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const bin = out.trim().split('\n').pop();
    if (bin) process.env.MEDIASOUP_WORKER_BIN = bin;
  }
  return process.env.MEDIASOUP_WORKER_BIN ?? '';
}

export interface StartOptions {
  /** First of this server's port block (tests/helpers/ports.ts); by default one is reserved. */
  portBase?: number;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** More configuration (e.g. TONGBU_RECORDER_MIN_PORT), on top of the test defaults. */
  env?: Record<string, string>;
  /** Recording processing on (BullMQ queues; workers run elsewhere against the same Redis and TONGBU_DATA_DIR). */
  queues?: import('../../server/jobs/queues.js').Queues;
}

export async function startLiveServer(opts: StartOptions): Promise<LiveTestServer> {
  ensureMediasoupWorkerBin();
  // Imported only now, so that mediasoup sees MEDIASOUP_WORKER_BIN.
  const [{ startWebServer }, { loadConfig }, { openDb }, { seedDemo }, { createSession }, log, lessons, community] =
    await Promise.all([
      import('../../server/app.js'),
      import('../../server/config.js'),
      import('../../server/db/db.js'),
      import('../../server/community/seed.js'),
      import('../../server/auth/sessions.js'),
      import('../../server/contract/log.js'),
      import('../../server/lessons/repo.js'),
      import('../../server/auth/deviceCodes.js'),
    ]);
  log.setLogLevel(opts.logLevel ?? (process.env.TONGBU_TEST_LOG_LEVEL as 'warn' | undefined) ?? 'error');

  const db = await openDb({});
  const accounts = await seedDemo(db, { password: 'demo-pass-123' });
  if (!accounts) throw new Error('seed did nothing on an empty database');
  // The worker's WebRtcServer binds the first port of the range. Something outside the
  // reserved blocks (another program) may hold it: then take another block and try again.
  let web: WebServer | undefined;
  let rtcPort = 0;
  let portsEnv: Record<string, string> = {};
  for (let attempt = 0; !web; attempt++) {
    rtcPort = attempt === 0 && opts.portBase !== undefined ? opts.portBase : reservePortBlock();
    portsEnv = mediaPortsEnv(rtcPort);
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      TONGBU_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'tongbu-live-')),
      TONGBU_ANNOUNCED_IP: '127.0.0.1',
      TONGBU_MEDIA_WORKERS: '1',
      ...portsEnv,
      ...opts.env,
    });
    try {
      web = await startWebServer(config, db, { clientDir: path.join(os.tmpdir(), 'tongbu-no-client'), queues: opts.queues });
    } catch (err) {
      if (attempt >= 3 || !/address already in use/.test(String(err))) throw err;
    }
  }
  const server = web;
  const url = `http://127.0.0.1:${server.port}`;

  const classroomByName = async (name: string) => {
    const rows = await db.query<{ id: string }>('select id from classrooms where name = $1', [name]);
    if (rows.length !== 1) throw new Error(`classroom ${name}: ${rows.length} rows`);
    return rows[0].id;
  };
  const classrooms = {
    host: await classroomByName('四年级(1)班'),
    qingshan: await classroomByName('四年级'),
    shiqiao: await classroomByName('四年级(2)班'),
  };

  const user = async (username: string): Promise<PublicUser> => {
    const rows = await db.query(
      'select id, username, display_name, role, school_id, classroom_id from users where username = $1',
      [username],
    );
    const r = rows[0];
    if (!r) throw new Error(`no user ${username}`);
    return {
      id: String(r.id),
      username: String(r.username),
      displayName: String(r.display_name),
      role: r.role as PublicUser['role'],
      schoolId: (r.school_id as string | null) ?? null,
      classroomId: (r.classroom_id as string | null) ?? null,
    };
  };

  // The seed issues one code per rural classroom; later codes are issued by the admin.
  const seededCodes = new Map<string, string>();
  for (const d of accounts.deviceCodes) seededCodes.set(await classroomByName(d.classroom), d.code);
  const deviceCookies = new Map<string, string>();
  const deviceCookie = async (classroomId: string) => {
    const cached = deviceCookies.get(classroomId);
    if (cached) return cached;
    let code = seededCodes.get(classroomId);
    seededCodes.delete(classroomId);
    if (!code) code = (await community.issueDeviceCode(db, { classroomId, issuedBy: (await user('admin')).id })).code;
    const res = await fetch(`${url}/api/auth/device`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code }),
    });
    if (res.status !== 200) throw new Error(`device login: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { user: PublicUser };
    if (body.user.role !== 'classroom' || body.user.classroomId !== classroomId) {
      throw new Error(`device login gave ${JSON.stringify(body.user)}`);
    }
    const set = res.headers.getSetCookie().find((c) => c.startsWith('tongbu_session='));
    if (!set) throw new Error('device login set no session cookie');
    const cookie = set.split(';')[0];
    deviceCookies.set(classroomId, cookie);
    return cookie;
  };

  const cookieFor = async (username: string) => {
    const u = await user(username);
    return `tongbu_session=${await createSession(db, u.id, 60 * 60 * 1000)}`;
  };

  const clients = new Set<LiveClientSocket>();
  const open = (cookie: string | null, port = server.port): LiveClientSocket => {
    const socket: LiveClientSocket = ioClient(`http://127.0.0.1:${port}`, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      ...(cookie ? { extraHeaders: { cookie } } : {}),
    });
    clients.add(socket);
    return socket;
  };

  const connect = (cookie: string | null, label = 'client', extra: { port?: number } = {}) =>
    new Promise<TestClient>((resolve, reject) => {
      const socket = open(cookie, extra.port);
      const client = new TestClient(socket, label);
      const timer = setTimeout(() => reject(new Error(`${label}: no connect within 5 s`)), 5_000);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(client);
      });
      socket.once('connect_error', (err) => {
        clearTimeout(timer);
        reject(new Error(`${label}: connect_error ${err.message}`));
      });
    });

  const refused = (cookie: string | null) =>
    new Promise<Error & { data?: unknown }>((resolve, reject) => {
      const socket = open(cookie);
      const timer = setTimeout(() => reject(new Error('neither connect nor connect_error within 5 s')), 5_000);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.disconnect();
        reject(new Error('connected, but should have been refused'));
      });
      socket.once('connect_error', (err) => {
        clearTimeout(timer);
        socket.disconnect();
        resolve(err as Error & { data?: unknown });
      });
    });

  const liveOf = (lessonId = accounts.lessonId) => server.live.registry.get(lessonId);

  return {
    web: server,
    db,
    url,
    rtcPort,
    portsEnv,
    accounts,
    lessonId: accounts.lessonId,
    classrooms,
    user,
    cookieFor,
    deviceCookie,
    connect,
    refused,
    live: liveOf,
    async settle(lessonId = accounts.lessonId) {
      const live = liveOf(lessonId);
      if (!live) return;
      // reconcile() chains after whatever is queued for that peer; twice, since one pass
      // may have been queued by another while we waited.
      for (let i = 0; i < 2; i++) await Promise.all([...live.peers.keys()].map((id) => live.reconcile(id)));
    },
    async createLesson(receivingClassroomIds, teacher = 'teacher-wang') {
      const t = await user(teacher);
      return lessons.createLesson(db, t, {
        title: '测试课',
        subject: '数学',
        grade: 4,
        hostClassroomId: classrooms.host,
        receivingClassroomIds,
        scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
        durationMin: 40,
      });
    },
    async close() {
      for (const s of clients) s.disconnect();
      await server.close();
      await db.close();
    },
  };
}

// ---- a TCP proxy that can go silent ---------------------------------------------------

/**
 * Forwards a port; freeze() stops forwarding without closing anything, as when a rural
 * link or a projector PC simply drops off the network (no FIN, no RST).
 */
export async function silentProxy(targetPort: number): Promise<{ port: number; freeze(): void; close(): void }> {
  const pairs: [net.Socket, net.Socket][] = [];
  const server = net.createServer((inbound) => {
    const outbound = net.connect(targetPort, '127.0.0.1');
    inbound.pipe(outbound);
    outbound.pipe(inbound);
    inbound.on('error', () => undefined);
    outbound.on('error', () => undefined);
    pairs.push([inbound, outbound]);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze() {
      for (const [a, b] of pairs) {
        a.unpipe(b);
        b.unpipe(a);
        a.pause();
        b.pause();
      }
    },
    close() {
      for (const [a, b] of pairs) {
        a.destroy();
        b.destroy();
      }
      server.close();
    },
  };
}

// ---- joining with media ------------------------------------------------------------

export interface Joined {
  client: TestClient;
  snap: ClientResults['lesson:join'];
  send?: ClientResults['transport:create'];
  recv?: ClientResults['transport:create'];
}

/**
 * lesson:join, then what a client does before it can receive: a recv transport (and a
 * send transport for publishers), then media:ready with the router's own capabilities.
 */
export async function joinWithMedia(
  client: TestClient,
  lessonId: string,
  opts: { send?: boolean; recv?: boolean; ready?: boolean } = {},
): Promise<Joined> {
  const snap = await client.ok('lesson:join', { lessonId });
  const out: Joined = { client, snap };
  if (opts.send) out.send = await client.ok('transport:create', { direction: 'send' });
  if (opts.recv ?? true) out.recv = await client.ok('transport:create', { direction: 'recv' });
  if (opts.ready ?? true) {
    await client.ok('media:ready', { rtpCapabilities: snap.routerRtpCapabilities as ClientPayload<'media:ready'>['rtpCapabilities'] });
  }
  return out;
}

let ssrcSeq = 0x1000;

export async function produceMic(client: TestClient, transportId: string, mid = 'a0'): Promise<string> {
  const { producerId } = await client.ok('producer:create', {
    transportId,
    kind: 'audio',
    source: 'mic',
    rtpParameters: opusRtpParameters(++ssrcSeq, mid),
  });
  return producerId;
}

export async function produceCamera(client: TestClient, transportId: string, mid = 'v0'): Promise<string> {
  const { producerId } = await client.ok('producer:create', {
    transportId,
    kind: 'video',
    source: 'camera',
    rtpParameters: vp8SimulcastRtpParameters(mid),
  });
  return producerId;
}
