// The 教共体 workspace's role × organisation matrix (issue 12): who reaches which community,
// pairing and school, through the real API on the real database. Another bureau with its own
// community stands beside the demo's, so "not yours" is tested across bureaus and communities.
// Also: a bureau reviewer, who belongs to no community, gets a typed refusal or an empty list
// from every community feature, never another community's data and never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, login, otherCommunity, seededDb, sessionCookie, startApi, post, type Demo, type Server } from './api.helpers.js';
import { createUser } from '../../server/community/repo.js';
import { createBureau, setCommunityOrg } from '../../server/workspace/orgRepo.js';
import { issueDeviceCode } from '../../server/auth/deviceCodes.js';
import type { OrgResponse } from '../../server/contract/workspace/org.js';

let demo: Demo;
let api: Server;
let far: Awaited<ReturnType<typeof otherCommunity>>;
const cookies = new Map<string, string>();
let demoCommunityId: string;
let qingshanPairing: string;
let shiqiaoPairing: string;

function send(method: string, path: string, who: string, body?: unknown): Promise<Response> {
  return fetch(api.url + path, {
    method,
    headers: { 'content-type': 'application/json', cookie: cookies.get(who) ?? '' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function status(method: string, path: string, who: string, body?: unknown): Promise<number> {
  const res = await send(method, path, who, body);
  const text = await res.text();
  // Every refusal is typed; nothing in this matrix is the server's fault.
  if (res.status >= 400) expect(JSON.parse(text).error.code, `${who} ${method} ${path}: ${text}`).toMatch(/^[A-Z_]+$/);
  expect(res.status, `${who} ${method} ${path}: ${text}`).toBeLessThan(500);
  return res.status;
}

beforeAll(async () => {
  demo = await seededDb();
  far = await otherCommunity(demo.db);
  const farBureau = await createBureau(demo.db, { name: '远山县教育局', region: '远山县' });
  await setCommunityOrg(demo.db, far.community.id, { bureauId: farBureau.id, kind: 'fusion', scope: 'city' });
  await createUser(demo.db, { username: 'far-reviewer', displayName: '远山审核员', role: 'bureau_reviewer', bureauId: farBureau.id, password: DEMO_PASSWORD });
  api = await startApi({ db: demo.db, config: { secureCookies: false } });
  for (const who of ['admin', 'city-admin', 'qingshan-admin', 'shiqiao-admin', 'teacher-wang', 'teacher-li', 'researcher-zhao', 'bureau-li', 'far-admin', 'far-teacher', 'far-reviewer']) {
    cookies.set(who, await login(api.url, who));
  }
  const admin = await demo.user('admin');
  const { code } = await issueDeviceCode(demo.db, { classroomId: await demo.classroomId('四年级'), issuedBy: admin.id });
  cookies.set('projector', sessionCookie(await post(api.url, '/api/auth/device', { code })));
  const rows = await demo.db.query<{ id: string; community_id: string; name: string }>(
    `select p.id, p.community_id, s.name from pairings p join schools s on s.id = p.rural_school_id`,
  );
  qingshanPairing = rows.find((r) => r.name === '青山村小学')!.id;
  shiqiaoPairing = rows.find((r) => r.name === '石桥乡中心小学')!.id;
  demoCommunityId = rows.find((r) => r.name === '青山村小学')!.community_id;
});
afterAll(async () => {
  await api?.close();
  await demo?.db.close();
});

async function org(who: string): Promise<OrgResponse> {
  const res = await send('GET', '/api/workspace/org', who);
  expect(res.status).toBe(200);
  return (await res.json()) as OrgResponse;
}

describe('what each role reaches (GET /api/workspace/org)', () => {
  it('a bureau reviewer: every community of their bureau and no other, with the bureau', async () => {
    const seen = await org('bureau-li');
    expect(seen.bureau?.name).toBe('滨江区教育局');
    expect(seen.communities.map((c) => c.name)).toEqual(['滨江教共体']);
    const c = seen.communities[0];
    expect([c.kind, c.scope]).toEqual(['cobuild', 'county']);
    expect(c.pairings).toHaveLength(2);
    for (const p of c.pairings) {
      expect(p.rounds.map((r) => [r.round, r.yearThemes])).toEqual([[1, ['教师互访年', '学生互访年', '持续发展年']]]);
      expect(p.leaders.map((l) => l.displayName)).toContain('刘校长');
    }
    const other = await org('far-reviewer');
    expect(other.communities.map((x) => [x.name, x.kind, x.scope])).toEqual([['远山教共体', 'fusion', 'city']]);
  });

  it('a community admin or researcher: their community; a school: only its own pairings', async () => {
    for (const who of ['admin', 'researcher-zhao']) {
      const seen = await org(who);
      expect(seen.bureau).toBeNull();
      expect(seen.communities.map((c) => c.pairings.length)).toEqual([2]);
    }
    for (const who of ['qingshan-admin', 'teacher-li']) {
      const seen = await org(who);
      expect(seen.communities[0].pairings.map((p) => p.ruralSchool.name)).toEqual(['青山村小学']);
      // The leaders' duties are the pairing's own.
      expect(seen.communities[0].pairings[0].leaders.map((l) => l.displayName).sort()).toEqual(['刘校长', '陈校长'].sort());
    }
    expect((await org('teacher-wang')).communities[0].pairings).toHaveLength(2);
    expect((await org('far-admin')).communities.map((c) => c.name)).toEqual(['远山教共体']);
  });

  it('a projector device has no workspace', async () => {
    expect(await status('GET', '/api/workspace/org', 'projector')).toBe(403);
  });
});

describe('who changes the structure', () => {
  it('community type and scope: the community admin only', async () => {
    const path = `/api/workspace/communities/${demoCommunityId}`;
    expect(await status('PATCH', path, 'city-admin', { scope: 'city' })).toBe(403);
    expect(await status('PATCH', path, 'researcher-zhao', { scope: 'city' })).toBe(403);
    expect(await status('PATCH', path, 'bureau-li', { scope: 'city' })).toBe(403);
    expect(await status('PATCH', path, 'far-admin', { scope: 'city' })).toBe(404);
    expect(await status('PATCH', path, 'far-reviewer', { scope: 'city' })).toBe(404);
    expect(await status('PATCH', path, 'admin', { scope: 'planet' })).toBe(400);
    expect(await status('PATCH', path, 'admin', { scope: 'city', extra: 1 })).toBe(400);
    expect(await status('PATCH', path, 'admin', { kind: 'fusion', scope: 'city' })).toBe(200);
    expect((await org('bureau-li')).communities.map((c) => [c.kind, c.scope])).toEqual([['fusion', 'city']]);
    expect(await status('PATCH', path, 'admin', { kind: 'cobuild', scope: 'county' })).toBe(200);
  });

  it('pairing rounds: the community admin; dates ordered; a round number once', async () => {
    const path = `/api/workspace/pairings/${qingshanPairing}/rounds`;
    const round = { round: 2, startsOn: '2028-09-01', endsOn: '2031-08-31', yearThemes: ['深化年'] };
    expect(await status('POST', path, 'qingshan-admin', round)).toBe(403);
    expect(await status('POST', path, 'bureau-li', round)).toBe(403);
    expect(await status('POST', path, 'far-admin', round)).toBe(404);
    expect(await status('POST', path, 'admin', { ...round, endsOn: '2028-08-31' })).toBe(400);
    expect(await status('POST', path, 'admin', round)).toBe(201);
    expect(await status('POST', path, 'admin', round)).toBe(409);
    const seen = await org('qingshan-admin');
    expect(seen.communities[0].pairings[0].rounds.map((r) => [r.round, r.startsOn, r.endsOn])).toEqual([
      [1, expect.stringMatching(/-09-01$/), expect.stringMatching(/-08-31$/)],
      [2, '2028-09-01', '2031-08-31'],
    ]);
  });

  it("pairing leaders: staff of the pairing's two schools, set by the community admin", async () => {
    const wang = await demo.user('teacher-wang');
    const zhou = await demo.user('shiqiao-admin');
    const path = (pairing: string, userId: string) => `/api/workspace/pairings/${pairing}/leaders/${userId}`;
    expect(await status('PUT', path(qingshanPairing, wang.id), 'city-admin', { duty: '同步课堂主讲' })).toBe(403);
    expect(await status('PUT', path(qingshanPairing, wang.id), 'admin', { duty: '' })).toBe(400);
    // 周校长 is at 石桥, not a school of the 青山 pairing.
    expect(await status('PUT', path(qingshanPairing, zhou.id), 'admin', { duty: '协调' })).toBe(400);
    expect(await status('PUT', path(qingshanPairing, wang.id), 'admin', { duty: '同步课堂主讲' })).toBe(200);
    // A school outside the pairing is refused before anything else is looked at.
    expect(await status('PUT', path(qingshanPairing, wang.id), 'shiqiao-admin', { duty: 'x' })).toBe(403);
    expect(await status('DELETE', path(shiqiaoPairing, zhou.id), 'teacher-li', undefined)).toBe(403);
    const leaders = (await org('teacher-li')).communities[0].pairings[0].leaders;
    expect(leaders.find((l) => l.userId === wang.id)?.duty).toBe('同步课堂主讲');
    expect(await status('DELETE', path(qingshanPairing, wang.id), 'admin')).toBe(200);
    expect((await org('teacher-li')).communities[0].pairings[0].leaders.some((l) => l.userId === wang.id)).toBe(false);
  });
});

describe('a bureau reviewer on the community features', () => {
  it('is refused or shown nothing, typed, never another community’s data', async () => {
    expect(await status('GET', '/api/community', 'bureau-li')).toBe(403);
    expect(await status('GET', '/api/research/people', 'bureau-li')).toBe(403);
    expect(await status('POST', '/api/research/groups', 'bureau-li', { name: 'x', subject: '数学', memberIds: [] })).toBe(403);
    expect(await status('GET', `/api/timetable/schools/${await demo.schoolId('青山村小学')}`, 'bureau-li')).toBe(404);
    expect(await status('GET', `/api/timetable/pairings/${qingshanPairing}/week`, 'bureau-li')).toBe(404);
    expect(await status('GET', `/api/lessons/${demo.accounts.lessonId}`, 'bureau-li')).toBe(404);
    for (const path of ['/api/lessons']) {
      const res = await send('GET', path, 'bureau-li');
      const body = await res.json();
      expect([res.status, Object.values(body).flat()], `${path}: ${JSON.stringify(body)}`).toEqual([200, []]);
    }
    const devices = await status('GET', '/api/devices', 'bureau-li');
    expect(devices).toBe(403);
    expect(await status('POST', `/api/classrooms/${await demo.classroomId('四年级')}/device-code`, 'bureau-li')).toBe(404);
  });

  it('a reviewer account is one of a bureau, never of a community too (database constraint)', async () => {
    const bureau = (await demo.db.query<{ id: string }>('select id from bureaus limit 1'))[0].id;
    const community = (await demo.db.query<{ id: string }>('select id from communities limit 1'))[0].id;
    await expect(
      demo.db.query(`insert into users (id, community_id, bureau_id, username, display_name, role) values ('x1', $1, $2, 'x1', 'x', 'bureau_reviewer')`, [community, bureau]),
    ).rejects.toThrow();
    await expect(
      demo.db.query(`insert into users (id, bureau_id, username, display_name, role) values ('x2', $1, 'x2', 'x', 'teacher')`, [bureau]),
    ).rejects.toThrow();
    await expect(createUser(demo.db, { username: 'x3', displayName: 'x', role: 'bureau_reviewer', bureauId: bureau, communityId: community })).rejects.toThrow(/no community/);
    await expect(createUser(demo.db, { username: 'x4', displayName: 'x', role: 'bureau_reviewer' })).rejects.toThrow(/needs a bureau/);
  });
});
