// 教共体 progress (issue 12) on the real database and through the HTTP API: who may see which
// dashboard, research sessions counted only when held with both schools, and the numbers of a
// pairing, a community and a bureau checked against values computed by hand below.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedMilestones } from '../../server/contract/workspace/targets.js';
import { createBureau } from '../../server/workspace/orgRepo.js';
import { setCommunityOrg } from '../../server/workspace/orgRepo.js';
import { createUser } from '../../server/community/repo.js';
import { findBureauByName } from '../../server/workspace/orgRepo.js';
import { DEMO_BUREAU_NAME } from '../../server/community/seed.js';
import { researchSessionsOfPairings } from '../../server/workspace/researchActivitiesRepo.js';
import { getPairingSchools, type PairingSchools } from '../../server/workspace/activitiesRepo.js';
import type { PublicUser } from '../../server/contract/domain.js';
import { DEMO_PASSWORD, login, otherCommunity, seededDb, startApi, type Demo, type Server } from './api.helpers.js';
import { call, heldLesson, researchSession, target } from './workspace-targets.helpers.js';

let demo: Demo;
let api: Server;
let communityId: string;
let bureauId: string;
let A: PairingSchools; // 滨江实验小学 → 青山村小学
let B: PairingSchools; // 滨江实验小学 → 石桥乡中心小学
let wang: PublicUser;
let li: PublicUser;
const cookies: Record<string, string> = {};
const sessions: Record<string, string> = {};

beforeAll(async () => {
  demo = await seededDb();
  api = await startApi({ db: demo.db, config: { secureCookies: false } });
  wang = await demo.user('teacher-wang');
  li = await demo.user('teacher-li');
  const zhao = await demo.user('researcher-zhao');
  const [city, qingshan, shiqiao] = [await demo.schoolId('滨江实验小学'), await demo.schoolId('青山村小学'), await demo.schoolId('石桥乡中心小学')];
  const pid = async (rural: string) => (await demo.db.query<{ id: string }>('select id from pairings where city_school_id = $1 and rural_school_id = $2', [city, rural]))[0].id;
  A = (await getPairingSchools(demo.db, await pid(qingshan)))!;
  B = (await getPairingSchools(demo.db, await pid(shiqiao)))!;
  communityId = (await demo.db.query<{ community_id: string }>('select community_id from pairings where id = $1', [A.pairingId]))[0].community_id;
  bureauId = (await findBureauByName(demo.db, DEMO_BUREAU_NAME))!.id;

  // Another community under another bureau, with that bureau's reviewer.
  const far = await otherCommunity(demo.db);
  const farBureau = await createBureau(demo.db, { name: '远山县教育局' });
  await setCommunityOrg(demo.db, far.community.id, { bureauId: farBureau.id });
  await createUser(demo.db, { username: 'far-bureau', displayName: '远山科长', role: 'bureau_reviewer', password: DEMO_PASSWORD, bureauId: farBureau.id });

  const rooms = { city: await demo.classroomId('四年级(1)班'), qingshan: await demo.classroomId('四年级'), shiqiao: await demo.classroomId('四年级(2)班') };
  const both = (rural: string): [string, number, number][] => [
    [rooms.city, 0, 40],
    [rural, 0, 40],
  ];
  // Pairing A: two lessons that count (数学, 语文), one where 青山 stayed 5 minutes, one after the as-of day.
  await heldLesson(demo.db, wang, { day: '2026-03-10', host: rooms.city, receiving: [rooms.qingshan], presence: both(rooms.qingshan) });
  await heldLesson(demo.db, wang, { day: '2026-04-20', host: rooms.city, receiving: [rooms.qingshan], presence: both(rooms.qingshan), subject: '语文' });
  await heldLesson(demo.db, wang, { day: '2026-05-12', host: rooms.city, receiving: [rooms.qingshan], presence: [[rooms.city, 0, 40], [rooms.qingshan, 10, 15]] });
  await heldLesson(demo.db, wang, { day: '2026-07-02', host: rooms.city, receiving: [rooms.qingshan], presence: both(rooms.qingshan) });
  // Pairing B: one that counts (英语).
  await heldLesson(demo.db, wang, { day: '2026-03-11', host: rooms.city, receiving: [rooms.shiqiao], presence: both(rooms.shiqiao), subject: '英语' });

  // Research sessions of A: a group of both schools (李 leads, 王 a member) ...
  const s1 = await researchSession(demo.db, li, { memberIds: [wang.id], subject: '数学', pairingId: A.pairingId, day: '2026-06-01', kind: 'thematic', minutes: '研讨了分数的教学' });
  sessions.held = s1.session.id;
  sessions.planning = (await researchSession(demo.db, li, { groupId: s1.groupId, memberIds: [], subject: '数学', pairingId: A.pairingId, day: '2026-03-20', kind: 'planning', minutes: '集体备课' })).session.id;
  // ... one with nothing recorded, one scheduled after today, and one of a group of the city school only.
  sessions.unrecorded = (await researchSession(demo.db, li, { groupId: s1.groupId, memberIds: [], subject: '数学', pairingId: A.pairingId, day: '2026-06-05', kind: 'thematic' })).session.id;
  sessions.future = (await researchSession(demo.db, li, { groupId: s1.groupId, memberIds: [], subject: '数学', pairingId: A.pairingId, day: '2099-03-01', kind: 'thematic', minutes: '计划' })).session.id;
  sessions.cityOnly = (await researchSession(demo.db, wang, { memberIds: [zhao.id], subject: '数学', pairingId: A.pairingId, day: '2026-06-10', kind: 'thematic', minutes: '城区自己研讨' })).session.id;

  for (const u of ['admin', 'teacher-wang', 'teacher-li', 'shiqiao-admin', 'researcher-zhao', 'bureau-li', 'far-admin', 'far-bureau']) cookies[u] = await login(api.url, u);

  // The community's plan for 2026: "同步课堂或主题研修不少于5", across ≥ 2 subjects, the seeds' milestone line; and 集体备课 ≥ 2.
  const put = await call(api.url, 'PUT', `/api/workspace/communities/${communityId}/targets?year=2026`, cookies.admin, {
    targets: [
      target(2026, { id: 't1', kinds: ['sync_lesson', 'thematic_research'], threshold: 5, breadth: { minSubjects: 2 }, milestones: seedMilestones(2026) }),
      target(2026, { id: 't2', kinds: ['collective_prep'], threshold: 2 }),
    ],
  });
  expect(put.status).toBe(200);
});
afterAll(async () => {
  await api?.close();
  await demo?.db.close();
});

describe('research sessions as activities', () => {
  it('count when held, recorded and with members of both schools; otherwise say why not', async () => {
    const all = await researchSessionsOfPairings(demo.db, [A, B], '2026-01-01', '2099-12-31');
    const by = new Map(all.map((s) => [s.id, s]));
    expect(all.every((s) => s.pairingId === A.pairingId)).toBe(true);
    expect(by.get(sessions.held)).toMatchObject({ counts: true, reason: null, kind: 'thematic_research', day: '2026-06-01', subject: '数学', teacherIds: [li.id] });
    expect(by.get(sessions.planning)).toMatchObject({ counts: true, kind: 'collective_prep', day: '2026-03-20' });
    expect(by.get(sessions.unrecorded)).toMatchObject({ counts: false, reason: 'not_recorded' });
    expect(by.get(sessions.future)).toMatchObject({ counts: false, reason: 'not_held' });
    expect(by.get(sessions.cityOnly)).toMatchObject({ counts: false, reason: 'no_rural_member' });
    // The period's edge is the Shanghai day: 06-01 15:00 there is inside [06-01, 06-01], not [06-02, …].
    expect((await researchSessionsOfPairings(demo.db, [A], '2026-06-01', '2026-06-01')).map((s) => s.id)).toEqual([sessions.held]);
    expect((await researchSessionsOfPairings(demo.db, [A], '2026-06-02', '2026-06-04')).map((s) => s.id)).toEqual([]);
  });
});

describe('who sees which progress', () => {
  const pairingPath = (id: string) => `/api/workspace/pairings/${id}/progress?year=2026`;
  it('a school’s staff see their own pairings only; another community’s people see nothing of ours', async () => {
    expect((await call(api.url, 'GET', pairingPath(A.pairingId), cookies['teacher-li'])).status).toBe(200);
    expect((await call(api.url, 'GET', pairingPath(B.pairingId), cookies['teacher-li'])).status).toBe(403);
    expect((await call(api.url, 'GET', pairingPath(A.pairingId), cookies['shiqiao-admin'])).status).toBe(403);
    expect((await call(api.url, 'GET', `/api/workspace/communities/${communityId}/progress`, cookies['teacher-li'])).status).toBe(403);
    expect((await call(api.url, 'GET', pairingPath(A.pairingId), cookies['far-admin'])).status).toBe(404);
    expect((await call(api.url, 'GET', `/api/workspace/communities/${communityId}/progress`, cookies['far-admin'])).status).toBe(404);
    expect((await call(api.url, 'GET', pairingPath(A.pairingId), null)).status).toBe(401);
  });

  it('the bureau’s reviewer reads its bureau and communities; another bureau’s reviewer finds neither', async () => {
    expect((await call(api.url, 'GET', `/api/workspace/bureaus/${bureauId}/progress?year=2026`, cookies['bureau-li'])).status).toBe(200);
    expect((await call(api.url, 'GET', `/api/workspace/communities/${communityId}/progress?year=2026`, cookies['bureau-li'])).status).toBe(200);
    expect((await call(api.url, 'GET', pairingPath(B.pairingId), cookies['bureau-li'])).status).toBe(200);
    expect((await call(api.url, 'GET', `/api/workspace/bureaus/${bureauId}/progress`, cookies['far-bureau'])).status).toBe(404);
    expect((await call(api.url, 'GET', `/api/workspace/communities/${communityId}/progress`, cookies['far-bureau'])).status).toBe(404);
    expect((await call(api.url, 'GET', pairingPath(A.pairingId), cookies['far-bureau'])).status).toBe(404);
    // A community's admin is no reviewer of the bureau.
    expect((await call(api.url, 'GET', `/api/workspace/bureaus/${bureauId}/progress`, cookies.admin)).status).toBe(404);
  });

  it('authorises before it reads the query: a bad query from a stranger is NOT_FOUND, from a reader BAD_REQUEST', async () => {
    expect((await call(api.url, 'GET', `/api/workspace/pairings/${A.pairingId}/progress?year=abc`, cookies['far-admin'])).status).toBe(404);
    expect((await call(api.url, 'GET', `/api/workspace/pairings/${A.pairingId}/progress?year=abc`, cookies.admin)).status).toBe(400);
  });
});

describe('progress numbers (as of 2026-06-30: 181 of 365 days)', () => {
  it('a pairing: counts, breadth, milestones, projection, what did not count and why, the teacher’s own share', async () => {
    const { status, body } = await call(api.url, 'GET', `/api/workspace/pairings/${A.pairingId}/progress?year=2026&asOf=2026-06-30`, cookies['teacher-li']);
    expect(status).toBe(200);
    expect(body.source).toBe('community');
    const [t1, t2] = body.targets.map((t: { evaluation: unknown }) => t.evaluation);
    // t1: lessons 03-10 and 04-20, the session of 06-01 → 3 of 5; the 05-12 lesson and the
    // 06-05/06-10 sessions do not count, the 07-02 lesson is after the as-of day.
    expect(t1).toMatchObject({ count: 3, threshold: 5, met: false, percent: 60, complete: false });
    expect(t1.breadth.subjects).toEqual({ have: 2, need: 2, met: true }); // 数学, 语文
    // 40% of 5 → 2 by 04-30 (03-10, 04-20); 60% → 3 by 06-30; 80% → 4 by 10-31 not yet due.
    expect(t1.milestones.map((m: { needed: number; reached: number; met: boolean; overdue: boolean }) => [m.needed, m.reached, m.met, m.overdue])).toEqual([
      [2, 2, true, false],
      [3, 3, true, false],
      [4, 3, false, false],
      [5, 3, false, false],
    ]);
    // ⌊3 × 365 / 181⌋ = 6 ≥ 5.
    expect(t1.projection).toEqual({ by: '2026-12-31', count: 6, meets: true });
    expect(t2).toMatchObject({ count: 1, threshold: 2 }); // the planning session of 03-20
    expect(body.counted).toEqual({ sync_lesson: 2, thematic_research: 1, collective_prep: 1 });
    const brief = body.activities.find((a: { day: string }) => a.day === '2026-05-12');
    expect(brief).toMatchObject({ counts: false, reason: 'attendance', attendance: { jointMin: 5, neededMin: 24 } });
    expect(body.activities.some((a: { day: string }) => a.day === '2026-07-02')).toBe(false);
    // 李 led the two counted sessions; the unrecorded one is not a contribution.
    expect(body.mine.byKind).toEqual({ thematic_research: 1, collective_prep: 1 });
  });

  it('a subject filter counts only that subject', async () => {
    const { body } = await call(api.url, 'GET', `/api/workspace/pairings/${A.pairingId}/progress?year=2026&asOf=2026-06-30&subject=${encodeURIComponent('数学')}`, cookies.admin);
    expect(body.targets[0].evaluation.count).toBe(2); // the 03-10 lesson and the 06-01 session
    expect(body.subjects).toEqual(['数学', '语文']);
  });

  it('a community: each pairing, each target rolled up, the teacher’s lessons across pairings', async () => {
    const { body } = await call(api.url, 'GET', `/api/workspace/communities/${communityId}/progress?year=2026&asOf=2026-06-30`, cookies.admin);
    const b = body.pairings.find((p: { pairing: { id: string } }) => p.pairing.id === B.pairingId);
    // B: one lesson (03-11) by 04-30, needing 2: overdue; ⌊1 × 365 / 181⌋ = 2 < 5.
    expect(b.targets[0].evaluation).toMatchObject({ count: 1, projection: { count: 2, meets: false } });
    expect(b.targets[0].evaluation.milestones[0]).toMatchObject({ needed: 2, reached: 1, overdue: true });
    expect(body.rollup.find((r: { targetId: string }) => r.targetId === 't1')).toEqual({
      targetId: 't1',
      title: 't1 ≥ 5',
      kinds: ['sync_lesson', 'thematic_research'],
      pairings: 2,
      complete: 0,
      onPace: 1,
      overdue: 1,
      count: 4,
      threshold: 10,
    });
    expect(body.mine.byKind).toEqual({}); // the admin taught nothing
    const asWang = await call(api.url, 'GET', `/api/workspace/pairings/${A.pairingId}/progress?year=2026&asOf=2026-06-30`, cookies['teacher-wang']);
    expect(asWang.body.mine.byKind).toEqual({ sync_lesson: 2 });
    // The school filter: 石桥's pairings only.
    const shiqiao = await demo.schoolId('石桥乡中心小学');
    const filtered = await call(api.url, 'GET', `/api/workspace/communities/${communityId}/progress?year=2026&asOf=2026-06-30&schoolId=${shiqiao}`, cookies.admin);
    expect(filtered.body.pairings.map((p: { pairing: { id: string } }) => p.pairing.id)).toEqual([B.pairingId]);
  });

  it('a bureau: each community with its pairings’ roll-up; a reviewer has no contribution of their own', async () => {
    const { body } = await call(api.url, 'GET', `/api/workspace/bureaus/${bureauId}/progress?year=2026&asOf=2026-06-30`, cookies['bureau-li']);
    expect(body.communities).toHaveLength(1);
    expect(body.communities[0]).toMatchObject({ id: communityId, pairings: 2, overduePairings: 1, completePairings: 0 });
    expect(body.communities[0].rollup.find((r: { targetId: string }) => r.targetId === 't1')).toMatchObject({ count: 4, threshold: 10 });
    const asReviewer = await call(api.url, 'GET', `/api/workspace/pairings/${A.pairingId}/progress?year=2026&asOf=2026-06-30`, cookies['bureau-li']);
    expect(asReviewer.body.mine).toBeNull();
  });

  it('the dashboards’ grouped counts evaluate exactly as the pairing page’s one-by-one activities', async () => {
    for (const asOf of ['2026-03-31', '2026-06-30', '2026-12-31']) {
      const community = (await call(api.url, 'GET', `/api/workspace/communities/${communityId}/progress?year=2026&asOf=${asOf}`, cookies.admin)).body;
      for (const p of [A, B]) {
        const one = (await call(api.url, 'GET', `/api/workspace/pairings/${p.pairingId}/progress?year=2026&asOf=${asOf}`, cookies.admin)).body;
        const grouped = community.pairings.find((x: { pairing: { id: string } }) => x.pairing.id === p.pairingId);
        expect(grouped.targets).toEqual(one.targets);
        expect(grouped.counted).toEqual(one.counted);
      }
    }
    // Each ended lesson judged once per pairing and kept: A's four, B's one.
    const kept = await demo.db.query<{ pairing_id: string; n: number }>('select pairing_id, count(*)::int as n from workspace_sync_verdicts group by pairing_id');
    expect(Object.fromEntries(kept.map((r) => [r.pairing_id, r.n]))).toEqual({ [A.pairingId]: 4, [B.pairingId]: 1 });
  
    // A lesson ending is queued (a trigger on lessons) and the next look at a dashboard judges it.
    const rooms = { city: await demo.classroomId('四年级(1)班'), shiqiao: await demo.classroomId('四年级(2)班') };
    const before = (await call(api.url, 'GET', `/api/workspace/communities/${communityId}/progress?year=2026&asOf=2026-06-30`, cookies.admin)).body;
    const countOfB = (body: { pairings: { pairing: { id: string }; targets: { evaluation: { count: number } }[] }[] }) => body.pairings.find((p) => p.pairing.id === B.pairingId)!.targets[0].evaluation.count;
    const late = await heldLesson(demo.db, wang, { day: '2026-06-20', host: rooms.city, receiving: [rooms.shiqiao], presence: [[rooms.city, 0, 40], [rooms.shiqiao, 0, 40]] });
    expect((await demo.db.query('select lesson_id from workspace_judge_queue')).map((r) => r.lesson_id)).toEqual([late.id]);
    const after = (await call(api.url, 'GET', `/api/workspace/communities/${communityId}/progress?year=2026&asOf=2026-06-30`, cookies.admin)).body;
    expect(countOfB(after)).toBe(countOfB(before) + 1);
    expect(await demo.db.query('select lesson_id from workspace_judge_queue')).toEqual([]);
  });
});
