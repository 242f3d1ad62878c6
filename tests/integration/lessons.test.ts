import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canCreateLesson, lessonRoleFor } from '../../server/lessons/policy.js';
import {
  createLesson,
  getLesson,
  listLessonEvents,
  listLessonsFor,
  recordLessonEvent,
  setLessonState,
} from '../../server/lessons/repo.js';
import { redeemDeviceCode, issueDeviceCode } from '../../server/auth/deviceCodes.js';
import { createClassroom, createSchool, createUser } from '../../server/community/repo.js';
import type { Lesson, PublicUser } from '../../server/contract/domain.js';
import { DEMO_PASSWORD, get, login, otherCommunity, post, seededDb, startApi, type Demo, type Server } from './api.helpers.js';

let demo: Demo;
let api: Server;
let lesson: Lesson;
let far: Awaited<ReturnType<typeof otherCommunity>>;
let ids: { cityRoom: string; qingshanRoom: string; shiqiaoRoom: string; city: string; qingshan: string; shiqiao: string };

async function deviceFor(classroomId: string): Promise<PublicUser> {
  const admin = await demo.user('admin');
  const { code } = await issueDeviceCode(demo.db, { classroomId, issuedBy: admin.id });
  return redeemDeviceCode(demo.db, code);
}

const inOneHour = () => new Date(Date.now() + 3_600_000).toISOString();

beforeAll(async () => {
  demo = await seededDb();
  api = await startApi({ db: demo.db, config: { secureCookies: false } });
  far = await otherCommunity(demo.db);
  ids = {
    cityRoom: await demo.classroomId('四年级(1)班'),
    qingshanRoom: await demo.classroomId('四年级'),
    shiqiaoRoom: await demo.classroomId('四年级(2)班'),
    city: await demo.schoolId('滨江实验小学'),
    qingshan: await demo.schoolId('青山村小学'),
    shiqiao: await demo.schoolId('石桥乡中心小学'),
  };
  lesson = (await getLesson(demo.db, demo.accounts.lessonId))!;
});
afterAll(async () => {
  await api.close();
  await demo.db.close();
});

describe('the seeded lesson', () => {
  it('is 数学「分数的初步认识」 at the next full hour, city host, both rural rooms receiving', () => {
    expect(lesson).toMatchObject({
      title: '分数的初步认识',
      subject: '数学',
      grade: 4,
      teacherName: '王老师',
      hostClassroomId: ids.cityRoom,
      durationMin: 40,
      state: 'scheduled',
      startedAt: null,
      endedAt: null,
    });
    expect(lesson.receivingClassroomIds.sort()).toEqual([ids.qingshanRoom, ids.shiqiaoRoom].sort());
    const at = new Date(lesson.scheduledAt);
    expect(at.getUTCMinutes() + at.getUTCSeconds() + at.getUTCMilliseconds()).toBe(0);
    expect(at.getTime() - Date.now()).toBeGreaterThan(0);
    expect(at.getTime() - Date.now()).toBeLessThanOrEqual(3_600_000);
  });
});

describe('lessonRoleFor', () => {
  const roleOf = async (u: PublicUser) => lessonRoleFor(demo.db, u, lesson);

  it('teacher is the lesson teacher only', async () => {
    expect(await roleOf(await demo.user('teacher-wang'))).toBe('teacher');
  });

  it('receiving classroom devices are classroom; the host classroom device is nobody', async () => {
    expect(await roleOf(await deviceFor(ids.qingshanRoom))).toBe('classroom');
    expect(await roleOf(await deviceFor(ids.shiqiaoRoom))).toBe('classroom');
    expect(await roleOf(await deviceFor(ids.cityRoom))).toBeNull();
  });

  it('a device of an unrelated classroom is nobody, even in a participating school', async () => {
    const spare = await createClassroom(demo.db, { schoolId: ids.qingshan, name: '五年级', grade: 5 });
    expect(await roleOf(await deviceFor(spare.id))).toBeNull();
    expect(await roleOf(await deviceFor(far.ruralRoom.id))).toBeNull();
  });

  it('researchers, the community admin and the admins of participating schools observe', async () => {
    for (const u of ['researcher-zhao', 'admin', 'city-admin', 'qingshan-admin', 'shiqiao-admin']) {
      expect(await roleOf(await demo.user(u)), u).toBe('observer');
    }
  });

  it('teachers of the host school or a receiving school observe; others do not', async () => {
    expect(await roleOf(await demo.user('teacher-li'))).toBe('observer');
    const cityColleague = await createUser(demo.db, { username: 'teacher-sun', displayName: '孙老师', role: 'teacher', schoolId: ids.city, password: DEMO_PASSWORD });
    expect(await roleOf(cityColleague)).toBe('observer');
    const outsider = await createSchool(demo.db, { communityId: (await demo.db.query<{ id: string }>("select id from communities where name = '滨江教共体'"))[0].id, name: '白云村小学', kind: 'rural' });
    const outsiderTeacher = await createUser(demo.db, { username: 'teacher-bai', displayName: '白老师', role: 'teacher', schoolId: outsider.id });
    const outsiderAdmin = await createUser(demo.db, { username: 'baiyun-admin', displayName: '白校长', role: 'school_admin', schoolId: outsider.id });
    expect(await roleOf(outsiderTeacher)).toBeNull();
    expect(await roleOf(outsiderAdmin)).toBeNull();
  });

  it('nobody from another community has a role, whatever theirs', async () => {
    for (const u of [far.admin, far.schoolAdmin, far.teacher, far.researcher]) {
      expect(await roleOf(u), u.username).toBeNull();
    }
  });
});

describe('canCreateLesson', () => {
  const body = (over: Partial<{ hostClassroomId: string; receivingClassroomIds: string[] }> = {}) => ({
    hostClassroomId: ids.cityRoom,
    receivingClassroomIds: [ids.qingshanRoom],
    ...over,
  });

  it('lets a teacher host in their own school for paired rural classrooms', async () => {
    await expect(canCreateLesson(demo.db, await demo.user('teacher-wang'), body({ receivingClassroomIds: [ids.qingshanRoom, ids.shiqiaoRoom] }))).resolves.toBeUndefined();
  });

  it('is for teachers only', async () => {
    for (const u of ['admin', 'city-admin', 'researcher-zhao']) {
      await expect(canCreateLesson(demo.db, await demo.user(u), body())).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'only teachers can schedule lessons' });
    }
    await expect(canCreateLesson(demo.db, await deviceFor(ids.cityRoom), body())).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it("refuses a host classroom outside the teacher's school", async () => {
    const wang = await demo.user('teacher-wang');
    for (const host of [ids.qingshanRoom, far.cityRoom.id, 'no-such-room']) {
      await expect(canCreateLesson(demo.db, wang, body({ hostClassroomId: host }))).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('host classroom'),
      });
    }
    // 李老师 is at a rural school; the city classroom is not hers.
    await expect(canCreateLesson(demo.db, await demo.user('teacher-li'), body())).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses receiving classrooms that are not in a paired rural school', async () => {
    const wang = await demo.user('teacher-wang');
    const unpaired = await createSchool(demo.db, { communityId: lesson.communityId, name: '未结对村小', kind: 'rural' });
    const unpairedRoom = await createClassroom(demo.db, { schoolId: unpaired.id, name: '未结对四年级', grade: 4 });
    const cityRoom2 = await createClassroom(demo.db, { schoolId: ids.city, name: '四年级(3)班', grade: 4 });
    for (const bad of [unpairedRoom.id, cityRoom2.id, ids.cityRoom, far.ruralRoom.id, 'no-such-room']) {
      const err = await canCreateLesson(demo.db, wang, body({ receivingClassroomIds: [ids.qingshanRoom, bad] })).catch((e) => e);
      expect(err, bad).toMatchObject({ code: 'FORBIDDEN' });
      expect(err.message).toContain('paired');
      expect(err.message).toContain(bad);
    }
  });
});

describe('createLesson and state', () => {
  it('creates, goes live once, ends once, never comes back', async () => {
    const wang = await demo.user('teacher-wang');
    const l = await createLesson(demo.db, wang, {
      title: '认识钟表',
      subject: '数学',
      grade: 4,
      hostClassroomId: ids.cityRoom,
      receivingClassroomIds: [ids.shiqiaoRoom, ids.shiqiaoRoom],
      scheduledAt: inOneHour(),
    });
    expect(l).toMatchObject({ state: 'scheduled', durationMin: 40, receivingClassroomIds: [ids.shiqiaoRoom], teacherId: wang.id });
    await expect(setLessonState(demo.db, l.id, 'ended')).rejects.toMatchObject({ code: 'CONFLICT' });
    const live = await setLessonState(demo.db, l.id, 'live');
    expect(live.state).toBe('live');
    expect(live.startedAt).not.toBeNull();
    await expect(setLessonState(demo.db, l.id, 'live')).rejects.toMatchObject({ code: 'CONFLICT' });
    const ended = await setLessonState(demo.db, l.id, 'ended');
    expect(ended).toMatchObject({ state: 'ended', startedAt: live.startedAt });
    expect(ended.endedAt).not.toBeNull();
    await expect(setLessonState(demo.db, l.id, 'live')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(setLessonState(demo.db, l.id, 'ended')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(setLessonState(demo.db, 'no-such-lesson', 'live')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('validates the body itself too', async () => {
    const wang = await demo.user('teacher-wang');
    await expect(
      createLesson(demo.db, wang, { title: '', subject: '数学', grade: 4, hostClassroomId: ids.cityRoom, receivingClassroomIds: [ids.qingshanRoom], scheduledAt: inOneHour() }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('records lesson events in order', async () => {
    const teacher = await demo.user('teacher-wang');
    await recordLessonEvent(demo.db, lesson.id, 'stage:on', teacher.id, { classroomId: ids.qingshanRoom });
    await recordLessonEvent(demo.db, lesson.id, 'hand:raise', null, { classroomId: ids.qingshanRoom });
    const events = await listLessonEvents(demo.db, lesson.id);
    expect(events.map((e) => e.type)).toEqual(['stage:on', 'hand:raise']);
    expect(events[0]).toMatchObject({ actorId: teacher.id, payload: { classroomId: ids.qingshanRoom } });
  });

  it('reads back only events of the typed log: an unknown type or a payload that no longer fits is left out', async () => {
    const other = await createLesson(demo.db, await demo.user('teacher-wang'), {
      title: '事件日志', subject: '数学', grade: 4, hostClassroomId: ids.cityRoom, receivingClassroomIds: [ids.qingshanRoom], scheduledAt: inOneHour(),
    });
    const raw = (type: string, payload: object) =>
      demo.db.query('insert into lesson_events (lesson_id, type, actor_id, payload) values ($1, $2, null, $3::jsonb)', [other.id, type, JSON.stringify(payload)]);
    await raw('stage:set', { classroomId: ids.qingshanRoom });
    await raw('hand:raise', {});
    await recordLessonEvent(demo.db, other.id, 'quiz:push', null, { quizId: 'q1' });
    const events = await listLessonEvents(demo.db, other.id);
    expect(events).toEqual([expect.objectContaining({ type: 'quiz:push', payload: { quizId: 'q1' } })]);
  });
});

describe('listLessonsFor', () => {
  it('shows exactly the lessons lessonRoleFor gives a role in', async () => {
    const users = [
      ...(await Promise.all(['admin', 'city-admin', 'qingshan-admin', 'shiqiao-admin', 'teacher-wang', 'teacher-li', 'researcher-zhao', 'teacher-bai'].map((u) => demo.user(u)))),
      await deviceFor(ids.qingshanRoom),
      await deviceFor(ids.cityRoom),
      far.admin,
      far.teacher,
    ];
    const all = await demo.db.query<{ id: string }>('select id from lessons');
    for (const u of users) {
      const visible = new Set((await listLessonsFor(demo.db, u)).map((l) => l.id));
      for (const { id } of all) {
        const l = (await getLesson(demo.db, id))!;
        expect(visible.has(id), `${u.username} / ${l.title}`).toBe((await lessonRoleFor(demo.db, u, l)) !== null);
      }
    }
  });

  it('filters by time range, overlapping', async () => {
    const wang = await demo.user('teacher-wang');
    const start = Date.parse(lesson.scheduledAt);
    const ids = async (from?: number, to?: number) =>
      (await listLessonsFor(demo.db, wang, { from: from === undefined ? undefined : new Date(from).toISOString(), to: to === undefined ? undefined : new Date(to).toISOString() })).map((l) => l.id);
    expect(await ids(start - 60_000, start + 60_000)).toContain(lesson.id);
    expect(await ids(start + 30 * 60_000)).toContain(lesson.id); // still running
    expect(await ids(start + 41 * 60_000)).not.toContain(lesson.id);
    expect(await ids(undefined, start)).not.toContain(lesson.id);
  });
});

describe('lesson routes', () => {
  it('GET /api/lessons lists what the user may see', async () => {
    const res = await get(api.url, '/api/lessons', await login(api.url, 'teacher-li'));
    expect(res.status).toBe(200);
    expect((await res.json()).lessons.map((l: Lesson) => l.id)).toContain(lesson.id);
    const farRes = await get(api.url, '/api/lessons', await login(api.url, far.teacher.username));
    expect((await farRes.json()).lessons).toEqual([]);
  });

  it('GET /api/lessons/:id is 404 for those with no role in it', async () => {
    const ok = await get(api.url, `/api/lessons/${lesson.id}`, await login(api.url, 'researcher-zhao'));
    expect(ok.status).toBe(200);
    expect((await ok.json()).lesson.id).toBe(lesson.id);
    const hidden = await get(api.url, `/api/lessons/${lesson.id}`, await login(api.url, far.admin.username));
    expect(hidden.status).toBe(404);
    expect((await hidden.json()).error.code).toBe('NOT_FOUND');
    expect((await get(api.url, `/api/lessons/${lesson.id}`)).status).toBe(401);
  });

  it('POST /api/lessons creates for a teacher, 403 otherwise, 400 on a bad body', async () => {
    const good = {
      title: '小数的意义',
      subject: '数学',
      grade: 4,
      hostClassroomId: ids.cityRoom,
      receivingClassroomIds: [ids.qingshanRoom],
      scheduledAt: inOneHour(),
    };
    const created = await post(api.url, '/api/lessons', good, await login(api.url, 'teacher-wang'));
    expect(created.status).toBe(201);
    expect((await created.json()).lesson).toMatchObject({ title: '小数的意义', state: 'scheduled', durationMin: 40 });

    const forbidden = await post(api.url, '/api/lessons', good, await login(api.url, 'city-admin'));
    expect(forbidden.status).toBe(403);
    expect((await forbidden.json()).error.code).toBe('FORBIDDEN');

    const cookie = await login(api.url, 'teacher-wang');
    for (const bad of [
      {},
      { ...good, grade: 13 },
      { ...good, grade: '4' },
      { ...good, receivingClassroomIds: [] },
      { ...good, scheduledAt: 'tomorrow' },
      { ...good, title: 'x'.repeat(121) },
      { ...good, durationMin: 1 },
      [],
    ]) {
      const res = await post(api.url, '/api/lessons', bad, cookie);
      expect(res.status, JSON.stringify(bad).slice(0, 80)).toBe(400);
      expect((await res.json()).error.code).toBe('BAD_REQUEST');
    }
  });

  it('bad query strings are 400', async () => {
    const cookie = await login(api.url, 'teacher-wang');
    for (const q of ['from=yesterday', 'to=1', 'from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z', 'from=2030-01-01T00:00:00Z&from=2030-01-02T00:00:00Z']) {
      const res = await get(api.url, `/api/lessons?${q}`, cookie);
      expect(res.status, q).toBe(400);
    }
    expect((await get(api.url, '/api/lessons?from=2020-01-01T00:00:00%2B08:00', cookie)).status).toBe(200);
  });
});
