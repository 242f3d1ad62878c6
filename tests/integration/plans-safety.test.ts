// Plans that fail safe (issue 10): an update that makes no valid plan is refused and stored
// nowhere; a stored history that holds one still opens; an update whose dependencies the
// server lacks is not stored but answered with a resync; cursors carry the sender's own name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { PlanSummary } from '../../server/contract/planEvents.js';
import { PLAN_CURSOR_COLOURS } from '../../server/contract/planEvents.js';
import { startPlanCluster, type PlanCluster } from '../helpers/planServers.js';
import { HeadlessEditor, planRequest } from '../helpers/planEditor.js';
import { waitFor } from '../helpers/liveServer.js';
import { appendUpdates, countPendingUpdates, loadState } from '../../server/plans/store.js';

let c: PlanCluster;
const cookies: Record<string, string> = {};
const editors: HeadlessEditor[] = [];

beforeAll(async () => {
  c = await startPlanCluster({ count: 1 });
  for (const u of ['teacher-wang', 'teacher-li']) cookies[u] = await c.cookieFor(u);
}, 120_000); // a loaded machine (shared CI) takes over a minute to start the servers

afterAll(async () => {
  for (const e of editors) e.close();
  await c?.close();
});

async function newPlan(title: string): Promise<PlanSummary> {
  const res = await fetch(`${c.url(0)}/api/plans`, {
    method: 'POST',
    headers: { cookie: cookies['teacher-wang'], 'content-type': 'application/json' },
    body: JSON.stringify({ title, lessonId: c.accounts.lessonId }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { plan: PlanSummary }).plan;
}

async function editor(user: string, planId: string) {
  const e = new HeadlessEditor(c.url(0), cookies[user], planId);
  editors.push(e);
  return e.connect();
}

const content = async (planId: string) => {
  const res = await fetch(`${c.url(0)}/api/plans/${planId}/content`, { headers: { cookie: cookies['teacher-wang'] } });
  return { status: res.status, doc: ((await res.json()) as { doc?: unknown }).doc };
};

/** Every update the editor's socket receives, to prove a refused one is relayed to no one. */
function received(e: HeadlessEditor): Uint8Array[] {
  const got: Uint8Array[] = [];
  e.socket.on('plan:update', ({ update }) => got.push(new Uint8Array(update)));
  return got;
}

/** An update made on a copy of the editor's document (so it applies where the server is). */
function updateOn(base: HeadlessEditor, change: (doc: Y.Doc) => void): Uint8Array {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, Y.encodeStateAsUpdate(base.doc));
  const before = Y.encodeStateVector(doc);
  change(doc);
  return Y.encodeStateAsUpdate(doc, before);
}

describe('plans fail safe', () => {
  it('the 26-byte update (a plain value in the root fragment) and other non-documents are refused, stored nowhere, relayed to no one', async () => {
    const plan = await newPlan('根片段');
    const wang = await editor('teacher-wang', plan.id);
    const li = await editor('teacher-li', plan.id);
    const liGot = received(li);
    const stored = async () => Buffer.from(await loadState(c.db, plan.id)).toString('base64');
    const before = await stored();
    const pendingBefore = await countPendingUpdates(c.db, plan.id);

    const attack = new Y.Doc();
    attack.getArray('default').insert(0, ['x']);
    const u26 = Y.encodeStateAsUpdate(attack);
    expect(u26.byteLength).toBeLessThan(40);
    const hostile: [string, Uint8Array][] = [
      ['plain value at the root', u26],
      ['plain value appended to the real fragment', updateOn(wang, (d) => d.getArray('default').push([{ evil: true }]))],
      ['text straight in the root fragment', updateOn(wang, (d) => d.getXmlFragment('default').insert(0, [new Y.XmlText('裸文本')]))],
      [
        'a heading inside a paragraph (schema content rule)',
        updateOn(wang, (d) => {
          const p = new Y.XmlElement('paragraph');
          const h = new Y.XmlElement('heading');
          h.setAttribute('level', 2 as never);
          p.insert(0, [h]);
          d.getXmlFragment('default').insert(0, [p]);
        }),
      ],
      ['an attribute on the fragment itself', updateOn(wang, (d) => d.getMap('default').set('k', 'v'))],
    ];
    for (const [what, update] of hostile) {
      const res = await planRequest(wang.socket, 'plan:update', { planId: plan.id, update });
      expect(res, what).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
    // Past the phase refresh's debounce: the process is alive, the plan reads, nothing stored.
    wang.appendParagraph('之后的正常编辑');
    await waitFor(() => li.text().includes('之后的正常编辑'), 10_000, 'honest edit after the attack');
    expect(liGot.every((u) => !Buffer.from(u).includes(Buffer.from('evil')))).toBe(true);
    expect(liGot).toHaveLength(1);
    await waitFor(async () => (await countPendingUpdates(c.db, plan.id)) === pendingBefore + 1, 5_000, 'only the honest update stored');
    expect(await stored()).not.toBe(before);
    await new Promise((r) => setTimeout(r, 1200)); // the phase refresh (800 ms debounce) has run
    const read = await content(plan.id);
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.doc)).toContain('之后的正常编辑');
    const fresh = await editor('teacher-li', plan.id);
    expect(fresh.text()).toBe(wang.text());
    expect((await fetch(`${c.url(0)}/healthz`)).status).toBe(200);
  });

  it('a plan whose stored history holds an invalid update still opens: the update is skipped, deleted and the editors told', async () => {
    const plan = await newPlan('坏历史');
    const wang = await editor('teacher-wang', plan.id);
    wang.appendParagraph('坏数据之前');
    await waitFor(async () => JSON.stringify((await content(plan.id)).doc).includes('坏数据之前'), 5_000, 'stored');
    const base = new Y.Doc();
    Y.applyUpdate(base, await loadState(c.db, plan.id));
    // Let the process forget the plan, so the next join opens it from the database.
    wang.close();
    const hub = c.servers[0].plans.hub;
    (hub as unknown as { drop(id: string): void }).drop(plan.id);
    expect(hub.has(plan.id)).toBeUndefined();
    // As an older server stored it, before updates were checked against the schema…
    const attack = new Y.Doc();
    attack.getArray('default').insert(0, ['x']);
    await appendUpdates(c.db, [{ planId: plan.id, update: Y.encodeStateAsUpdate(attack), userId: null }]);
    // …and an honest edit after it, which must survive the repair.
    const before = Y.encodeStateVector(base);
    const p = new Y.XmlElement('paragraph');
    p.insert(0, [new Y.XmlText('坏数据之后')]);
    base.getXmlFragment('default').push([p]);
    await appendUpdates(c.db, [{ planId: plan.id, update: Y.encodeStateAsUpdate(base, before), userId: null }]);

    const li = await editor('teacher-li', plan.id);
    expect(li.joined?.notice).toEqual({ kind: 'skipped-updates', count: 1 });
    expect(li.text()).toContain('坏数据之前');
    expect(li.text()).toContain('坏数据之后');
    const read = await content(plan.id);
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.doc)).toContain('坏数据之后');
    // Gone from the history, so compaction never folds it into the snapshot.
    const rows = await c.db.query<{ data: Uint8Array }>('select data from plan_updates where plan_id = $1', [plan.id]);
    expect(rows.some((r) => Buffer.from(r.data).equals(Buffer.from(Y.encodeStateAsUpdate(attack))))).toBe(false);
    await c.servers[0].plans.hub.compact(hub.has(plan.id)!);
    li.appendParagraph('修复后继续编辑');
    const wang2 = await editor('teacher-wang', plan.id);
    await waitFor(() => wang2.text().includes('修复后继续编辑'), 5_000, 'editing goes on');
  });

  it('a document that already breaks a content rule (merged concurrent edits) still takes edits, and no stored update is dropped for it', async () => {
    const plan = await newPlan('并发合并');
    const wang = await editor('teacher-wang', plan.id);
    const base = new Y.Doc();
    Y.applyUpdate(base, Y.encodeStateAsUpdate(wang.doc));
    wang.close();
    (c.servers[0].plans.hub as unknown as { drop(id: string): void }).drop(plan.id);
    // Readable, but a paragraph holding a heading: what two editors' merged edits can leave.
    const before = Y.encodeStateVector(base);
    const p = new Y.XmlElement('paragraph');
    const h = new Y.XmlElement('heading');
    h.setAttribute('level', 2 as never);
    h.insert(0, [new Y.XmlText('合并留下的')]);
    p.insert(0, [h]);
    base.getXmlFragment('default').push([p]);
    await appendUpdates(c.db, [{ planId: plan.id, update: Y.encodeStateAsUpdate(base, before), userId: null }]);

    const li = await editor('teacher-li', plan.id);
    expect(li.joined?.notice).toBeNull(); // nothing skipped: no one's update is dropped for a content rule
    expect(li.text()).toContain('合并留下的');
    li.appendParagraph('照常编辑');
    await waitFor(async () => JSON.stringify((await content(plan.id)).doc).includes('照常编辑'), 5_000, 'edit accepted');
    expect(li.refused).toEqual([]);
  });

  it('an update whose dependencies the server lacks is not stored; the ack asks for a resync, which completes it', async () => {
    const plan = await newPlan('依赖');
    const wang = await editor('teacher-wang', plan.id);
    const li = await editor('teacher-li', plan.id);
    // Two edits made offline on a copy: the second builds on the first.
    const offline = new Y.Doc();
    Y.applyUpdate(offline, Y.encodeStateAsUpdate(wang.doc));
    const updates: Uint8Array[] = [];
    offline.on('update', (u: Uint8Array) => updates.push(u));
    const p = new Y.XmlElement('paragraph');
    const t = new Y.XmlText('第一');
    p.insert(0, [t]);
    offline.getXmlFragment('default').push([p]);
    t.insert(2, '第二');
    expect(updates).toHaveLength(2);
    const pending = await countPendingUpdates(c.db, plan.id);

    const res = await planRequest(wang.socket, 'plan:update', { planId: plan.id, update: updates[1] });
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    expect(res.data.stored).toBe(false);
    expect(await countPendingUpdates(c.db, plan.id)).toBe(pending);
    // What the ack asks for: everything the server lacks, by its state vector.
    const resync = Y.encodeStateAsUpdate(offline, new Uint8Array(res.data.stateVector));
    const again = await planRequest(wang.socket, 'plan:update', { planId: plan.id, update: resync });
    expect(again).toMatchObject({ ok: true, data: { stored: true } });
    await waitFor(() => li.text().includes('第一第二'), 5_000, 'relayed once complete');
    // A fresh client is left with nothing pending.
    const fresh = new Y.Doc();
    Y.applyUpdate(fresh, await loadState(c.db, plan.id));
    expect(fresh.store.pendingStructs).toBeNull();
    expect(fresh.store.pendingDs).toBeNull();
    expect(fresh.getXmlFragment('default').toString()).toContain('第一第二');
  });

  it('cursors carry the sender’s own name and a palette colour, whatever the client claims; another editor’s cursor cannot be taken over', async () => {
    const plan = await newPlan('光标');
    const wang = await editor('teacher-wang', plan.id);
    const li = await editor('teacher-li', plan.id);
    const seen = new awarenessProtocol.Awareness(new Y.Doc());
    li.socket.on('plan:awareness', ({ update }) => awarenessProtocol.applyAwarenessUpdate(seen, new Uint8Array(update), 'server'));

    const fake = new awarenessProtocol.Awareness(wang.doc);
    fake.setLocalState({ user: { name: '校长（系统通知）', color: 'url(javascript:alert(1))' }, cursor: null, extra: 'x'.repeat(1000) });
    const res = await planRequest(wang.socket, 'plan:awareness', { planId: plan.id, update: awarenessProtocol.encodeAwarenessUpdate(fake, [fake.clientID]) });
    expect(res.ok).toBe(true);
    await waitFor(() => seen.getStates().has(fake.clientID), 5_000, 'cursor relayed');
    const state = seen.getStates().get(fake.clientID) as { user: { name: string; color: string }; extra?: string };
    const wangName = (await c.db.query<{ display_name: string }>("select display_name from users where username = 'teacher-wang'"))[0].display_name;
    expect(state.user.name).toBe(wangName);
    expect(PLAN_CURSOR_COLOURS).toContain(state.user.color);
    expect(state.extra).toBeUndefined();

    // li announces wang's awareness client id as its own: refused.
    const steal = new awarenessProtocol.Awareness(new Y.Doc());
    steal.clientID = fake.clientID;
    steal.setLocalState({ user: { name: '李老师', color: PLAN_CURSOR_COLOURS[0] } });
    const stolen = await planRequest(li.socket, 'plan:awareness', { planId: plan.id, update: awarenessProtocol.encodeAwarenessUpdate(steal, [fake.clientID]) });
    expect(stolen).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});
