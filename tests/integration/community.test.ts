import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../server/community/seed.js';
import { createPairing, createUser, getClassroom, getCommunityView, getSchool } from '../../server/community/repo.js';
import type { CommunityView } from '../../server/contract/api.js';
import { DEMO_PASSWORD, get, login, otherCommunity, seededDb, startApi, type Demo, type Server } from './api.helpers.js';

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

describe('seedDemo', () => {
  it('returns the demo accounts the first time', () => {
    const { accounts } = demo;
    expect(accounts.password).toBe(DEMO_PASSWORD);
    expect(accounts.users.map((u) => u.username).sort()).toEqual(
      ['admin', 'bureau-li', 'city-admin', 'qingshan-admin', 'researcher-qian', 'researcher-zhao', 'shiqiao-admin', 'teacher-li', 'teacher-wang'].sort(),
    );
    expect(accounts.users).toContainEqual({ username: 'admin', displayName: '张主任', role: 'community_admin' });
    expect(accounts.users).toContainEqual({ username: 'teacher-wang', displayName: '王老师', role: 'teacher' });
    expect(accounts.users).toContainEqual({ username: 'teacher-li', displayName: '李老师', role: 'teacher' });
    expect(accounts.users).toContainEqual({ username: 'researcher-zhao', displayName: '赵老师', role: 'researcher' });
    expect(accounts.users).toContainEqual({ username: 'researcher-qian', displayName: '钱老师', role: 'researcher' });
    expect(accounts.users).toContainEqual({ username: 'bureau-li', displayName: '李科长', role: 'bureau_reviewer' });
    expect(accounts.deviceCodes.map((d) => [d.school, d.classroom]).sort()).toEqual([
      ['石桥乡中心小学', '四年级(2)班'],
      ['青山村小学', '四年级'],
    ].sort());
    for (const d of accounts.deviceCodes) expect(d.code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}$/);
  });

  it('is idempotent', async () => {
    const counts = async () => (await demo.db.query<{ n: number }>('select (select count(*) from users)::int + (select count(*) from lessons)::int as n'))[0].n;
    const before = await counts();
    expect(await seedDemo(demo.db, { password: 'another-password' })).toBeNull();
    expect(await counts()).toBe(before);
    // The original password still works: nothing was overwritten.
    expect(await login(api.url, 'admin')).toMatch(/^tongbu_session=/);
  });

  it('builds the pairings and schools as described', async () => {
    const wang = await demo.user('teacher-wang');
    const view = await getCommunityView(demo.db, (await demo.db.query<{ community_id: string }>('select community_id from users where id = $1', [wang.id]))[0].community_id);
    expect(view.community.name).toBe('滨江教共体');
    const byName = Object.fromEntries(view.schools.map((s) => [s.name, s]));
    expect(byName['滨江实验小学'].kind).toBe('city');
    expect(byName['青山村小学'].kind).toBe('rural');
    expect(byName['石桥乡中心小学'].kind).toBe('rural');
    expect(view.community.coreSchoolId).toBe(byName['滨江实验小学'].id);
    expect(view.pairings.map((p) => [p.citySchoolId, p.ruralSchoolId]).sort()).toEqual(
      [
        [byName['滨江实验小学'].id, byName['青山村小学'].id],
        [byName['滨江实验小学'].id, byName['石桥乡中心小学'].id],
      ].sort(),
    );
    expect(view.classrooms.find((c) => c.name === '四年级(1)班')).toMatchObject({ schoolId: byName['滨江实验小学'].id, grade: 4 });
    expect(view.teachers.map((t) => t.displayName).sort()).toEqual(['李老师', '王老师'].sort());
    expect(wang.schoolId).toBe(byName['滨江实验小学'].id);
    expect((await demo.user('researcher-zhao')).schoolId).toBe(byName['滨江实验小学'].id);
    expect((await demo.user('researcher-qian')).schoolId).toBe(byName['石桥乡中心小学'].id);
  });
});

describe('GET /api/community', () => {
  it("answers the user's own community only", async () => {
    const far = await otherCommunity(demo.db);
    const ours: CommunityView = await (await get(api.url, '/api/community', await login(api.url, 'teacher-li'))).json();
    expect(ours.community.name).toBe('滨江教共体');
    expect(ours.schools.some((s) => s.name === '远山实验小学')).toBe(false);
    expect(ours.classrooms.some((c) => c.id === far.ruralRoom.id)).toBe(false);
    const theirs: CommunityView = await (await get(api.url, '/api/community', await login(api.url, far.teacher.username))).json();
    expect(theirs.community.id).toBe(far.community.id);
    expect(theirs.schools.map((s) => s.name).sort()).toEqual(['远山实验小学', '远山村小'].sort());
    expect((await get(api.url, '/api/community')).status).toBe(401);
  });
});

describe('community repo rules', () => {
  it('pairs only a city school with a rural school of the same community', async () => {
    const city = (await demo.schoolId('滨江实验小学'));
    const rural = (await demo.schoolId('青山村小学'));
    await expect(createPairing(demo.db, { citySchoolId: rural, ruralSchoolId: city })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const far = await demo.db.query<{ id: string }>("select id from schools where name = '远山村小'");
    await expect(createPairing(demo.db, { citySchoolId: city, ruralSchoolId: far[0].id })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('createUser hashes the password and checks school/classroom membership', async () => {
    const school = await demo.schoolId('青山村小学');
    const u = await createUser(demo.db, { username: 'teacher-he', displayName: '何老师', role: 'teacher', schoolId: school, password: 'secret-pw' });
    const stored = await demo.db.query<{ password_hash: string }>('select password_hash from users where id = $1', [u.id]);
    expect(stored[0].password_hash).toMatch(/^scrypt\$/);
    expect(stored[0].password_hash).not.toContain('secret-pw');
    await expect(createUser(demo.db, { username: 'x1', displayName: 'x', role: 'teacher' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(createUser(demo.db, { username: 'x2', displayName: 'x', role: 'classroom' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await expect(createUser(demo.db, { username: 'x3', displayName: 'x', role: 'community_admin' })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const room = await demo.classroomId('四年级(1)班');
    await expect(createUser(demo.db, { username: 'x4', displayName: 'x', role: 'classroom', classroomId: room, schoolId: school })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await getSchool(demo.db, 'nope')).toBeNull();
    expect(await getClassroom(demo.db, 'nope')).toBeNull();
    expect((await getClassroom(demo.db, room))?.grade).toBe(4);
  });
});
