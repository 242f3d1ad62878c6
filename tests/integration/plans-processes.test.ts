// 集体备课 across real OS processes: two `server/main.ts --web` processes on one real PostgreSQL
// and one real Redis, as a school district would run them. Editors on different processes
// converge; one process is killed outright and restarted while the other keeps editing; the
// database then holds every edit. Starting both processes at once also runs every migration
// on PostgreSQL, concurrently.
import { readFileSync } from 'node:fs';
import { freePort } from '../helpers/freePort.js';
import { reservePortBlock } from '../helpers/ports.js';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DemoAccounts } from '../../server/community/seed.js';
import type { PlanSummary } from '../../server/contract/planEvents.js';
import type { Db } from '../../server/db/db.js';
import { HeadlessEditor } from '../helpers/planEditor.js';
import { ensureMediasoupWorkerBin, waitFor } from '../helpers/liveServer.js';
import { startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { startTestRedis } from '../helpers/redis.js';
import { WebProcess, portsEnv, sharedEnv } from '../helpers/webProcess.js';

const PASSWORD = 'plans-processes-demo';

let pg: TestPostgres;
let redis: Awaited<ReturnType<typeof startTestRedis>>;
let db: Db;
let a: WebProcess;
let b: WebProcess;
let demo: DemoAccounts;
let migrated: number[] = [];
const cookies: Record<string, string> = {};
const editors: HeadlessEditor[] = [];

beforeAll(async () => {
  ensureMediasoupWorkerBin();
  [pg, redis] = await Promise.all([startTestPostgres(), startTestRedis()]);
  const common = sharedEnv({ databaseUrl: pg.url, redisUrl: redis.url, password: PASSWORD });
  // Both processes in one reserved block: 200 ports each (tests/helpers/ports.ts).
  const portBase = reservePortBlock();
  a = new WebProcess('process A', await freePort(), { ...common, ...portsEnv(portBase) }, ['--seed-demo']);
  b = new WebProcess('process B', await freePort(), { ...common, ...portsEnv(portBase + 200) }, []);
  // Both at once on an empty PostgreSQL: they race to migrate, as replicas starting together do.
  await Promise.all([a.start(), b.start()]);
  demo = JSON.parse(readFileSync(path.join(a.dataDir, 'demo-accounts.json'), 'utf8'));
  // Read before this test opens the database itself (which would migrate whatever is missing).
  const { default: pgClient } = await import('pg');
  const raw = new pgClient.Client({ connectionString: pg.url });
  await raw.connect();
  migrated = (await raw.query<{ version: number }>('select version from schema_migrations order by version')).rows.map((r) => r.version);
  await raw.end();
  const { openDb } = await import('../../server/db/db.js');
  db = await openDb({ databaseUrl: pg.url });
  for (const [user, proc] of [['teacher-wang', a], ['teacher-li', b]] as const) cookies[user] = await login(proc, user);
}, 150_000);

afterAll(async () => {
  for (const e of editors) e.close();
  await Promise.all([a?.dispose(), b?.dispose()]);
  await db?.close();
  await Promise.all([pg?.stop(), redis?.stop()]);
}, 60_000);

async function login(proc: WebProcess, username: string): Promise<string> {
  const res = await fetch(`${proc.url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('tongbu_session='));
  if (!cookie) throw new Error(`no session cookie for ${username}`);
  return cookie.split(';')[0];
}

async function editor(proc: WebProcess, user: string, planId: string, opts: { reconnection?: boolean } = {}) {
  const e = new HeadlessEditor(proc.url, cookies[user], planId, opts);
  editors.push(e);
  return e.connect();
}

/** The plan as stored in PostgreSQL (snapshot + appended updates), read without any server. */
async function storedText(planId: string): Promise<string> {
  const [{ loadState }, { docFromUpdates }] = await Promise.all([import('../../server/plans/store.js'), import('../../server/plans/ydoc.js')]);
  const doc = docFromUpdates([await loadState(db, planId)]);
  try {
    return doc.getXmlFragment('default').toString();
  } finally {
    doc.destroy();
  }
}

const marks = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}.`);
const hasAll = (text: string, all: string[]) => all.every((m) => text.includes(m));

describe('plans on two OS processes sharing PostgreSQL and Redis', () => {
  it('ran every migration once on PostgreSQL, though both processes started together', async () => {
    expect(db.kind).toBe('postgres');
    const { MIGRATIONS } = await import('../../server/db/migrations.js');
    expect(migrated).toEqual(MIGRATIONS.map((m) => m.version).sort((x, y) => x - y));
    // The product's own tables are there and in use on PostgreSQL.
    const users = await db.query<{ n: string }>('select count(*) as n from users');
    expect(Number(users[0].n)).toBe(demo.users.length);
  });

  it('editors on different processes converge; one process crashes and restarts while the other keeps editing; nothing is lost', async () => {
    // The two paired schools' teachers: 王 (city) on process A, 李 (rural) on process B.
    const created = await fetch(`${a.url}/api/plans`, {
      method: 'POST',
      headers: { cookie: cookies['teacher-wang'], 'content-type': 'application/json' },
      body: JSON.stringify({ title: '两个进程', lessonId: demo.lessonId }),
    });
    expect(created.status).toBe(201);
    const plan = ((await created.json()) as { plan: PlanSummary }).plan;
    const wang = await editor(a, 'teacher-wang', plan.id, { reconnection: true });
    const li = await editor(b, 'teacher-li', plan.id);
    expect(wang.text()).toBe(li.text());
    expect(wang.text()).toContain('教学目标');

    // Concurrent: both type before seeing the other's keystrokes.
    const wangMarks = marks('城', 30);
    const liMarks = marks('乡', 30);
    const t1 = wang.appendParagraph('城区：');
    const t2 = li.appendParagraph('乡村：');
    for (let i = 0; i < 30; i++) {
      t1.insert(t1.length, wangMarks[i]);
      t2.insert(t2.length, liMarks[i]);
    }
    await waitFor(() => hasAll(wang.text(), liMarks) && hasAll(li.text(), wangMarks), 10_000, 'each to see the other process');
    await waitFor(() => wang.text() === li.text(), 10_000, 'identical documents');
    // Stored in PostgreSQL as they arrived, by both processes.
    await waitFor(async () => (await storedText(plan.id)) === wang.text(), 10_000, 'PostgreSQL to hold both teachers’ edits');

    // Process A crashes. 王 keeps typing offline; 李 keeps typing on process B, where another
    // editor (王's second window) sees it live: B does not depend on A.
    await a.kill();
    await waitFor(() => !wang.socket.connected, 10_000, 'A’s editor to notice the crash');
    const watcher = await editor(b, 'teacher-wang', plan.id);
    const offline = marks('断线', 10);
    const during = marks('继续', 10);
    const t3 = wang.appendParagraph('');
    const t4 = li.appendParagraph('');
    for (let i = 0; i < 10; i++) {
      t3.insert(t3.length, offline[i]);
      t4.insert(t4.length, during[i]);
    }
    await waitFor(() => hasAll(watcher.text(), during), 10_000, 'edits on B while A is down');
    await waitFor(async () => hasAll(await storedText(plan.id), during), 10_000, 'B to store them while A is down');
    expect(hasAll(await storedText(plan.id), offline)).toBe(false);

    // A comes back on its port: 王 reconnects by itself and the offline edits merge everywhere.
    await a.start();
    await waitFor(() => wang.socket.connected, 20_000, '王 to reconnect to A');
    const everything = [...wangMarks, ...liMarks, ...offline, ...during];
    await waitFor(() => hasAll(wang.text(), everything) && hasAll(li.text(), everything) && hasAll(watcher.text(), everything), 15_000, 'all editors to have every edit');
    await waitFor(() => wang.text() === li.text() && li.text() === watcher.text(), 10_000, 'all editors to converge');

    // Reloaded: fresh editors on each process, and the database itself, hold the same document.
    const freshA = await editor(a, 'teacher-li', plan.id);
    const freshB = await editor(b, 'teacher-wang', plan.id);
    expect(freshA.text()).toBe(wang.text());
    expect(freshB.text()).toBe(wang.text());
    await waitFor(async () => (await storedText(plan.id)) === wang.text(), 10_000, 'PostgreSQL to hold every edit');
    const content = await fetch(`${b.url}/api/plans/${plan.id}/content`, { headers: { cookie: cookies['teacher-li'] } });
    const doc = JSON.stringify(((await content.json()) as { doc: unknown }).doc);
    for (const m of everything) expect(doc).toContain(m);
  }, 120_000);
});
