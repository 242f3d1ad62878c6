// The bureau's check (核验) of offline activities on the real database: submit, return with a
// comment (the school is told), edit and resubmit, accept; the audit log of every step with its
// before and after; what counts toward the targets with and without the bureau's accepted-only
// rule; evidence that survives a restart of the server and the database.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../server/db/db.js';
import { seedDemo } from '../../server/community/seed.js';
import type { AuditEntry, WorkspaceActivity, WorkspaceNotification } from '../../server/contract/workspace/activities.js';
import { evaluateTarget, targetSchema } from '../../server/contract/workspace/targets.js';
import { acceptedOnlyFor, offlineCountedActivities } from '../../server/workspace/offlineCountedRepo.js';
import { DEMO_PASSWORD, login, seededDb, type Demo, type Server } from './api.helpers.js';
import { ffmpegImage, send, startActivitiesApi, tempDir, upload } from './workspace-evidence.helpers.js';

let demo: Demo;
let api: Server;
let dataDir: string;
let jpeg: Buffer;
let c: Record<'cityAdmin' | 'wang' | 'admin' | 'reviewer' | 'researcher' | 'qingshanAdmin', string>;
let city: string;
let pairingId: string;
let communityId: string;
let bureauId: string;

beforeAll(async () => {
  demo = await seededDb();
  dataDir = await tempDir('tongbu-review-');
  api = await startActivitiesApi(demo.db, dataDir);
  jpeg = await ffmpegImage(dataDir, 'fixture.jpg', '640x480');
  city = await demo.schoolId('滨江实验小学');
  const qingshan = await demo.schoolId('青山村小学');
  const p = (await demo.db.query<{ id: string; community_id: string }>('select id, community_id from pairings where city_school_id = $1 and rural_school_id = $2', [city, qingshan]))[0];
  [pairingId, communityId] = [p.id, p.community_id];
  bureauId = (await demo.db.query<{ bureau_id: string }>('select bureau_id from communities where id = $1', [communityId]))[0].bureau_id;
  c = {
    cityAdmin: await login(api.url, 'city-admin'),
    wang: await login(api.url, 'teacher-wang'),
    admin: await login(api.url, 'admin'),
    reviewer: await login(api.url, 'bureau-li'),
    researcher: await login(api.url, 'researcher-zhao'),
    qingshanAdmin: await login(api.url, 'qingshan-admin'),
  };
});
afterAll(async () => {
  await api?.close();
  await demo?.db.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

const body = async <T>(res: Response, status = 200): Promise<T> => {
  expect(res.status, await res.clone().text()).toBe(status);
  return (await res.json()) as T;
};

/** An activity logged by `cookie` for the city school on `day`, with one photo; submitted unless told otherwise. */
async function logged(cookie: string, day: string, o: { submit?: boolean; teacherIds?: string[]; kind?: string } = {}): Promise<WorkspaceActivity> {
  const { activity } = await body<{ activity: WorkspaceActivity }>(
    await send(api.url, 'POST', `/api/workspace/schools/${city}/activities`, cookie, {
      kind: o.kind ?? 'send_teaching',
      day,
      place: '青山村小学',
      people: ['王老师'],
      subject: '数学',
      pairingId,
      teacherIds: o.teacherIds ?? [],
    }),
    201,
  );
  expect((await upload(api.url, activity.id, 'photo.jpg', jpeg, cookie)).status).toBe(201);
  if (o.submit === false) return activity;
  return (await body<{ activity: WorkspaceActivity }>(await send(api.url, 'POST', `/api/workspace/activities/${activity.id}/submit`, cookie))).activity;
}

describe('核验', () => {
  it('returns with a comment (the school is told), takes the edited resubmission and accepts it, all in the audit log', async () => {
    // Nothing to check without evidence.
    const bare = await body<{ activity: WorkspaceActivity }>(
      await send(api.url, 'POST', `/api/workspace/schools/${city}/activities`, c.wang, { kind: 'offline_research', day: '2026-04-02', place: '滨江实验小学' }),
      201,
    );
    expect((await send(api.url, 'POST', `/api/workspace/activities/${bare.activity.id}/submit`, c.wang)).status).toBe(400);

    const a = await logged(c.wang, '2026-04-08');
    expect(a.status).toBe('submitted');
    const queue = await body<{ activities: WorkspaceActivity[] }>(await send(api.url, 'GET', '/api/workspace/review', c.reviewer));
    const queued = queue.activities.find((x) => x.id === a.id);
    expect(queued?.evidence).toHaveLength(1);

    expect((await send(api.url, 'POST', `/api/workspace/activities/${a.id}/review`, c.reviewer, { decision: 'return' })).status).toBe(400); // a return says why
    const returned = await body<{ activity: WorkspaceActivity }>(
      await send(api.url, 'POST', `/api/workspace/activities/${a.id}/review`, c.reviewer, { decision: 'return', comment: '请补充签到表照片' }),
    );
    expect(returned.activity).toMatchObject({ status: 'returned', reviewComment: '请补充签到表照片', reviewedByName: '李科长' });
    // Checked once: a second decision on a returned activity is refused.
    expect((await send(api.url, 'POST', `/api/workspace/activities/${a.id}/review`, c.reviewer, { decision: 'accept' })).status).toBe(409);

    // The school's admin and the teacher who logged it are told; 青山's admin is not.
    const told = await body<{ notifications: WorkspaceNotification[]; unread: number }>(await send(api.url, 'GET', '/api/workspace/notifications', c.cityAdmin));
    const n = told.notifications.find((x) => x.params.activityId === a.id);
    expect(n).toMatchObject({ key: 'activity.returned', readAt: null, params: { comment: '请补充签到表照片', kind: 'send_teaching', day: '2026-04-08' } });
    expect(told.unread).toBeGreaterThanOrEqual(1);
    const wangTold = await body<{ notifications: WorkspaceNotification[] }>(await send(api.url, 'GET', '/api/workspace/notifications', c.wang));
    expect(wangTold.notifications.some((x) => x.params.activityId === a.id)).toBe(true);
    const other = await body<{ notifications: WorkspaceNotification[] }>(await send(api.url, 'GET', '/api/workspace/notifications', c.qingshanAdmin));
    expect(other.notifications.some((x) => x.params.activityId === a.id)).toBe(false);
    // Marking read is per person, and only one's own.
    expect((await body<{ marked: number }>(await send(api.url, 'POST', '/api/workspace/notifications/read', c.qingshanAdmin, { ids: [n!.id] }))).marked).toBe(0);
    const read = await body<{ marked: number; unread: number }>(await send(api.url, 'POST', '/api/workspace/notifications/read', c.cityAdmin, { ids: [n!.id] }));
    expect(read).toEqual({ marked: 1, unread: told.unread - 1 });

    // The school fixes it and sends it again; the reviewer accepts.
    expect((await upload(api.url, a.id, '签到表.jpg', jpeg, c.cityAdmin)).status).toBe(201);
    await body(await send(api.url, 'POST', `/api/workspace/activities/${a.id}`, c.cityAdmin, { description: '补充了签到表' }));
    await body(await send(api.url, 'POST', `/api/workspace/activities/${a.id}/submit`, c.cityAdmin));
    const accepted = await body<{ activity: WorkspaceActivity }>(await send(api.url, 'POST', `/api/workspace/activities/${a.id}/review`, c.reviewer, { decision: 'accept' }));
    expect(accepted.activity.status).toBe('accepted');
    // Final: no edit, no upload, no delete.
    expect((await send(api.url, 'POST', `/api/workspace/activities/${a.id}`, c.cityAdmin, { place: 'x' })).status).toBe(409);
    expect((await upload(api.url, a.id, 'late.jpg', jpeg, c.cityAdmin)).status).toBe(409);
    expect((await send(api.url, 'DELETE', `/api/workspace/activities/${a.id}`, c.cityAdmin)).status).toBe(409);

    // The audit log, newest first: every step with who and what it changed.
    const { entries } = await body<{ entries: AuditEntry[] }>(await send(api.url, 'GET', `/api/workspace/communities/${communityId}/audit?entityId=${a.id}`, c.admin));
    expect(entries.map((e) => [e.action, e.actorName])).toEqual([
      ['accept', '李科长'],
      ['submit', '刘校长'],
      ['update', '刘校长'],
      ['return', '李科长'],
      ['submit', '王老师'],
      ['create', '王老师'],
    ]);
    const status = (x: unknown) => (x as { status?: string } | null)?.status ?? null;
    expect(entries.map((e) => [status(e.before), status(e.after)])).toEqual([
      ['submitted', 'accepted'],
      ['returned', 'submitted'],
      ['returned', 'returned'],
      ['submitted', 'returned'],
      ['draft', 'submitted'],
      [null, 'draft'],
    ]);
    const update = entries[2];
    expect([(update.before as { description: string }).description, (update.after as { description: string }).description]).toEqual(['', '补充了签到表']);
    expect((update.after as { evidence: unknown[] }).evidence).toHaveLength(2);
    // Evidence changes are logged too, under the community.
    const all = await body<{ entries: AuditEntry[] }>(await send(api.url, 'GET', `/api/workspace/communities/${communityId}/audit?limit=500`, c.reviewer));
    expect(all.entries.filter((e) => e.action === 'evidence_add' && (e.after as { activityId: string }).activityId === a.id)).toHaveLength(2);

    // The log is for the community's admin and the bureau; and it cannot be rewritten.
    expect((await send(api.url, 'GET', `/api/workspace/communities/${communityId}/audit`, c.researcher)).status).toBe(403);
    expect((await send(api.url, 'GET', `/api/workspace/communities/${communityId}/audit`, c.cityAdmin)).status).toBe(403);
    await expect(demo.db.query(`update workspace_audit set actor_name = 'x' where entity_id = $1`, [a.id])).rejects.toThrow(/append-only/);
    await expect(demo.db.query(`delete from workspace_audit where entity_id = $1`, [a.id])).rejects.toThrow(/append-only/);
  });
});

describe('what counts toward the targets', () => {
  it('submitted and accepted activities count; with the bureau’s accepted-only rule, accepted ones only', async () => {
    const teachers = (await demo.db.query<{ id: string }>(`select id from users where username in ('teacher-wang', 'city-admin') order by username`)).map((r) => r.id);
    const accepted = await logged(c.cityAdmin, '2026-05-06', { teacherIds: teachers });
    const waiting = await logged(c.cityAdmin, '2026-05-13', { kind: 'teacher_visit' });
    const sentBack = await logged(c.cityAdmin, '2026-05-20');
    const draft = await logged(c.cityAdmin, '2026-05-27', { submit: false });
    const outside = await logged(c.cityAdmin, '2026-06-03');
    await body(await send(api.url, 'POST', `/api/workspace/activities/${accepted.id}/review`, c.reviewer, { decision: 'accept' }));
    await body(await send(api.url, 'POST', `/api/workspace/activities/${sentBack.id}/review`, c.reviewer, { decision: 'return', comment: '照片看不清' }));

    const period = { from: '2026-05-01', to: '2026-05-31' };
    const ids = (xs: { id: string }[]) => xs.map((x) => x.id);
    const all = await offlineCountedActivities(demo.db, { pairingId, ...period, acceptedOnly: false });
    expect(ids(all)).toEqual([accepted.id, waiting.id]);
    expect(ids(all)).not.toContain(draft.id);
    expect(ids(all)).not.toContain(sentBack.id);
    expect(ids(all)).not.toContain(outside.id);
    expect(all[0]).toEqual({ id: accepted.id, kind: 'send_teaching', day: '2026-05-06', subject: '数学', teacherIds: teachers });
    expect(ids(await offlineCountedActivities(demo.db, { pairingId, ...period, acceptedOnly: true }))).toEqual([accepted.id]);
    expect(ids(await offlineCountedActivities(demo.db, { communityIds: [communityId], ...period, acceptedOnly: true }))).toEqual([accepted.id]);
    expect(await offlineCountedActivities(demo.db, { communityIds: [], ...period, acceptedOnly: false })).toEqual([]);

    // The rule is the bureau's, per year; only its reviewers set it, and the change is logged.
    expect(await acceptedOnlyFor(demo.db, communityId, 2026)).toBe(false);
    expect((await send(api.url, 'POST', `/api/workspace/bureaus/${bureauId}/settings/2026`, c.admin, { acceptedOnly: true })).status).toBe(404);
    await body(await send(api.url, 'POST', `/api/workspace/bureaus/${bureauId}/settings/2026`, c.reviewer, { acceptedOnly: true }));
    expect(await body(await send(api.url, 'GET', `/api/workspace/bureaus/${bureauId}/settings/2026`, c.reviewer))).toEqual({ setting: { bureauId, year: 2026, acceptedOnly: true } });
    expect(await acceptedOnlyFor(demo.db, communityId, 2026)).toBe(true);
    expect(await acceptedOnlyFor(demo.db, communityId, 2027)).toBe(false);
    const logged2026 = await demo.db.query<{ before: unknown; after: unknown }>(`select before, after from workspace_audit where entity_id = $1`, [`${bureauId}/2026`]);
    expect(logged2026).toHaveLength(1);

    // Evaluated against a target of 2 送教下乡 / 教师互访 in May: met unless only accepted ones count.
    const target = targetSchema.parse({
      id: 't',
      title: '五月送教与互访不少于2次',
      kinds: ['send_teaching', 'teacher_visit'],
      year: { from: '2026-05-01', to: '2026-05-31' },
      terms: [{ from: '2026-05-01', threshold: 2 }],
    });
    const counted = async (acceptedOnly: boolean) => evaluateTarget(target, await offlineCountedActivities(demo.db, { pairingId, ...period, acceptedOnly }), '2026-05-31').met;
    expect(await counted(await acceptedOnlyFor(demo.db, communityId, 2026))).toBe(false);
    expect(await counted(false)).toBe(true);
  });
});

describe('evidence survives a restart', () => {
  it('is served again by a new server on the same database folder and data folder', async () => {
    const root = await tempDir('tongbu-restart-');
    try {
      let db = await openDb({ dataDir: path.join(root, 'db') });
      await seedDemo(db, { password: DEMO_PASSWORD });
      const school = (await db.query<{ id: string }>(`select id from schools where name = '滨江实验小学'`))[0].id;
      let server = await startActivitiesApi(db, path.join(root, 'data'));
      const cookie = await login(server.url, 'city-admin');
      const created = await body<{ activity: WorkspaceActivity }>(
        await send(server.url, 'POST', `/api/workspace/schools/${school}/activities`, cookie, { kind: 'student_exchange', day: '2026-03-20', place: '滨江实验小学' }),
        201,
      );
      const up = await body<{ evidence: { id: string } }>(await upload(server.url, created.activity.id, '手拉手.jpg', jpeg, cookie), 201);
      await server.close();
      await db.close();

      db = await openDb({ dataDir: path.join(root, 'db') });
      server = await startActivitiesApi(db, path.join(root, 'data'));
      try {
        const again = await login(server.url, 'city-admin');
        const file = await send(server.url, 'GET', `/api/workspace/evidence/${up.evidence.id}/file`, again);
        expect(file.status).toBe(200);
        expect(Buffer.from(await file.arrayBuffer()).equals(jpeg)).toBe(true);
        expect((await send(server.url, 'GET', `/api/workspace/evidence/${up.evidence.id}/thumb`, again)).status).toBe(200);
      } finally {
        await server.close();
        await db.close();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
    // Two persistent databases opened and a seed with password hashing: slow on a shared machine.
  }, 120_000);
});
