// The targets count every kind of work the community does (issue 12): offline activities by the
// bureau's rule (submitted or accepted; accepted only when the bureau says so; drafts and returned
// ones never, each with its reason), and 师徒 mentoring derived from the records, for the pairing
// of the mentor's and the mentee's schools. The community's and the bureau's dashboards, which
// count in SQL groups, agree with the pairing's page, which judges one by one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import JSZip from 'jszip';
import { insertActivity, insertEvidence, markReviewed, markSubmitted } from '../../server/workspace/offlineActivitiesRepo.js';
import type { ReportData } from '../../server/contract/workspace/report.js';
import { createMentorPair } from '../../server/workspace/mentorRepo.js';
import { addLiveWatch } from '../../server/workspace/watchRepo.js';
import { setBureauSetting } from '../../server/workspace/offlineCountedRepo.js';
import type { CommunityProgressResponse, PairingProgressResponse } from '../../server/contract/workspace/progress.js';
import { login, seededDb, startApi, type Demo, type Server } from './api.helpers.js';
import { call, heldLesson, target } from './workspace-targets.helpers.js';

const YEAR = 2025;
let demo: Demo;
let api: Server;
let pairingId: string;
let communityId: string;
let bureauId: string;
let dataDir: string;
const PHOTO = Buffer.from('ffd8ffe000104a464946000101', 'hex');

beforeAll(async () => {
  demo = await seededDb();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-sources-'));
  api = await startApi({ db: demo.db, config: { secureCookies: false, dataDir } });
  const [city, qingshan] = [await demo.schoolId('滨江实验小学'), await demo.schoolId('青山村小学')];
  const p = (await demo.db.query<{ id: string; community_id: string }>('select id, community_id from pairings where city_school_id = $1 and rural_school_id = $2', [city, qingshan]))[0];
  pairingId = p.id;
  communityId = p.community_id;
  bureauId = (await demo.db.query<{ bureau_id: string }>('select bureau_id from communities where id = $1', [communityId]))[0].bureau_id;
  const admin = await demo.user('admin');
  const wang = await demo.user('teacher-wang');
  const li = await demo.user('teacher-li');
  const reviewer = await demo.user('bureau-li');

  // Five 送教下乡 of the village school in 2025: two accepted, one submitted, one returned, one draft.
  const logged = async (day: string, fate: 'accepted' | 'submitted' | 'returned' | 'draft') => {
    const a = await insertActivity(demo.db, {
      kind: 'send_teaching',
      day,
      place: `青山村小学 ${day}`,
      people: ['王老师'],
      description: '示范课',
      subject: '数学',
      teacherIds: [wang.id],
      pairingId,
      schoolId: qingshan,
      communityId,
      createdBy: admin.id,
    });
    if (fate === 'draft') return;
    if (day === '2025-03-05') {
      // Its photo, stored as the upload route stores it (the route itself: workspace-evidence.test.ts).
      const rel = `evidence/${a.id}/photo-1.jpg`;
      mkdirSync(path.join(dataDir, path.dirname(rel)), { recursive: true });
      writeFileSync(path.join(dataDir, rel), PHOTO);
      await insertEvidence(demo.db, { id: 'photo-1', activityId: a.id, path: rel, thumbPath: null, originalName: '合影.jpg', type: 'jpeg', sizeBytes: PHOTO.length, sha256: 'x', uploadedBy: admin.id });
    }
    await markSubmitted(demo.db, a.id);
    if (fate === 'accepted') await markReviewed(demo.db, a.id, { status: 'accepted', comment: '', reviewerId: reviewer.id });
    if (fate === 'returned') await markReviewed(demo.db, a.id, { status: 'returned', comment: '缺少签到表', reviewerId: reviewer.id });
  };
  await logged('2025-03-05', 'accepted');
  await logged('2025-04-09', 'accepted');
  await logged('2025-05-14', 'submitted');
  await logged('2025-06-11', 'returned');
  await logged('2025-07-02', 'draft');

  // 王老师 mentors 李老师 in 2025; 李老师 watched 王老师's lesson live for 25 minutes (≥ 20: counts).
  await createMentorPair(demo.db, communityId, admin.id, { mentorId: wang.id, menteeId: li.id, subject: '数学', startsOn: '2025-01-01', endsOn: '2025-12-31', goals: '' });
  const rooms = { city: await demo.classroomId('四年级(1)班'), qingshan: await demo.classroomId('四年级') };
  const lesson = await heldLesson(demo.db, wang, { day: '2025-09-16', host: rooms.city, receiving: [rooms.qingshan], presence: [[rooms.city, 0, 40], [rooms.qingshan, 0, 40]] });
  await addLiveWatch(demo.db, { userId: li.id, lessonId: lesson.id, seconds: 25 * 60, at: new Date('2025-09-16T02:00:00Z') });

  const cookie = await login(api.url, 'admin');
  const put = await call(api.url, 'PUT', `/api/workspace/pairings/${pairingId}/targets?year=${YEAR}`, cookie, {
    targets: [
      target(YEAR, { id: 'send', kinds: ['send_teaching'], threshold: 4 }),
      target(YEAR, { id: 'mentor', kinds: ['mentoring'], threshold: 2 }),
      target(YEAR, { id: 'sync', kinds: ['sync_lesson', 'send_teaching'], threshold: 10 }),
    ],
  });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
});
afterAll(async () => {
  await api?.close();
  await demo?.db.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function pairingProgress(): Promise<PairingProgressResponse> {
  const res = await call(api.url, 'GET', `/api/workspace/pairings/${pairingId}/progress?year=${YEAR}&asOf=${YEAR}-12-31`, await login(api.url, 'admin'));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as PairingProgressResponse;
}

async function communityCounts(): Promise<Record<string, number>> {
  const res = await call(api.url, 'GET', `/api/workspace/communities/${communityId}/progress?year=${YEAR}&asOf=${YEAR}-12-31`, await login(api.url, 'bureau-li'));
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const mine = (res.body as CommunityProgressResponse).pairings.find((p) => p.pairing.id === pairingId)!;
  return Object.fromEntries(mine.targets.map((t) => [t.target.id, t.evaluation.count]));
}

const countOf = (p: PairingProgressResponse, id: string) => p.targets.find((t) => t.target.id === id)!.evaluation.count;

describe('offline activities and mentoring in the targets', () => {
  it('count submitted and accepted offline activities, never drafts or returned ones, each with its reason', async () => {
    const p = await pairingProgress();
    expect(countOf(p, 'send')).toBe(3);
    const offline = p.activities.filter((a) => a.kind === 'send_teaching');
    expect(offline.map((a) => [a.day, a.counts, a.reason]).sort()).toEqual([
      ['2025-03-05', true, null],
      ['2025-04-09', true, null],
      ['2025-05-14', true, null],
      ['2025-06-11', false, 'returned'],
      ['2025-07-02', false, 'draft'],
    ]);
    // "同步课堂或送教下乡": one synchronous lesson and three 送教下乡 together.
    expect(countOf(p, 'sync')).toBe(4);
    expect(await communityCounts()).toEqual({ send: 3, mentor: 1, sync: 4 });
  });

  it('count a mentor pair’s derived activities for the pairing of their two schools', async () => {
    const p = await pairingProgress();
    expect(countOf(p, 'mentor')).toBe(1);
    const m = p.activities.filter((a) => a.kind === 'mentoring');
    expect(m.map((a) => [a.day, a.counts])).toEqual([['2025-09-16', true]]);
  });

  it('read the same in the yearly report, which lists the activities and packs their evidence', async () => {
    const cookie = await login(api.url, 'qingshan-admin');
    const res = await call(api.url, 'GET', `/api/workspace/pairings/${pairingId}/report?year=${YEAR}`, cookie);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const report = res.body as ReportData;
    const [p] = report.pairings;
    expect(Object.fromEntries(p.targets.map((t) => [t.id, t.evaluation.count]))).toEqual({ send: 3, mentor: 1, sync: 4 });
    expect(p.activities.filter((a) => a.kind === 'send_teaching').map((a) => [a.day, a.status])).toEqual([
      ['2025-03-05', 'accepted'],
      ['2025-04-09', 'accepted'],
      ['2025-05-14', 'pending'],
      ['2025-06-11', 'returned'],
    ]);
    expect(p.mentorPairs.map((m) => [m.mentorName, m.menteeName])).toContainEqual(['王老师', '李老师']);
    const zip = await fetch(`${api.url}/api/workspace/pairings/${pairingId}/report.zip?year=${YEAR}`, { headers: { cookie } });
    expect(zip.status).toBe(200);
    const pack = await JSZip.loadAsync(Buffer.from(await zip.arrayBuffer()));
    const photo = Object.keys(pack.files).find((n) => n.endsWith('合影.jpg'));
    expect(photo, Object.keys(pack.files).join('\n')).toBeDefined();
    expect(Buffer.from(await pack.file(photo!)!.async('uint8array')).equals(PHOTO)).toBe(true);
  });

  it('count accepted ones only once the bureau says so for the year', async () => {
    // (Its route is tested with the 核验 flow in workspace-review.test.ts.)
    await setBureauSetting(demo.db, await demo.user('bureau-li'), { bureauId, year: YEAR, acceptedOnly: true });
    const p = await pairingProgress();
    expect(countOf(p, 'send')).toBe(2);
    expect(p.activities.find((a) => a.day === '2025-05-14')!.reason).toBe('not_accepted');
    expect(await communityCounts()).toEqual({ send: 2, mentor: 1, sync: 3 });
  });
});
