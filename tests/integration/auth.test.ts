import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createSession, destroySession, userFromCookieHeader, userFromToken } from '../../server/auth/sessions.js';
import { issueDeviceCode, redeemDeviceCode } from '../../server/auth/deviceCodes.js';
import { AppError } from '../../server/contract/errors.js';
import { DEMO_PASSWORD, get, login, otherCommunity, post, seededDb, sessionCookie, startApi, type Demo, type Server } from './api.helpers.js';

let demo: Demo;
let api: Server;
let secureApi: Server;

beforeAll(async () => {
  demo = await seededDb();
  api = await startApi({ db: demo.db, config: { secureCookies: false } });
  secureApi = await startApi({ db: demo.db, config: { secureCookies: true } });
});
afterAll(async () => {
  await api.close();
  await secureApi.close();
  await demo.db.close();
});

describe('password login', () => {
  it('signs in, sets an HttpOnly SameSite=Lax session cookie, and /api/me answers the user', async () => {
    const res = await post(api.url, '/api/auth/login', { username: 'teacher-wang', password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.user).toMatchObject({ username: 'teacher-wang', displayName: '王老师', role: 'teacher', classroomId: null });
    expect(body.user).not.toHaveProperty('passwordHash');
    const set = res.headers.getSetCookie().find((c) => c.startsWith('tongbu_session='))!;
    expect(set).toMatch(/HttpOnly/i);
    expect(set).toMatch(/SameSite=Lax/i);
    expect(set).toMatch(/Path=\//);
    expect(set).not.toMatch(/Secure/i);
    expect(set).toMatch(/Max-Age=43200/); // 12 h

    const me = await get(api.url, '/api/me', sessionCookie(res));
    expect(me.status).toBe(200);
    expect((await me.json()).user.username).toBe('teacher-wang');
  });

  it('marks the cookie Secure when configured', async () => {
    const res = await post(secureApi.url, '/api/auth/login', { username: 'city-admin', password: DEMO_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().join('\n')).toMatch(/; Secure/i);
  });

  it('refuses a wrong password or unknown user with the same 401', async () => {
    for (const body of [
      { username: 'teacher-li', password: 'wrong-password' },
      { username: 'nobody-here', password: DEMO_PASSWORD },
    ]) {
      const res = await post(api.url, '/api/auth/login', body);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: { code: 'UNAUTHENTICATED', message: 'wrong username or password' } });
      expect(res.headers.getSetCookie()).toEqual([]);
    }
  });

  it('rate limits to 10 attempts per username and address, then 429 even with the right password', async () => {
    // Its own server: the exhausted limiter must not lock other tests out.
    const api = await startApi({ db: demo.db, config: { secureCookies: false } });
    onTestFinished(() => api.close());
    for (let i = 0; i < 10; i++) {
      const res = await post(api.url, '/api/auth/login', { username: 'shiqiao-admin', password: `guess-${i}` });
      expect(res.status).toBe(401);
    }
    const res = await post(api.url, '/api/auth/login', { username: 'shiqiao-admin', password: DEMO_PASSWORD });
    expect(res.status).toBe(429);
    expect((await res.json()).error.code).toBe('RATE_LIMITED');
    expect(res.headers.get('retry-after')).toBeTruthy();
    // Someone else is not locked out by it.
    expect((await post(api.url, '/api/auth/login', { username: 'qingshan-admin', password: DEMO_PASSWORD })).status).toBe(200);
  });

  it('logout ends the session and clears the cookie', async () => {
    const cookie = await login(api.url, 'researcher-zhao');
    const out = await post(api.url, '/api/auth/logout', undefined, cookie);
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ ok: true });
    expect(out.headers.getSetCookie().join('\n')).toMatch(/tongbu_session=;/);
    expect((await get(api.url, '/api/me', cookie)).status).toBe(401);
  });

  it('/api/me without or with a forged cookie is 401', async () => {
    const none = await get(api.url, '/api/me');
    expect(none.status).toBe(401);
    expect((await none.json()).error.code).toBe('UNAUTHENTICATED');
    expect((await get(api.url, '/api/me', 'tongbu_session=forged')).status).toBe(401);
    expect((await get(api.url, '/api/me', 'tongbu_session=' + 'x'.repeat(5000))).status).toBe(401);
  });
});

describe('sessions', () => {
  it('store only a hash of the token and expire', async () => {
    const wang = await demo.user('teacher-wang');
    const token = await createSession(demo.db, wang.id, 60_000);
    const stored = await demo.db.query<{ id_hash: string }>('select id_hash from sessions');
    expect(stored.some((r) => r.id_hash === token)).toBe(false);
    expect((await userFromToken(demo.db, token))?.id).toBe(wang.id);
    expect((await userFromCookieHeader(demo.db, `a=b; tongbu_session=${token}`))?.id).toBe(wang.id);
    expect(await userFromCookieHeader(demo.db, undefined)).toBeNull();

    const expired = await createSession(demo.db, wang.id, -1000);
    expect(await userFromToken(demo.db, expired)).toBeNull();

    await destroySession(demo.db, token);
    expect(await userFromToken(demo.db, token)).toBeNull();
  });
});

describe('classroom devices', () => {
  it('school admin issues a code, the projector PC redeems it once and is that classroom (sliding 30-day session, long-lived cookie)', async () => {
    const roomId = await demo.classroomId('四年级');
    const adminCookie = await login(api.url, 'qingshan-admin');
    const issued = await post(api.url, `/api/classrooms/${roomId}/device-code`, undefined, adminCookie);
    expect(issued.status).toBe(201);
    const { code, expiresAt } = await issued.json();
    expect(code).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    const days = (Date.parse(expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    const dev = await post(api.url, '/api/auth/device', { code: code.toLowerCase() });
    expect(dev.status).toBe(200);
    const set = dev.headers.getSetCookie().find((c) => c.startsWith('tongbu_session='))!;
    expect(set).toMatch(/Max-Age=34560000/); // 400 days, browsers' cap: the server's sliding expiry decides
    expect(set).toMatch(/HttpOnly/i);
    const me = await (await get(api.url, '/api/me', sessionCookie(dev))).json();
    expect(me.user).toMatchObject({
      role: 'classroom',
      classroomId: roomId,
      username: `device-${roomId}`,
      schoolId: await demo.schoolId('青山村小学'),
      displayName: '青山村小学 四年级',
    });

    const again = await post(api.url, '/api/auth/device', { code });
    expect(again.status).toBe(401);
    expect((await again.json()).error.code).toBe('UNAUTHENTICATED');
  });

  it('a second code for the same classroom signs in as the same device user', async () => {
    const roomId = await demo.classroomId('四年级(2)班');
    const admin = await demo.user('admin');
    const a = await issueDeviceCode(demo.db, { classroomId: roomId, issuedBy: admin.id });
    const b = await issueDeviceCode(demo.db, { classroomId: roomId, issuedBy: admin.id });
    const [ua, ub] = [await redeemDeviceCode(demo.db, a.code), await redeemDeviceCode(demo.db, b.code.replace('-', ''))];
    expect(ua.id).toBe(ub.id);
    expect(ua.classroomId).toBe(roomId);
  });

  it('the seeded device codes work', async () => {
    for (const d of demo.accounts.deviceCodes) {
      const res = await post(api.url, '/api/auth/device', { code: d.code });
      expect(res.status).toBe(200);
      expect((await res.json()).user.displayName).toBe(`${d.school} ${d.classroom}`);
    }
  });

  it('an expired or unknown code is refused', async () => {
    const roomId = await demo.classroomId('四年级');
    const admin = await demo.user('admin');
    const { code } = await issueDeviceCode(demo.db, { classroomId: roomId, issuedBy: admin.id });
    await demo.db.query(`update device_codes set expires_at = now() - interval '1 second' where used_at is null`);
    await expect(redeemDeviceCode(demo.db, code)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(redeemDeviceCode(demo.db, 'AAAA-2222')).rejects.toBeInstanceOf(AppError);
    expect((await post(api.url, '/api/auth/device', { code: 'ZZZZ-9999' })).status).toBe(401);
    expect((await post(api.url, '/api/auth/device', { code: 'not a code' })).status).toBe(400);
  });

  it('only the school admin of that school or the community admin may issue codes', async () => {
    const qingshanRoom = await demo.classroomId('四年级');
    for (const who of ['shiqiao-admin', 'city-admin', 'teacher-wang', 'teacher-li', 'researcher-zhao']) {
      const res = await post(api.url, `/api/classrooms/${qingshanRoom}/device-code`, undefined, await login(api.url, who));
      expect(res.status, who).toBe(403);
      expect((await res.json()).error.code).toBe('FORBIDDEN');
    }
    const byCommunityAdmin = await post(api.url, `/api/classrooms/${qingshanRoom}/device-code`, undefined, await login(api.url, 'admin'));
    expect(byCommunityAdmin.status).toBe(201);
    expect((await post(api.url, `/api/classrooms/${qingshanRoom}/device-code`)).status).toBe(401);
    expect((await post(api.url, '/api/classrooms/no-such-room/device-code', undefined, await login(api.url, 'admin'))).status).toBe(404);
  });

  it("another community's admin gets 404 for our classroom", async () => {
    const far = await otherCommunity(demo.db);
    const res = await post(api.url, `/api/classrooms/${await demo.classroomId('四年级')}/device-code`, undefined, await login(api.url, far.admin.username));
    expect(res.status).toBe(404);
  });

  it('a device cannot sign in by password', async () => {
    const res = await post(api.url, '/api/auth/login', { username: `device-${await demo.classroomId('四年级')}`, password: 'x' });
    expect(res.status).toBe(401);
  });
});
