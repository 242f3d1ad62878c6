// The web role's edge as a browser (or a hostile page) meets it, against the real server:
// security headers, the Origin check on state-changing requests and on both Socket.IO
// handshakes, /metrics access, Secure cookies behind an HTTPS proxy, and revoking a classroom
// device (its next request is 401 and its live sockets drop at once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import { PLAN_SOCKET_PATH } from '../../server/contract/planEvents.js';
import { hashToken } from '../../server/auth/sessions.js';
import { createUser } from '../../server/community/repo.js';
import { startLiveServer, type LiveTestServer } from '../helpers/liveServer.js';

const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
let srv: LiveTestServer;

beforeAll(async () => {
  srv = await startLiveServer({
    env: { TONGBU_ALLOWED_ORIGINS: 'https://school.example, https://other.example:8443', TONGBU_METRICS_TOKEN: METRICS_TOKEN },
  });
}, 180_000);
afterAll(async () => {
  await srv?.close();
});

const own = () => srv.url; // http://127.0.0.1:<port>, the Host the requests are sent to

function postJson(path: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(srv.url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Opens a socket on /socket.io or /plans.io; resolves 'connected' or the connect_error message. */
function handshake(path: '/socket.io' | typeof PLAN_SOCKET_PATH, headers: Record<string, string>): Promise<{ result: string; socket: Socket }> {
  return new Promise((resolve) => {
    const socket = ioClient(srv.url, { path, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: headers });
    socket.once('connect', () => resolve({ result: 'connected', socket }));
    socket.once('connect_error', (err) => {
      socket.close();
      resolve({ result: err.message, socket });
    });
  });
}

describe('security headers', () => {
  it('sends a CSP with frame-ancestors, nosniff and a referrer policy on every answer', async () => {
    for (const path of ['/healthz', '/api/me', '/api/no-such-route']) {
      const res = await fetch(srv.url + path);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toMatch(/worker-src 'self' blob:/);
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('same-origin');
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    }
  });
});

describe('the Origin check', () => {
  const login = { username: 'teacher-wang', password: 'wrong-password' };

  it('refuses a state-changing request from another origin with a typed FORBIDDEN', async () => {
    for (const headers of <Record<string, string>[]>[{ origin: 'https://evil.example' }, { origin: 'null' }, { referer: 'https://evil.example/page' }, { origin: 'http://127.0.0.1.evil.example' }]) {
      const res = await postJson('/api/auth/login', login, headers);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({ error: { code: 'FORBIDDEN', message: 'cross-origin request refused' } });
    }
    const del = await fetch(`${srv.url}/api/classrooms/${srv.classrooms.qingshan}/device`, { method: 'DELETE', headers: { origin: 'https://evil.example' } });
    expect(del.status).toBe(403);
  });

  it('lets the own origin, the configured origins and non-browser clients through', async () => {
    for (const headers of <Record<string, string>[]>[{ origin: own() }, { referer: `${own()}/login` }, { origin: 'https://school.example' }, { origin: 'https://other.example:8443' }, {}]) {
      const res = await postJson('/api/auth/login', login, headers);
      expect(res.status).toBe(401); // reached the login: wrong password
    }
    // Reading is not state-changing: a cross-origin GET is answered (CORS keeps its body from the other page).
    expect((await fetch(srv.url + '/healthz', { headers: { origin: 'https://evil.example' } })).status).toBe(200);
  });

  it('refuses a cross-origin Socket.IO handshake on /socket.io and /plans.io', async () => {
    const cookie = await srv.cookieFor('teacher-wang');
    for (const path of ['/socket.io', PLAN_SOCKET_PATH] as const) {
      const evil = await handshake(path, { cookie, origin: 'https://evil.example' });
      expect(evil.result).not.toBe('connected');
      const ok = await handshake(path, { cookie, origin: own() });
      expect(ok.result).toBe('connected');
      ok.socket.close();
      const listed = await handshake(path, { cookie, origin: 'https://school.example' });
      expect(listed.result).toBe('connected');
      listed.socket.close();
    }
  });
});

describe('/metrics', () => {
  it('answers loopback and a Bearer token, nobody else', async () => {
    // Relayed by a proxy on this machine for a client elsewhere (trust proxy = loopback).
    const remote = { 'x-forwarded-for': '203.0.113.9' };
    const refused = await fetch(srv.url + '/metrics', { headers: remote });
    expect(refused.status).toBe(401);
    expect((await refused.json()).error.code).toBe('UNAUTHENTICATED');
    const wrong = await fetch(srv.url + '/metrics', { headers: { ...remote, authorization: 'Bearer not-the-token' } });
    expect(wrong.status).toBe(403);
    const withToken = await fetch(srv.url + '/metrics', { headers: { ...remote, authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toMatch(/^# HELP/m);
    expect((await fetch(srv.url + '/metrics')).status).toBe(200); // loopback itself
  });
});

describe('session cookies', () => {
  it('are Secure behind an HTTPS proxy without configuration, and not over plain http', async () => {
    const good = { username: 'teacher-wang', password: 'demo-pass-123' };
    const viaHttps = await postJson('/api/auth/login', good, { 'x-forwarded-proto': 'https' });
    expect(viaHttps.status).toBe(200);
    expect(viaHttps.headers.getSetCookie().join('\n')).toMatch(/tongbu_session=[^;]+;.*; Secure/i);
    const plain = await postJson('/api/auth/login', good);
    expect(plain.status).toBe(200);
    expect(plain.headers.getSetCookie().join('\n')).not.toMatch(/Secure/i);
  });
});

describe('classroom devices', () => {
  const adminCookie = async (username: string) => {
    const res = await postJson('/api/auth/login', { username, password: 'demo-pass-123' });
    expect(res.status).toBe(200);
    return res.headers.getSetCookie().find((c) => c.startsWith('tongbu_session='))!.split(';')[0];
  };
  const me = async (cookie: string) => (await fetch(srv.url + '/api/me', { headers: { cookie } })).status;
  const revoke = (classroomId: string, cookie: string) =>
    fetch(`${srv.url}/api/classrooms/${classroomId}/device`, { method: 'DELETE', headers: { cookie, origin: own() } });

  it("lists a school's devices to its admin only, and revoking ends the sessions and drops the live sockets at once", async () => {
    const room = srv.classrooms.qingshan;
    const device = await srv.deviceCookie(room);
    expect(await me(device)).toBe(200);
    const live = await srv.connect(device, 'projector');
    const plan = await handshake(PLAN_SOCKET_PATH, { cookie: device });
    expect(plan.result).toBe('connected');

    const qingshan = await adminCookie('qingshan-admin');
    const listed = await (await fetch(srv.url + '/api/devices', { headers: { cookie: qingshan } })).json();
    expect(listed.devices.map((d: { classroomName: string }) => d.classroomName)).toEqual(['四年级']);
    expect(listed.devices[0]).toMatchObject({ classroomId: room, sessions: 1 });
    const last = Date.parse(listed.devices[0].lastUsedAt);
    expect(Math.abs(last - Date.now())).toBeLessThan(60 * 60 * 1000 + 60_000);

    // Another school's admin, another community's admin, a teacher, the device itself: refused.
    expect((await revoke(room, await adminCookie('shiqiao-admin'))).status).toBe(403);
    await createUser(srv.db, { username: 'far-admin-2', displayName: '远山主任', role: 'community_admin', communityId: (await srv.db.query<{ id: string }>(`insert into communities (id, name) values ('far-c', '远山') returning id`))[0].id, password: 'demo-pass-123' });
    expect((await revoke(room, await adminCookie('far-admin-2'))).status).toBe(404);
    expect((await revoke(room, await adminCookie('teacher-wang'))).status).toBe(403);
    expect((await revoke(room, device)).status).toBe(403);
    expect((await fetch(srv.url + '/api/devices', { headers: { cookie: device } })).status).toBe(403);
    expect(await me(device)).toBe(200);
    expect(live.socket.connected).toBe(true);

    const liveDropped = new Promise<string>((resolve) => live.socket.once('disconnect', (reason) => resolve(reason)));
    const planDropped = new Promise<string>((resolve) => plan.socket.once('disconnect', (reason) => resolve(reason)));
    const res = await revoke(room, qingshan);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sessions: 1, codes: 0, sockets: 2 });
    expect(await liveDropped).toBe('io server disconnect');
    expect(await planDropped).toBe('io server disconnect');
    expect(await me(device)).toBe(401);
    expect((await srv.refused(device)).message).toBe('UNAUTHENTICATED');
    const after = await (await fetch(srv.url + '/api/devices', { headers: { cookie: qingshan } })).json();
    expect(after.devices[0]).toMatchObject({ sessions: 0, lastUsedAt: null });
  });

  it('voids the unredeemed codes of a revoked classroom', async () => {
    const room = srv.classrooms.shiqiao;
    const admin = await adminCookie('shiqiao-admin');
    const issued = await fetch(`${srv.url}/api/classrooms/${room}/device-code`, { method: 'POST', headers: { cookie: admin, origin: own() } });
    const { code } = await issued.json();
    const res = await revoke(room, admin);
    expect((await res.json()).codes).toBeGreaterThanOrEqual(1);
    expect((await postJson('/api/auth/device', { code })).status).toBe(401);
  });

  it('renews a device session on use (sliding 30 days) and ends one left unused', async () => {
    const device = await srv.deviceCookie(srv.classrooms.host);
    const idHash = hashToken(device.slice('tongbu_session='.length));
    const expiry = async () => Date.parse(String((await srv.db.query<{ e: unknown }>('select expires_at as e from sessions where id_hash = $1', [idHash]))[0].e));
    const days = (t: number) => (t - Date.now()) / 86_400_000;
    expect(days(await expiry())).toBeGreaterThan(29.9);
    expect(days(await expiry())).toBeLessThanOrEqual(30);

    // Last used 20 days ago: 10 days left. Using it (HTTP, then a socket handshake) renews it.
    await srv.db.query(`update sessions set expires_at = now() + interval '10 days' where id_hash = $1`, [idHash]);
    expect(await me(device)).toBe(200);
    expect(days(await expiry())).toBeGreaterThan(29.9);
    await srv.db.query(`update sessions set expires_at = now() + interval '10 days' where id_hash = $1`, [idHash]);
    const socket = await srv.connect(device, 'host projector');
    socket.close();
    expect(days(await expiry())).toBeGreaterThan(29.9);

    // Unused for 30 days: gone, and using it does not bring it back.
    await srv.db.query(`update sessions set expires_at = now() - interval '1 second' where id_hash = $1`, [idHash]);
    expect(await me(device)).toBe(401);
    expect(await expiry()).toBeLessThan(Date.now());
  });
});
