// A held lesson's evidence for the 教共体's check (issue 12), on the real database and through the
// real API: attendance per classroom from the presence log (JSON and the CSV 签到表 in Shanghai
// time), links to what exists (recording, analysis, rubric scores, plans with versions, research
// sessions with minutes), and who may see it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { createLesson, recordLessonEvent, setLessonState } from '../../server/lessons/repo.js';
import { ensureRecording } from '../../server/recordings/repo.js';
import { insertPlan, insertVersion } from '../../server/plans/repo.js';
import { createGroup, createSession, updateSession } from '../../server/research/groupsRepo.js';
import { getRubric, saveScores } from '../../server/research/rubricRepo.js';
import { createBureau, setCommunityOrg } from '../../server/workspace/orgRepo.js';
import { createUser } from '../../server/community/repo.js';
import type { LessonEvidence } from '../../server/contract/workspace/lessonEvidence.js';
import { DEMO_PASSWORD, get, login, otherCommunity, seededDb, startApi, type Demo, type Server } from './api.helpers.js';

let demo: Demo;
let api: Server;
const MIN = 60_000;
let lessonId: string;
let bareLessonId: string;
let plannedId: string;
const start = new Date('2026-04-14T01:00:00Z'); // 09:00 in Shanghai

beforeAll(async () => {
  demo = await seededDb();
  const far = await otherCommunity(demo.db);
  const farBureau = await createBureau(demo.db, { name: '远山县教育局' });
  await setCommunityOrg(demo.db, far.community.id, { bureauId: farBureau.id });
  await createUser(demo.db, { username: 'far-reviewer', displayName: '远山审核员', role: 'bureau_reviewer', bureauId: farBureau.id, password: DEMO_PASSWORD });
  api = await startApi({ db: demo.db, config: { secureCookies: false } });

  const wang = await demo.user('teacher-wang');
  const rooms = { city: await demo.classroomId('四年级(1)班'), qingshan: await demo.classroomId('四年级') };
  const held = async (title: string) => {
    const lesson = await createLesson(demo.db, wang, {
      title,
      subject: '数学',
      grade: 4,
      hostClassroomId: rooms.city,
      receivingClassroomIds: [rooms.qingshan],
      scheduledAt: start.toISOString(),
      durationMin: 40,
    });
    await setLessonState(demo.db, lesson.id, 'live', start);
    await setLessonState(demo.db, lesson.id, 'ended', new Date(start.getTime() + 40 * MIN));
    return lesson;
  };
  const lesson = await held('分数的初步认识');
  lessonId = lesson.id;
  bareLessonId = (await held('没有录像的课')).id;
  plannedId = (
    await createLesson(demo.db, wang, {
      title: '还没上的课',
      subject: '数学',
      grade: 4,
      hostClassroomId: rooms.city,
      receivingClassroomIds: [rooms.qingshan],
      scheduledAt: new Date(Date.now() + 86_400_000).toISOString(),
      durationMin: 40,
    })
  ).id;
  // The city room the whole lesson (from the lobby on); the rural room joins late, drops for 3 minutes, leaves early.
  const presence: [string, 'presence:join' | 'presence:leave', number][] = [
    [rooms.city, 'presence:join', -5],
    [rooms.qingshan, 'presence:join', 2],
    [rooms.qingshan, 'presence:leave', 10],
    [rooms.qingshan, 'presence:join', 13],
    [rooms.qingshan, 'presence:leave', 38.5],
    [rooms.city, 'presence:leave', 41],
  ];
  for (const [i, [classroomId, type, atMin]] of presence.entries()) {
    await recordLessonEvent(demo.db, lessonId, type, null, { classroomId, peerId: `p-${classroomId}-${i < 3 ? 1 : 2}` });
    await demo.db.query('update lesson_events set at = $2 where id = (select max(id) from lesson_events where lesson_id = $1)', [lessonId, new Date(start.getTime() + atMin * MIN)]);
  }
  await ensureRecording(demo.db, lessonId, start, null);
  await demo.db.query(`update recordings set state = 'stopped' where lesson_id = $1`, [lessonId]);
  const plan = await insertPlan(demo.db, { communityId: lesson.communityId, lessonId, pairingId: null, title: '分数 教案', createdBy: wang.id, phases: [] });
  await insertVersion(demo.db, { planId: plan.id, name: '初稿', data: new Uint8Array([0]), userId: wang.id });
  await insertVersion(demo.db, { planId: plan.id, name: '定稿', data: new Uint8Array([0]), userId: wang.id });
  const zhao = await demo.user('researcher-zhao');
  const group = await createGroup(demo.db, zhao, { name: '数学组', subject: '数学', memberIds: [wang.id] });
  const session = await createSession(demo.db, zhao, { groupId: group.id, kind: 'diagnosis', title: '分数课诊断', lessonId, pairingId: null, scheduledAt: start.toISOString(), agenda: '' });
  await updateSession(demo.db, session.id, { minutes: '一、导入环节用时偏长……' });
  // Two raters of the community's rubric (the default one).
  const rubric = await getRubric(demo.db, zhao.id);
  const scores = Object.fromEntries(rubric.criteria.map((c) => [c.id, rubric.levels[0].score]));
  for (const rater of [zhao, await demo.user('researcher-qian')]) await saveScores(demo.db, rater, lesson, { scores, comment: '' });
});
afterAll(async () => {
  await api?.close();
  await demo?.db.close();
});

async function evidenceAs(who: string, id = lessonId): Promise<{ status: number; evidence?: LessonEvidence }> {
  const res = await get(api.url, `/api/workspace/lessons/${id}/evidence`, await login(api.url, who));
  return { status: res.status, ...(res.status === 200 ? ((await res.json()) as { evidence: LessonEvidence }) : {}) };
}

describe("a held lesson's evidence", () => {
  it('gives each classroom its attendance while live, from the presence log', async () => {
    const { evidence } = await evidenceAs('admin');
    const rural = evidence!.attendance.find((a) => !a.host)!;
    const city = evidence!.attendance.find((a) => a.host)!;
    // The lobby's five minutes and the minute after the end are not attendance.
    expect([city.schoolName, city.classroomName, city.connectedMin, city.firstJoinAt, city.lastLeaveAt]).toEqual([
      '滨江实验小学',
      '四年级(1)班',
      40,
      start.toISOString(),
      new Date(start.getTime() + 40 * MIN).toISOString(),
    ]);
    // 2→10 and 13→38.5: 8 + 25.5 minutes, two intervals.
    expect([rural.schoolName, rural.connectedMin, rural.intervals.length]).toEqual(['青山村小学', 33.5, 2]);
    expect(rural.lastLeaveAt).toBe(new Date(start.getTime() + 38.5 * MIN).toISOString());
  });

  it('links what exists and says what does not', async () => {
    const { evidence } = await evidenceAs('admin');
    expect(evidence!.recording).toEqual({ state: 'stopped' });
    expect(evidence!.analysis).toBe(false);
    expect(evidence!.rubricRaters).toBe(2);
    expect(evidence!.plans).toEqual([{ id: expect.any(String), title: '分数 教案', versions: 2 }]);
    expect(evidence!.sessions).toEqual([{ id: expect.any(String), title: '分数课诊断', kind: 'diagnosis', hasMinutes: true }]);
    expect(evidence!.links.replay).toBe(`/recordings/${lessonId}`);
    expect(evidence!.links.analysis).toBeNull();
    expect(evidence!.links.plans).toHaveLength(1);
    const bare = await evidenceAs('admin', bareLessonId);
    expect([bare.evidence!.recording, bare.evidence!.links.replay, bare.evidence!.plans, bare.evidence!.sessions]).toEqual([null, null, [], []]);
    // A lesson that has not taken place leaves no evidence.
    expect((await evidenceAs('admin', plannedId)).status).toBe(404);
  });

  it('writes the attendance as a CSV sign-in sheet in Shanghai time', async () => {
    const res = await get(api.url, `/api/workspace/lessons/${lessonId}/attendance.csv`, await login(api.url, 'qingshan-admin'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="attendance-2026-04-14.csv"');
    const bytes = Buffer.from(await res.arrayBuffer());
    // UTF-8 with BOM, so Excel opens the Chinese text correctly.
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = Papa.parse<Record<string, string>>(bytes.subarray(3).toString('utf8'), { header: true, skipEmptyLines: true }).data;
    const rural = rows.find((r) => r['角色'] === '接收')!;
    expect(rural).toEqual({
      学校: '青山村小学',
      教室: '四年级',
      角色: '接收',
      首次进入: '2026-04-14 09:02:00',
      最后离开: '2026-04-14 09:38:30',
      在线分钟: '33.5',
      在线时段: '09:02:00–09:10:00; 09:13:00–09:38:30',
    });
  });

  it('is seen by the lesson’s schools, the community and its bureau only; a reviewer gets no pictures', async () => {
    const reviewer = await evidenceAs('bureau-li');
    expect(reviewer.status).toBe(200);
    expect([reviewer.evidence!.links.replay, reviewer.evidence!.links.plans, reviewer.evidence!.attendance.length]).toEqual([null, [], 2]);
    expect((await evidenceAs('researcher-zhao')).status).toBe(200);
    expect((await evidenceAs('teacher-li')).status).toBe(200);
    // 石桥 took no part in this lesson.
    expect((await evidenceAs('shiqiao-admin')).status).toBe(403);
    expect((await evidenceAs('far-admin')).status).toBe(404);
    expect((await evidenceAs('far-reviewer')).status).toBe(404);
    const csv = await get(api.url, `/api/workspace/lessons/${lessonId}/attendance.csv`, await login(api.url, 'far-reviewer'));
    expect(csv.status).toBe(404);
  });
});
