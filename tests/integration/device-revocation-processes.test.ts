// Revoking a classroom device when several web processes serve the school (issue 10, deliverable
// 5: "sessions end at once"): two real `server/main.ts --web` processes on one PostgreSQL and one
// Redis. The projector PC is connected to process B (a lesson socket and a plan socket); its
// school admin revokes it through process A. B drops both sockets within a bounded time, and B's
// next HTTP request and socket handshake from the device are refused.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoAccounts } from '../../server/community/seed.js';
import type { PublicUser } from '../../server/contract/domain.js';
import { PLAN_SOCKET_PATH } from '../../server/contract/planEvents.js';
import type { Db } from '../../server/db/db.js';
import { freePort } from '../helpers/freePort.js';
import { reservePortBlock } from '../helpers/ports.js';
import { ensureMediasoupWorkerBin } from '../helpers/liveServer.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { startTestRedis } from '../helpers/redis.js';
import { WebProcess, portsEnv, sharedEnv } from '../helpers/webProcess.js';

const PASSWORD = 'revocation-processes-demo';
/** "At once", with room for a slow shared CI machine: the drop itself is one Redis round trip. */
const DROP_WITHIN_MS = 5000;

let pg: TestPostgres;
let redis: Awaited<ReturnType<typeof startTestRedis>>;
let db: Db;
let a: WebProcess;
let b: WebProcess;
let demo: DemoAccounts;
const sockets: Socket[] = [];

beforeAll(async () => {
  ensureMediasoupWorkerBin();
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  const common = sharedEnv({ databaseUrl: pg.url, redisUrl: redis.url, password: PASSWORD });
  // Both processes in one reserved block: 200 ports each (tests/helpers/ports.ts).
  const portBase = reservePortBlock();
  a = new WebProcess('process A', await freePort(), { ...common, ...portsEnv(portBase) }, ['--seed-demo']);
  // B after A: A migrates and seeds; B then finds the demo community there.
  await a.start();
  b = new WebProcess('process B', await freePort(), { ...common, ...portsEnv(portBase + 200) }, []);
  await b.start();
  demo = JSON.parse(readFileSync(path.join(a.dataDir, 'demo-accounts.json'), 'utf8'));
  const { openDb } = await import('../../server/db/db.js');
  db = await openDb({ databaseUrl: pg.url });
}, 180_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await Promise.all([a?.dispose(), b?.dispose()]);
  await db?.close();
  await Promise.all([pg?.stop(), redis?.stop()]);
}, 60_000);

const sessionCookie = (res: Response) => {
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('tongbu_session='));
  if (!cookie) throw new Error(`no session cookie (${res.status})`);
  return cookie.split(';')[0];
};

/** Opens a socket on /socket.io or /plans.io; resolves once connected, rejects with the connect_error. */
function connect(proc: WebProcess, socketPath: '/socket.io' | typeof PLAN_SOCKET_PATH, cookie: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = ioClient(proc.url, { path: socketPath, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie } });
    sockets.push(socket);
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(err);
    });
  });
}

/** Resolves with the disconnect reason and how long it took, or 'still connected' after `ms`. */
function dropped(socket: Socket, ms: number): Promise<{ reason: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ reason: 'still connected', ms: Date.now() - t0 }), ms);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve({ reason, ms: Date.now() - t0 });
    });
  });
}

describe('revoking a classroom device with two web processes', () => {
  it("drops the device's sockets on the other process at once, and that process then refuses it", async () => {
    // The projector PC pairs with process B and opens its lesson and plan sockets there.
    const paired = await fetch(`${b.url}/api/auth/device`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: demo.deviceCodes[0].code }),
    });
    expect(paired.status).toBe(200);
    const device = sessionCookie(paired);
    const deviceUser = ((await paired.json()) as { user: PublicUser }).user;
    expect(deviceUser.role).toBe('classroom');
    const live = await connect(b, '/socket.io', device);
    const plan = await connect(b, PLAN_SOCKET_PATH, device);

    // Its school's admin signs in on process A.
    const [admin] = await db.query<{ username: string }>(
      `select u.username from users u join classrooms c on c.school_id = u.school_id where c.id = $1 and u.role = 'school_admin' order by u.username limit 1`,
      [deviceUser.classroomId],
    );
    const login = await fetch(`${a.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: admin.username, password: PASSWORD }),
    });
    expect(login.status).toBe(200);
    const adminCookie = sessionCookie(login);
    expect((await fetch(`${b.url}/api/me`, { headers: { cookie: device } })).status).toBe(200);

    const liveDropped = dropped(live, DROP_WITHIN_MS);
    const planDropped = dropped(plan, DROP_WITHIN_MS);
    const res = await fetch(`${a.url}/api/classrooms/${deviceUser.classroomId}/device`, {
      method: 'DELETE',
      headers: { cookie: adminCookie, origin: a.url },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect((await liveDropped).reason).toBe('io server disconnect');
    expect((await planDropped).reason).toBe('io server disconnect');
    // Both sockets were B's: A counts them from B's answer.
    expect(body).toMatchObject({ sessions: 1, sockets: 2 });

    // B sees the revocation at once too: no cached session outlives it.
    expect((await fetch(`${b.url}/api/me`, { headers: { cookie: device } })).status).toBe(401);
    await expect(connect(b, '/socket.io', device)).rejects.toThrow('UNAUTHENTICATED');
    await expect(connect(b, PLAN_SOCKET_PATH, device)).rejects.toThrow('UNAUTHENTICATED');
  }, 60_000);
});
