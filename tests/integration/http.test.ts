import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, login, post, seededDb, startApi, type Demo, type Server } from './api.helpers.js';

let demo: Demo;
let api: Server;
beforeAll(async () => {
  demo = await seededDb();
  api = await startApi({ db: demo.db, config: { secureCookies: false } });
});
afterAll(async () => {
  await api.close();
  await demo.db.close();
});

const raw = (path: string, body: string, contentType = 'application/json', cookie?: string) =>
  fetch(api.url + path, { method: 'POST', headers: { 'content-type': contentType, ...(cookie ? { cookie } : {}) }, body });

async function expectError(res: Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/application\/json/);
  const body = await res.json();
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/); // no stack trace
}

describe('the API edge', () => {
  it('answers 400 BAD_REQUEST for bad login and device bodies, never 500', async () => {
    for (const body of [
      {},
      { username: '' },
      { username: 'admin' },
      { username: 'admin', password: '' },
      { username: 'a'.repeat(65), password: 'x' },
      { username: 1, password: 2 },
      { username: ['admin'], password: 'x' },
      null,
      [],
    ]) {
      await expectError(await post(api.url, '/api/auth/login', body), 400, 'BAD_REQUEST');
    }
    for (const body of [{}, { code: 42 }, { code: 'ABCD-23456' }, { code: '' }]) {
      await expectError(await post(api.url, '/api/auth/device', body), 400, 'BAD_REQUEST');
    }
  });

  it('answers 400 for malformed JSON and for a body that is not JSON', async () => {
    await expectError(await raw('/api/auth/login', '{"username": "admin",'), 400, 'BAD_REQUEST');
    await expectError(await raw('/api/auth/login', '"just a string"'), 400, 'BAD_REQUEST');
    await expectError(await raw('/api/auth/login', 'username=admin&password=x', 'application/x-www-form-urlencoded'), 400, 'BAD_REQUEST');
    await expectError(await raw('/api/auth/login', 'hello', 'text/plain'), 400, 'BAD_REQUEST');
  });

  it('answers 413 TOO_LARGE beyond 64 kB', async () => {
    const big = JSON.stringify({ username: 'admin', password: 'x'.repeat(70 * 1024) });
    await expectError(await raw('/api/auth/login', big), 413, 'TOO_LARGE');
  });

  it('answers 404 JSON for unknown API routes and 401 for protected ones without a session', async () => {
    await expectError(await get(api.url, '/api/nothing-here'), 404, 'NOT_FOUND');
    await expectError(await post(api.url, '/api/me', {}), 404, 'NOT_FOUND');
    for (const path of ['/api/me', '/api/community', '/api/lessons', '/api/lessons/x']) {
      await expectError(await get(api.url, path), 401, 'UNAUTHENTICATED');
    }
  });

  it('leaves non-API paths to the app', async () => {
    const res = await get(api.url, '/some/client/route');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type') ?? '').not.toMatch(/application\/json/);
  });

  it('marks API answers no-store', async () => {
    const res = await get(api.url, '/api/me', await login(api.url, 'admin'));
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('overlong ids are 400, not a database error', async () => {
    const cookie = await login(api.url, 'admin');
    await expectError(await get(api.url, `/api/lessons/${'x'.repeat(65)}`, cookie), 400, 'BAD_REQUEST');
    await expectError(await post(api.url, `/api/classrooms/${'x'.repeat(65)}/device-code`, undefined, cookie), 400, 'BAD_REQUEST');
  });
});
