// 师徒结对 (issue 12) on the real database: pairs validated and authorised by the workspace's reach
// rules, replay heartbeats capped by the wall clock, mentoring activities derived from the rows
// the product writes (watch time, 评课 notes, plan edits), and the mentee's growth record.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLesson, getLesson, setLessonState } from '../../server/lessons/repo.js';
import { createUser } from '../../server/community/repo.js';
import { createAnnotation } from '../../server/research/annotationsRepo.js';
import { saveScores } from '../../server/research/rubricRepo.js';
import { DEFAULT_RUBRIC } from '../../server/research/frameworks.js';
import { insertPlan } from '../../server/plans/repo.js';
import { appendUpdates } from '../../server/plans/store.js';
import { addLiveWatch, addReplayBeat, listWatch } from '../../server/workspace/watchRepo.js';
import { mentoringActivities } from '../../server/workspace/mentoringRepo.js';
import { evaluateTarget, targetSchema } from '../../server/contract/workspace/targets.js';
import type { GrowthRecord, MentorPair, MentoringActivity } from '../../server/contract/workspace/mentors.js';
import type { Lesson, PublicUser } from '../../server/contract/domain.js';
import type { Queryable } from '../../server/db/db.js';
import { get, login, otherCommunity, post, seededDb, startApi, type Demo, type Server } from './api.helpers.js';

let demo: Demo;
let api: Server;
let wang: PublicUser; // city teacher: the mentor
let li: PublicUser; // 青山 (rural) teacher: the mentee
let rooms: { city: string; qingshan: string };
let communityId: string;
let far: Awaited<ReturnType<typeof otherCommunity>>;
const cookies: Record<string, string> = {};
const MIN = 60_000;

const send = (method: string, path: string, body: unknown, who: string) =>
  fetch(api.url + path, { method, headers: { 'content-type': 'application/json', cookie: cookies[who] }, body: JSON.stringify(body) });
const as = (who: string, path: string) => get(api.url, path, cookies[who]);

beforeAll(async () => {
  demo = await seededDb();
  wang = await demo.user('teacher-wang');
  li = await demo.user('teacher-li');
  rooms = { city: await demo.classroomId('四年级(1)班'), qingshan: await demo.classroomId('四年级') };
  communityId = String((await demo.db.query('select community_id from users where id = $1', [wang.id]))[0].community_id);
  far = await otherCommunity(demo.db);
  const shiqiao = await demo.schoolId('石桥乡中心小学');
  await createUser(demo.db, { username: 'teacher-sun', displayName: '孙老师', role: 'teacher', schoolId: shiqiao, password: 'demo-pass-123' });
  api = await startApi({ db: demo.db, config: { secureCookies: false } });
  for (const u of ['admin', 'teacher-wang', 'teacher-li', 'teacher-sun', 'qingshan-admin', 'shiqiao-admin', 'bureau-li', 'researcher-zhao', 'far-admin', 'far-teacher']) {
    cookies[u] = await login(api.url, u);
  }
}, 60_000);
afterAll(async () => {
  await api?.close();
  await demo?.db.close();
});

const pairBody = (o: Partial<Record<string, string>> = {}) => ({
  mentorId: wang.id,
  menteeId: li.id,
  subject: '数学',
  startsOn: '2026-03-01',
  endsOn: '2026-06-30',
  goals: '每月互相听课两节',
  ...o,
});

async function createPair(body = pairBody()): Promise<MentorPair> {
  const res = await send('POST', `/api/workspace/communities/${communityId}/mentor-pairs`, body, 'admin');
  expect(res.status).toBe(201);
  return ((await res.json()) as { pair: MentorPair }).pair;
}

/**
 * A lesson taught by `teacher` on `day` at 09:00 Shanghai for 40 minutes. Lessons are created by
 * the city school (it hosts synchronous lessons); the rural mentee's own lesson is that lesson
 * handed to her, in her classroom, as her 汇报课 is.
 */
async function heldLesson(teacher: PublicUser, day: string, title: string): Promise<Lesson> {
  const startedAt = new Date(`${day}T01:00:00Z`);
  const lesson = await createLesson(demo.db, wang, {
    title,
    subject: '数学',
    grade: 4,
    hostClassroomId: rooms.city,
    receivingClassroomIds: [rooms.qingshan],
    scheduledAt: startedAt.toISOString(),
    durationMin: 40,
  });
  if (teacher.id !== wang.id) {
    await demo.db.query('update lessons set teacher_id = $2, host_classroom_id = $3 where id = $1', [lesson.id, teacher.id, rooms.qingshan]);
    await demo.db.query('update lesson_classrooms set classroom_id = $2 where lesson_id = $1', [lesson.id, rooms.city]);
  }
  await setLessonState(demo.db, lesson.id, 'live', startedAt);
  return setLessonState(demo.db, lesson.id, 'ended', new Date(startedAt.getTime() + 40 * MIN)).then(() => getLesson(demo.db, lesson.id).then((l) => l!));
}
const at = (day: string, hhmm = '10:00') => new Date(`${day}T${hhmm}:00+08:00`);

describe('mentor pairs', () => {
  it('are created by the community admin only with a city mentor, a rural mentee, both of the community, and ordered dates', async () => {
    const path = `/api/workspace/communities/${communityId}/mentor-pairs`;
    const bad = async (body: unknown) => {
      const res = await send('POST', path, body, 'admin');
      return { status: res.status, error: ((await res.json()) as { error?: { message?: string } }).error?.message ?? '' };
    };
    expect(await bad(pairBody({ mentorId: li.id, menteeId: wang.id }))).toMatchObject({ status: 400, error: expect.stringMatching(/mentor/) });
    expect(await bad(pairBody({ menteeId: (await demo.user('teacher-sun')).id, mentorId: far.teacher.id }))).toMatchObject({ status: 400 });
    expect(await bad(pairBody({ mentorId: far.teacher.id }))).toMatchObject({ status: 400, error: expect.stringMatching(/city school of this community/) });
    expect(await bad(pairBody({ startsOn: '2026-07-01' }))).toMatchObject({ status: 400, error: expect.stringMatching(/ends on or after/) });
    expect(await bad({ ...pairBody(), extra: 1 })).toMatchObject({ status: 400 });

    const pair = await createPair();
    expect(pair).toMatchObject({ communityId, subject: '数学', startsOn: '2026-03-01', endsOn: '2026-06-30', endedOn: null });
    expect(pair.mentor).toMatchObject({ id: wang.id, schoolName: '滨江实验小学' });
    expect(pair.mentee).toMatchObject({ id: li.id, schoolName: '青山村小学' });

    // Not the admin: a teacher of the pair, a reviewer, another community's admin.
    expect((await send('POST', path, pairBody(), 'teacher-wang')).status).toBe(403);
    expect((await send('POST', path, pairBody(), 'bureau-li')).status).toBe(403);
    expect((await send('POST', path, pairBody(), 'far-admin')).status).toBe(404);
  });

  it('are read by their teachers, their schools’ admins, the community and the bureau; edited by the admin only', async () => {
    const pair = await createPair(pairBody({ subject: '语文' }));
    const path = `/api/workspace/mentor-pairs/${pair.id}`;
    for (const who of ['admin', 'teacher-wang', 'teacher-li', 'qingshan-admin', 'researcher-zhao', 'bureau-li']) expect([who, (await as(who, path)).status]).toEqual([who, 200]);
    // A teacher of an unrelated school, the admin of a school not in the pair: inside the community, not theirs.
    expect((await as('teacher-sun', path)).status).toBe(403);
    expect((await as('shiqiao-admin', path)).status).toBe(403);
    // Another community: not found, for reading and editing alike.
    expect((await as('far-admin', path)).status).toBe(404);
    expect((await as('far-teacher', `${path}/growth`)).status).toBe(404);
    expect((await send('PATCH', path, { goals: 'x' }, 'far-admin')).status).toBe(404);

    // The reviewer and the teachers read only.
    expect((await send('PATCH', path, { goals: '读' }, 'bureau-li')).status).toBe(403);
    expect((await send('PATCH', path, { goals: '读' }, 'teacher-wang')).status).toBe(403);
    expect((await send('POST', `${path}/end`, { endedOn: '2026-04-01' }, 'bureau-li')).status).toBe(403);

    const patched = await send('PATCH', path, { goals: '每周一次听评课', endsOn: '2026-07-15' }, 'admin');
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { pair: MentorPair }).pair).toMatchObject({ goals: '每周一次听评课', endsOn: '2026-07-15', subject: '语文' });
    expect((await send('PATCH', path, { endsOn: '2026-02-01' }, 'admin')).status).toBe(400);
    expect((await send('PATCH', path, { mentorId: li.id }, 'admin')).status).toBe(400);
    expect((await send('POST', `${path}/end`, { endedOn: '2026-08-01' }, 'admin')).status).toBe(400);
    const ended = await send('POST', `${path}/end`, { endedOn: '2026-04-01' }, 'admin');
    expect(((await ended.json()) as { pair: MentorPair }).pair.endedOn).toBe('2026-04-01');
    // Ended on 04-01: the planned end may not move before it.
    expect((await send('PATCH', path, { endsOn: '2026-03-15' }, 'admin')).status).toBe(400);

    // Lists: the pair's own people see it, an unrelated teacher does not; the admin sees where to create.
    const list = async (who: string) => (await (await as(who, '/api/workspace/mentor-pairs')).json()) as { pairs: MentorPair[]; manageCommunityId: string | null };
    expect((await list('teacher-li')).pairs.map((p) => p.id)).toContain(pair.id);
    expect((await list('bureau-li')).pairs.map((p) => p.id)).toContain(pair.id);
    expect((await list('teacher-sun')).pairs).toEqual([]);
    expect((await list('far-admin')).pairs).toEqual([]);
    expect((await list('admin')).manageCommunityId).toBe(communityId);
    expect((await list('bureau-li')).manageCommunityId).toBeNull();
    // Candidates for the pickers: the admin's own community only.
    const cands = (await (await as('admin', `/api/workspace/communities/${communityId}/mentor-candidates`)).json()) as { candidates: { id: string; schoolKind: string }[] };
    expect(cands.candidates.find((c) => c.id === wang.id)?.schoolKind).toBe('city');
    expect(cands.candidates.find((c) => c.id === li.id)?.schoolKind).toBe('rural');
    expect((await as('far-admin', `/api/workspace/communities/${communityId}/mentor-candidates`)).status).toBe(404);
  });
});

describe('watch time', () => {
  it('replay beats are credited at most the wall-clock time since the previous beat, and at most 60 s', async () => {
    const lesson = await heldLesson(wang, '2026-03-02', '分数的意义');
    const t0 = at('2026-03-03');
    const beat = (seconds: number, afterS: number) => addReplayBeat(demo.db, { userId: li.id, lessonId: lesson.id, seconds, at: new Date(t0.getTime() + afterS * 1000) });
    expect(await beat(30, 0)).toEqual({ credited: 0, totalSeconds: 0 }); // the first beat starts the clock
    expect(await beat(30, 30)).toEqual({ credited: 30, totalSeconds: 30 });
    expect(await beat(60, 35)).toEqual({ credited: 5, totalSeconds: 35 }); // claims 60 five seconds later
    expect(await beat(60, 35)).toEqual({ credited: 0, totalSeconds: 35 }); // a burst of beats adds nothing
    expect(await beat(500, 1000)).toEqual({ credited: 60, totalSeconds: 95 }); // never more than a beat's most
    // A beat the next day goes to that day; the total is the lesson's.
    await addReplayBeat(demo.db, { userId: li.id, lessonId: lesson.id, seconds: 0, at: at('2026-03-04', '09:00') });
    expect(await addReplayBeat(demo.db, { userId: li.id, lessonId: lesson.id, seconds: 30, at: at('2026-03-04', '09:01') })).toEqual({ credited: 30, totalSeconds: 125 });
    expect((await listWatch(demo.db, li.id, lesson.id)).map((w) => [w.day, w.mode, w.seconds])).toEqual([
      ['2026-03-03', 'replay', 95],
      ['2026-03-04', 'replay', 30],
    ]);
  });

  it('POST /api/recordings/:lessonId/watch is authorised like the replay and validated', async () => {
    const lesson = await heldLesson(wang, '2026-03-05', '小数加减法');
    await demo.db.query(`insert into recordings (lesson_id, state, clock_zero, ended_at) values ($1, 'stopped', $2, $3)`, [lesson.id, lesson.startedAt, lesson.endedAt]);
    const path = `/api/recordings/${lesson.id}/watch`;
    // Another community's teacher: no such recording for them (before the body is read: a bad body is still 404).
    expect((await post(api.url, path, { seconds: 30 }, cookies['far-teacher'])).status).toBe(404);
    expect((await post(api.url, path, { seconds: 'x' }, cookies['far-teacher'])).status).toBe(404);
    expect((await post(api.url, path, { seconds: 61 }, cookies['teacher-li'])).status).toBe(400);
    const first = await post(api.url, path, { seconds: 0 }, cookies['teacher-li']);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ credited: 0, totalSeconds: 0 });
    // Claiming a full minute right after: capped by the (sub-second to a couple of seconds) wall clock.
    const second = (await (await post(api.url, path, { seconds: 60 }, cookies['teacher-li'])).json()) as { credited: number };
    expect(second.credited).toBeLessThanOrEqual(2);
  });
});

/** Counts the statements a function sends, to hold "few queries whatever the number of pairs". */
function counting(db: Queryable): { db: Queryable; n: () => number } {
  let n = 0;
  const wrapped = new Proxy(db, {
    get(target, prop, receiver) {
      if (prop === 'query') return (...args: Parameters<Queryable['query']>) => (n++, target.query(...args));
      return Reflect.get(target, prop, receiver);
    },
  });
  return { db: wrapped, n: () => n };
}

describe('mentoring activities', () => {
  let pair: MentorPair;
  let liLesson1: Lesson;
  let liLesson2: Lesson;
  let wangLesson: Lesson;
  let acts: MentoringActivity[];

  beforeAll(async () => {
    pair = await createPair(pairBody({ subject: '科学', startsOn: '2026-09-01', endsOn: '2026-12-31' }));
    liLesson1 = await heldLesson(li, '2026-09-08', '李老师 第一课');
    liLesson2 = await heldLesson(li, '2026-09-15', '李老师 第二课');
    wangLesson = await heldLesson(wang, '2026-09-10', '王老师 示范课');
    // The mentor watched li's first lesson live for 15 minutes: below 20.
    await addLiveWatch(demo.db, { userId: wang.id, lessonId: liLesson1.id, seconds: 15 * 60, at: at('2026-09-08') });
    // The second: 10 minutes live, then 15 of its recording two days later: 25.
    await addLiveWatch(demo.db, { userId: wang.id, lessonId: liLesson2.id, seconds: 10 * 60, at: at('2026-09-15') });
    await demo.db.query(
      `insert into lesson_watch (user_id, lesson_id, mode, day, seconds) values ($1, $2, 'replay', '2026-09-17', 900)`,
      [wang.id, liLesson2.id],
    );
    // The mentee watched the mentor's lesson's recording for 25 minutes.
    await demo.db.query(`insert into lesson_watch (user_id, lesson_id, mode, day, seconds) values ($1, $2, 'replay', '2026-09-11', 1500)`, [li.id, wangLesson.id]);
    // Watching one's own lesson, and watching outside the period, count nothing.
    await addLiveWatch(demo.db, { userId: li.id, lessonId: liLesson1.id, seconds: 40 * 60, at: at('2026-09-08') });
    await addLiveWatch(demo.db, { userId: li.id, lessonId: wangLesson.id, seconds: 40 * 60, at: at('2027-01-05') });

    // 评课: two notes (a note and its reply) by the mentor on li's first lesson; li's own note on it is not mentoring.
    const note = await createAnnotation(demo.db, wang, { lessonId: liLesson1.id, groupId: null, parentId: null, framework: 'none', code: null, atMs: 60_000, endMs: null, text: '导入很自然', live: false });
    await createAnnotation(demo.db, wang, { lessonId: liLesson1.id, groupId: null, parentId: note.annotation.id, framework: 'none', code: null, atMs: 0, endMs: null, text: '补充一点', live: false });
    await createAnnotation(demo.db, li, { lessonId: liLesson1.id, groupId: null, parentId: null, framework: 'none', code: null, atMs: 0, endMs: null, text: '自评', live: false });
    await demo.db.query(`update annotations set created_at = $2 where lesson_id = $1`, [liLesson1.id, at('2026-09-09', '20:00')]);

    // Plans: one both edited (mentor on 09-20, mentee on 09-22), one only the mentor edited.
    const co = await insertPlan(demo.db, { communityId, lessonId: liLesson2.id, pairingId: null, title: '《分数》集体备课', createdBy: wang.id, phases: [] });
    const solo = await insertPlan(demo.db, { communityId, lessonId: wangLesson.id, pairingId: null, title: '王老师自己的教案', createdBy: wang.id, phases: [] });
    const edit = (planId: string, user: PublicUser, when: Date) =>
      demo.db.query('insert into plan_updates (plan_id, data, user_id, created_at) values ($1, $2, $3, $4)', [planId, Buffer.from([0, 0]), user.id, when]);
    await edit(co.id, wang, at('2026-09-20'));
    await edit(co.id, wang, at('2026-09-20', '11:00'));
    await edit(co.id, li, at('2026-09-22'));
    await edit(solo.id, wang, at('2026-09-21'));
    await appendUpdates(demo.db, [{ planId: solo.id, update: new Uint8Array([0, 0]), userId: wang.id }]); // today: outside the period
    // Compaction deletes the updates; the editors stay.
    await demo.db.query('delete from plan_updates where plan_id = any($1::text[])', [[co.id, solo.id]]);

    acts = await mentoringActivities(demo.db, { pairIds: [pair.id], from: '2026-01-01', to: '2026-12-31' });
  });

  it('an observation counts at ≥ N minutes watched, live and recorded together, on the day the total reaches N', () => {
    const watched = acts.filter((a) => a.evidence.type === 'watch');
    expect(watched.map((a) => [a.day, a.evidence])).toEqual([
      ['2026-09-11', { type: 'watch', lessonId: wangLesson.id, lessonTitle: '王老师 示范课', watcherId: li.id, minutes: 25, liveMinutes: 0, replayMinutes: 25 }],
      ['2026-09-17', { type: 'watch', lessonId: liLesson2.id, lessonTitle: '李老师 第二课', watcherId: wang.id, minutes: 25, liveMinutes: 10, replayMinutes: 15 }],
    ]);
    // 15 minutes of the first lesson did not count at 20; at N = 15 it does, and at 30 neither 25 does.
    expect(watched.some((a) => a.evidence.type === 'watch' && a.evidence.lessonId === liLesson1.id)).toBe(false);
    expect(watched.every((a) => a.kind === 'mentoring' && a.pairId === pair.id && a.subject === '科学')).toBe(true);
    expect(watched[0].teacherIds).toEqual([wang.id, li.id]);
  });

  it('N is the caller’s', async () => {
    const at15 = await mentoringActivities(demo.db, { pairIds: [pair.id], from: '2026-01-01', to: '2026-12-31', minWatchMin: 15 });
    expect(at15.filter((a) => a.evidence.type === 'watch').length).toBe(3);
    const at30 = await mentoringActivities(demo.db, { pairIds: [pair.id], from: '2026-01-01', to: '2026-12-31', minWatchMin: 30 });
    expect(at30.filter((a) => a.evidence.type === 'watch')).toEqual([]);
  });

  it('评课 notes on the other’s lesson count once per lesson with their number', () => {
    expect(acts.filter((a) => a.evidence.type === 'notes').map((a) => [a.day, a.evidence])).toEqual([
      ['2026-09-09', { type: 'notes', lessonId: liLesson1.id, lessonTitle: '李老师 第一课', authorId: wang.id, notes: 2 }],
    ]);
  });

  it('a plan both edited in the period counts on the day the second joined, even after its updates were compacted', () => {
    const plans = acts.filter((a) => a.evidence.type === 'co_plan');
    expect(plans.map((a) => [a.day, a.evidence])).toEqual([
      ['2026-09-22', { type: 'co_plan', planId: expect.any(String), planTitle: '《分数》集体备课', mentorEditDays: 1, menteeEditDays: 1 }],
    ]);
  });

  it('count toward a mentoring target; the caller’s window and the pair’s end clip them; few queries for many pairs', async () => {
    const target = targetSchema.parse({ id: 'm', title: '师徒听评课不少于4次', kinds: ['mentoring'], year: { from: '2026-01-01', to: '2026-12-31' }, terms: [{ from: '2026-01-01', threshold: 4 }] });
    expect(evaluateTarget(target, acts, '2026-12-31')).toMatchObject({ count: 4, met: true });
    // The caller's window clips the rows: from 09-16 the second lesson's 10 live minutes are outside, 15 recorded ones are not enough;
    // the plan's mentee edit (09-22) is outside 09-21.
    const window = (from: string, to: string) => mentoringActivities(demo.db, { pairIds: [pair.id], from, to }).then((xs) => xs.map((a) => [a.day, a.evidence.type]));
    expect(await window('2026-09-16', '2026-09-21')).toEqual([]);
    expect(await window('2026-09-12', '2026-09-22')).toEqual([
      ['2026-09-17', 'watch'],
      ['2026-09-22', 'co_plan'],
    ]);
    // The whole community's pairs in four statements.
    const c = counting(demo.db);
    const all = await mentoringActivities(c.db, { communityIds: [communityId], from: '2026-01-01', to: '2026-12-31' });
    expect(c.n()).toBe(4);
    expect(all.filter((a) => a.pairId === pair.id)).toEqual(acts);

    // The HTTP view: the pair's people see its activities.
    const res = await as('teacher-li', `/api/workspace/mentor-pairs/${pair.id}`);
    const body = (await res.json()) as { activities: MentoringActivity[]; minWatchMin: number; canManage: boolean };
    expect(body).toMatchObject({ minWatchMin: 20, canManage: false });
    expect(body.activities).toEqual(acts);
    expect((await as('teacher-li', `/api/workspace/mentor-pairs/${pair.id}?minWatchMin=0`)).status).toBe(400);

    // Ended on 09-15: what came after no longer counts.
    await send('POST', `/api/workspace/mentor-pairs/${pair.id}/end`, { endedOn: '2026-09-15' }, 'admin');
    const ended = await mentoringActivities(demo.db, { pairIds: [pair.id], from: '2026-01-01', to: '2026-12-31' });
    expect(ended.map((a) => [a.day, a.evidence.type])).toEqual([
      ['2026-09-09', 'notes'],
      ['2026-09-11', 'watch'],
    ]);
  });

  it('the growth record: the mentee’s lessons in order with S-T Rt/Ch where analysed and the mean rubric score', async () => {
    const baseline = await heldLesson(li, '2026-08-20', '李老师 结对前');
    // The first lesson recorded for 10 minutes: teacher 0–4, 5–7, 8–10 min; the classrooms 4–5 and 7–8.
    const zero = new Date(liLesson1.startedAt!);
    await demo.db.query(`insert into recordings (lesson_id, state, clock_zero, ended_at) values ($1, 'stopped', $2, $3)`, [liLesson1.id, zero, new Date(zero.getTime() + 10 * MIN)]);
    const tracks: [string, 'teacher' | 'classroom', string | null, [number, number][]][] = [
      ['g-t', 'teacher', null, [[0, 4 * MIN], [5 * MIN, 7 * MIN], [8 * MIN, 10 * MIN]]],
      ['g-c', 'classroom', rooms.city, [[4 * MIN, 5 * MIN], [7 * MIN, 8 * MIN]]],
    ];
    for (const [id, speaker, classroomId, segs] of tracks) {
      await demo.db.query(
        `insert into recording_tracks (id, lesson_id, kind, source, owner, classroom_id, label, codec, start_ms, end_ms) values ($1, $2, 'audio', 'mic', $3, $4, $1, 'opus', 0, 600000)`,
        [id, liLesson1.id, speaker, classroomId],
      );
      await demo.db.query('insert into voice_activity (track_id, lesson_id, speaker, classroom_id, segments) values ($1, $2, $3, $4, $5)', [id, liLesson1.id, speaker, classroomId, JSON.stringify(segs)]);
    }
    // A researcher recoded the first 30 s as S.
    await demo.db.query(`insert into st_corrections (lesson_id, interval_s, sample_index, code, corrected_by) values ($1, 30, 0, 'S', $2)`, [liLesson1.id, wang.id]);
    const ids = DEFAULT_RUBRIC.criteria.map((c) => c.id);
    await saveScores(demo.db, wang, liLesson1, { scores: Object.fromEntries(ids.map((id) => [id, 3])), comment: '' });
    await saveScores(demo.db, await demo.user('researcher-zhao'), liLesson1, { scores: Object.fromEntries(ids.map((id) => [id, id === 'goals' ? 4 : 2])), comment: '' });

    const res = await as('teacher-li', `/api/workspace/mentor-pairs/${pair.id}/growth`);
    expect(res.status).toBe(200);
    const growth = (await res.json()) as GrowthRecord;
    expect(growth.menteeId).toBe(li.id);
    expect(growth.lessons.map((l) => [l.lessonId, l.day, l.inPeriod])).toEqual([
      [baseline.id, '2026-08-20', false],
      [liLesson1.id, '2026-09-08', true],
      [liLesson2.id, '2026-09-15', true],
    ]);
    // 20 samples: S, T×7, S, S, T×4, S, S, T×4 → Rt = 15/20, Ch = (6 runs − 1)/20.
    const first = growth.lessons[1];
    expect(first.st).toEqual({ rt: 0.75, ch: 0.25, type: '讲授型' });
    // Criterion means: goals (3+4)/2, the other five (3+2)/2 → (3.5 + 5 × 2.5) / 6.
    expect(first.raters).toBe(2);
    expect(first.rubricMean).toBeCloseTo((3.5 + 5 * 2.5) / 6, 10);
    expect(growth.lessons[2]).toMatchObject({ st: null, rubricMean: null, raters: 0 });
    expect((await as('teacher-sun', `/api/workspace/mentor-pairs/${pair.id}/growth`)).status).toBe(403);
  });
});
