// Privacy and access (issue 10): the people directory per role; classroom devices listed and
// revoked by their school's admin; device sessions that renew on use.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { get, login, otherCommunity, post, seededDb, sessionCookie, startApi, type Demo, type Server } from './api.helpers.js';

let demo: Demo;
let api: Server;
beforeAll(async () => {
  demo = await seededDb();
  await otherCommunity(demo.db);
  api = await startApi({ db: demo.db, config: { secureCookies: false } });
});
afterAll(async () => {
  await api.close();
  await demo.db.close();
});

async function deviceCookie(classroomName: string): Promise<string> {
  const admin = await login(api.url, 'admin');
  const code = await post(api.url, `/api/classrooms/${await demo.classroomId(classroomName)}/device-code`, undefined, admin);
  expect(code.status).toBe(201);
  const res = await post(api.url, '/api/auth/device', { code: (await code.json()).code });
  expect(res.status).toBe(200);
  return sessionCookie(res);
}

const namesSeenBy = async (username: string) => {
  const res = await get(api.url, '/api/research/people', await login(api.url, username));
  expect(res.status).toBe(200);
  const { people } = (await res.json()) as { people: Record<string, unknown>[] };
  return people;
};

describe('the people directory', () => {
  it('refuses projector devices', async () => {
    const res = await get(api.url, '/api/research/people', await deviceCookie('四年级'));
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe('FORBIDDEN');
  });

  it('shows researchers and the community admin every staff account of their community, no device, no other community', async () => {
    for (const who of ['researcher-zhao', 'admin']) {
      const people = await namesSeenBy(who);
      const names = people.map((p) => p.displayName).sort();
      expect(names).toEqual(['张主任', '刘校长', '陈校长', '周校长', '王老师', '李老师', '赵老师', '钱老师'].sort());
      expect(people.every((p) => p.role !== 'classroom')).toBe(true);
    }
  });

  it("shows a teacher or school admin their own and paired schools' staff plus the researchers, never login names", async () => {
    // 青山村小学 is paired with 滨江实验小学 only: 石桥's 周校长 is not theirs to see.
    for (const who of ['teacher-li', 'qingshan-admin']) {
      const people = await namesSeenBy(who);
      expect(people.map((p) => p.displayName).sort()).toEqual(['张主任', '刘校长', '陈校长', '王老师', '李老师', '赵老师', '钱老师'].sort());
      for (const p of people) expect(Object.keys(p).sort()).toEqual(['displayName', 'id', 'role', 'schoolName']);
    }
    // The city school is paired with both villages.
    expect((await namesSeenBy('teacher-wang')).map((p) => p.displayName)).toContain('周校长');
  });
});
