// 教共体 yearly plans stored (issue 12), on the real database and through the HTTP API: targets
// validated on write and on read, last year's plan copied with its dates a year on, the
// bureau's template in force for a community without targets, a pairing's own targets in force
// instead of its community's, and the research module's old targets migrated.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedMilestones, targetSchema } from '../../server/contract/workspace/targets.js';
import { shiftDayOneYear } from '../../server/contract/workspace/plan.js';
import { findBureauByName } from '../../server/workspace/orgRepo.js';
import { DEMO_BUREAU_NAME } from '../../server/community/seed.js';
import { RESEARCH_TARGETS_TO_WORKSPACE } from '../../server/workspace/targetsMigrations.js';
import { scopeTargets } from '../../server/workspace/targetsRepo.js';
import { login, otherCommunity, seededDb, startApi, type Demo, type Server } from './api.helpers.js';
import { call, target } from './workspace-targets.helpers.js';

let demo: Demo;
let api: Server;
let communityId: string;
let bureauId: string;
let pairingA: string;
let pairingB: string;
const cookies: Record<string, string> = {};
const plan = (year: number) => `/api/workspace/communities/${communityId}/targets?year=${year}`;

beforeAll(async () => {
  demo = await seededDb();
  await otherCommunity(demo.db);
  api = await startApi({ db: demo.db, config: { secureCookies: false } });
  const rows = await demo.db.query<{ id: string; community_id: string }>(
    'select p.id, p.community_id from pairings p join schools r on r.id = p.rural_school_id where r.name in ($1, $2) order by r.name desc',
    ['青山村小学', '石桥乡中心小学'],
  );
  [pairingA, pairingB] = rows.map((r) => r.id);
  communityId = rows[0].community_id;
  bureauId = (await findBureauByName(demo.db, DEMO_BUREAU_NAME))!.id;
  for (const u of ['admin', 'researcher-zhao', 'teacher-wang', 'bureau-li', 'far-admin']) cookies[u] = await login(api.url, u);
});
afterAll(async () => {
  await api?.close();
  await demo?.db.close();
});

describe('a community’s targets of a year', () => {
  it('are stored as given and read back; only the community admin changes them, authorised before the body is read', async () => {
    const t = target(2025, { id: 'sync', kinds: ['sync_lesson', 'send_teaching'], threshold: 10, breadth: { minTeachers: 3, everyMonth: true, exceptMonths: [2, 7, 8] }, milestones: seedMilestones(2025) });
    const put = await call(api.url, 'PUT', plan(2025), cookies.admin, { targets: [t] });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ year: 2025, own: [t], targets: [t], source: 'own' });
    expect((await call(api.url, 'GET', plan(2025), cookies['researcher-zhao'])).body.own).toEqual([t]);
    // A researcher reads but does not change; a teacher does not read the community's plan; a stranger finds nothing.
    expect((await call(api.url, 'PUT', plan(2025), cookies['researcher-zhao'], { targets: [] })).status).toBe(403);
    expect((await call(api.url, 'GET', plan(2025), cookies['teacher-wang'])).status).toBe(403);
    expect((await call(api.url, 'PUT', plan(2025), cookies['far-admin'], { nonsense: true })).status).toBe(404);
    expect((await call(api.url, 'PUT', plan(2025), cookies['bureau-li'], { nonsense: true })).status).toBe(403);
  });

  it('refuses invalid targets and leaves the stored ones as they were', async () => {
    const bad = [
      [{ ...target(2025, { id: 'x', kinds: ['sync_lesson'], threshold: 1 }), terms: [{ from: '2025-01-01', threshold: 0 }] }], // threshold 0
      [target(2024, { id: 'x', kinds: ['sync_lesson'], threshold: 3 })], // another year
      [target(2025, { id: 'x', kinds: ['sync_lesson'], threshold: 3 }), target(2025, { id: 'x', kinds: ['report'], threshold: 1 })], // one id twice
      [{ ...target(2025, { id: 'x', kinds: ['sync_lesson'], threshold: 3 }), terms: [{ from: '2026-03-01', threshold: 3 }] }], // terms after the year
      [{ ...target(2025, { id: 'x', kinds: ['report'], threshold: 3 }), kinds: ['lunch'] }], // no such kind
    ];
    for (const targets of bad) expect((await call(api.url, 'PUT', plan(2025), cookies.admin, { targets })).status).toBe(400);
    expect((await call(api.url, 'GET', plan(2025), cookies.admin)).body.own.map((t: { id: string }) => t.id)).toEqual(['sync']);
  });

  it('a stored row that no longer parses is left out on read, the others stay', async () => {
    const extra = target(2025, { id: 'reports', kinds: ['report'], threshold: 2 });
    const before = (await call(api.url, 'GET', plan(2025), cookies.admin)).body.own;
    await call(api.url, 'PUT', plan(2025), cookies.admin, { targets: [...before, extra] });
    await demo.db.query(`update workspace_targets set target = jsonb_set(target, '{kinds}', '["lunch"]') where community_id = $1 and year = 2025 and target_id = 'reports'`, [communityId]);
    expect((await scopeTargets(demo.db, { communityId, pairingId: null }, 2025)).map((t) => t.id)).toEqual(['sync']);
    await call(api.url, 'PUT', plan(2025), cookies.admin, { targets: before });
  });
});

describe('copying last year’s plan', () => {
  it('copies the targets with the year, each term and each milestone a year later; once', async () => {
    const last = (await call(api.url, 'GET', plan(2025), cookies.admin)).body.own;
    const copy = await call(api.url, 'POST', `/api/workspace/communities/${communityId}/targets/copy-last-year`, cookies.admin, { year: 2026 });
    expect(copy.status).toBe(201);
    const [t] = copy.body.own;
    expect(t.year).toEqual({ from: '2026-01-01', to: '2026-12-31' });
    expect(t.terms[0].from).toBe('2026-01-01');
    expect(t.terms[0].milestones).toEqual(seedMilestones(2026));
    expect({ ...t, year: last[0].year, terms: last[0].terms }).toEqual(last[0]); // nothing else changed
    // The year has targets now: copying again would overwrite them.
    expect((await call(api.url, 'POST', `/api/workspace/communities/${communityId}/targets/copy-last-year`, cookies.admin, { year: 2026 })).status).toBe(409);
    // 2030 has no 2029 to copy.
    expect((await call(api.url, 'POST', `/api/workspace/communities/${communityId}/targets/copy-last-year`, cookies.admin, { year: 2030 })).status).toBe(404);
    expect((await call(api.url, 'POST', `/api/workspace/communities/${communityId}/targets/copy-last-year`, cookies['researcher-zhao'], { year: 2027 })).status).toBe(403);
  });

  it('29 February becomes 28 February; other days keep their month and day', () => {
    expect(shiftDayOneYear('2028-02-29')).toBe('2029-02-28');
    expect(shiftDayOneYear('2027-02-28')).toBe('2028-02-28');
    expect(shiftDayOneYear('2025-12-31')).toBe('2026-12-31');
  });
});

describe('the bureau’s template', () => {
  const template = (year: number) => `/api/workspace/bureaus/${bureauId}/template?year=${year}`;
  const tpl = target(2027, { id: 'bureau-sync', kinds: ['sync_lesson'], threshold: 12, milestones: seedMilestones(2027) });

  it('is published by the bureau’s reviewer only', async () => {
    expect((await call(api.url, 'PUT', template(2027), cookies.admin, { targets: [tpl] })).status).toBe(404);
    const put = await call(api.url, 'PUT', template(2027), cookies['bureau-li'], { targets: [tpl] });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ bureauId, year: 2027, targets: [tpl] });
    expect(put.body.publishedAt).toEqual(expect.any(String));
  });

  it('is in force for a community’s year without targets of its own, for each of its pairings, until the community starts its own', async () => {
    expect((await call(api.url, 'GET', plan(2027), cookies.admin)).body).toMatchObject({ own: [], targets: [tpl], source: 'template', hasTemplate: true });
    const progress = await call(api.url, 'GET', `/api/workspace/pairings/${pairingA}/progress?year=2027`, cookies.admin);
    expect(progress.body).toMatchObject({ source: 'template', targets: [{ target: tpl, evaluation: { threshold: 12 } }] });
    // A year with neither: nothing in force, and the plan says so.
    expect((await call(api.url, 'GET', plan(2031), cookies.admin)).body).toMatchObject({ source: 'none', targets: [], canCopyLastYear: false, hasTemplate: false });

    const started = await call(api.url, 'POST', `/api/workspace/communities/${communityId}/targets/from-template`, cookies.admin, { year: 2027 });
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ own: [tpl], source: 'own' });
    // The community's own copy stays when the bureau changes its template later.
    await call(api.url, 'PUT', template(2027), cookies['bureau-li'], { targets: [{ ...tpl, terms: [{ ...tpl.terms[0], threshold: 20 }] }] });
    expect((await call(api.url, 'GET', plan(2027), cookies.admin)).body.targets[0].terms[0].threshold).toBe(12);
    expect((await call(api.url, 'POST', `/api/workspace/communities/${communityId}/targets/from-template`, cookies.admin, { year: 2028 })).status).toBe(404);
  });
});

describe('a pairing’s own targets', () => {
  it('are in force for that pairing instead of the community’s; the other pairing keeps the community’s', async () => {
    const own = target(2026, { id: 'qingshan', kinds: ['sync_lesson'], threshold: 6 });
    const path = `/api/workspace/pairings/${pairingA}/targets?year=2026`;
    expect((await call(api.url, 'GET', path, cookies['teacher-wang'])).body).toMatchObject({ source: 'community' });
    expect((await call(api.url, 'PUT', path, cookies['teacher-wang'], { targets: [own] })).status).toBe(403);
    expect((await call(api.url, 'PUT', path, cookies.admin, { targets: [own] })).body).toMatchObject({ source: 'own', targets: [own] });
    const progress = await call(api.url, 'GET', `/api/workspace/communities/${communityId}/progress?year=2026`, cookies.admin);
    const sources = Object.fromEntries(progress.body.pairings.map((p: { pairing: { id: string }; source: string; targets: { target: { id: string } }[] }) => [p.pairing.id, [p.source, p.targets.map((t) => t.target.id)]]));
    expect(sources).toEqual({ [pairingA]: ['own', ['qingshan']], [pairingB]: ['community', ['sync']] });
    // An empty list: the pairing follows its community again.
    expect((await call(api.url, 'PUT', path, cookies.admin, { targets: [] })).body).toMatchObject({ source: 'community' });
  });
});

describe('the research module’s old targets', () => {
  it('become two targets of that pairing’s year: synchronous lessons, and research sessions of any kind', async () => {
    await demo.db.query('insert into research_targets (pairing_id, year, min_lessons, min_sessions) values ($1, 2024, 8, 3), ($2, 2024, 10, 4)', [pairingA, pairingB]);
    await demo.db.query(RESEARCH_TARGETS_TO_WORKSPACE);
    const a = await scopeTargets(demo.db, { communityId, pairingId: pairingA }, 2024);
    expect(a.map((t) => targetSchema.parse(t))).toEqual([
      { id: 'research-lessons', title: '同步课堂不少于8节', kinds: ['sync_lesson'], year: { from: '2024-01-01', to: '2024-12-31' }, terms: [{ from: '2024-01-01', threshold: 8, breadth: {}, milestones: [] }] },
      {
        id: 'research-sessions',
        title: '网络研修不少于3次',
        kinds: ['collective_prep', 'teaching_diagnosis', 'thematic_research'],
        year: { from: '2024-01-01', to: '2024-12-31' },
        terms: [{ from: '2024-01-01', threshold: 3, breadth: {}, milestones: [] }],
      },
    ]);
    expect((await scopeTargets(demo.db, { communityId, pairingId: pairingB }, 2024)).map((t) => t.terms[0].threshold)).toEqual([10, 4]);
  });

  it('the research page’s route writes and reads them in the new model', async () => {
    const old = (year: number) => `/api/research/targets?year=${year}`;
    const row = (body: { targets: { pairingId: string }[] }, id: string) => body.targets.find((x) => x.pairingId === id);
    // No targets of the pairings' own in 2029: the research page's defaults.
    expect(row((await call(api.url, 'GET', old(2029), cookies.admin)).body, pairingA)).toMatchObject({ minLessons: 10, minSessions: 4 });
    const set = await call(api.url, 'POST', `/api/research/targets/${pairingA}/2029`, cookies.admin, { minLessons: 12, minSessions: 5 });
    expect(row(set.body, pairingA)).toMatchObject({ minLessons: 12, minSessions: 5 });
    const own = (await call(api.url, 'GET', `/api/workspace/pairings/${pairingA}/targets?year=2029`, cookies.admin)).body;
    expect(own.source).toBe('own');
    expect(own.own.map((t: { id: string; terms: { threshold: number }[] }) => [t.id, t.terms[0].threshold])).toEqual([
      ['research-lessons', 12],
      ['research-sessions', 5],
    ]);
    // A minimum of 0 is no target: the pairing keeps the other one.
    const zero = await call(api.url, 'POST', `/api/research/targets/${pairingA}/2029`, cookies.admin, { minLessons: 0, minSessions: 5 });
    expect(row(zero.body, pairingA)).toMatchObject({ minLessons: 0, minSessions: 5 });
    expect((await scopeTargets(demo.db, { communityId, pairingId: pairingA }, 2029)).map((t) => t.id)).toEqual(['research-sessions']);
    expect(row(zero.body, pairingB)).toMatchObject({ minLessons: 10, minSessions: 4 });
  });
});
