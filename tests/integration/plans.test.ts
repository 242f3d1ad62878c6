// 集体备课 against the real thing: two web servers (as two processes) sharing one database
// and one real Redis, headless Yjs editors over /plans.io, the HTTP API for the rest.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import mammoth from 'mammoth';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { PlanSummary } from '../../server/contract/planEvents.js';
import { startPlanCluster, type PlanCluster } from '../helpers/planServers.js';
import { HeadlessEditor, planRequest, planSocket } from '../helpers/planEditor.js';
import { waitFor } from '../helpers/liveServer.js';
import { docToDocx } from '../../server/plans/docx.js';
import { heading, para } from '../../server/plans/pmSchema.js';
import { appendUpdates, compact, loadState, loadStored } from '../../server/plans/store.js';
import { docFromUpdates } from '../../server/plans/ydoc.js';

let c: PlanCluster;
const cookies: Record<string, string> = {};
const editors: HeadlessEditor[] = [];

beforeAll(async () => {
  c = await startPlanCluster({ count: 2 });
  for (const u of ['teacher-wang', 'teacher-li', 'researcher-zhao', 'qingshan-admin']) cookies[u] = await c.cookieFor(u);
}, 60_000);

afterAll(async () => {
  for (const e of editors) e.close();
  await c?.close();
});

async function api(i: number, user: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${c.url(i)}${path}`, {
    method,
    headers: { cookie: cookies[user], ...(body instanceof Uint8Array ? {} : body ? { 'content-type': 'application/json' } : {}) },
    body: body instanceof Uint8Array ? Buffer.from(body) : body ? JSON.stringify(body) : undefined,
  });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, json: type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer()) };
}

async function newPlan(title: string, where: { lessonId?: string; pairingId?: string } = {}): Promise<PlanSummary> {
  const r = await api(0, 'teacher-wang', 'POST', '/api/plans', { title, lessonId: where.pairingId ? undefined : c.accounts.lessonId, ...where });
  expect(r.status).toBe(201);
  return r.json.plan;
}

async function editor(i: number, user: string, planId: string, opts: { reconnection?: boolean } = {}) {
  const e = new HeadlessEditor(c.url(i), cookies[user], planId, opts);
  editors.push(e);
  return e.connect();
}

const content = async (planId: string) => (await api(0, 'teacher-wang', 'GET', `/api/plans/${planId}/content`)).json.doc;

describe('plans over two processes sharing Redis', () => {
  it('a new plan starts from the template with its 教学过程 phases as data', async () => {
    const plan = await newPlan('分数的初步认识');
    expect(plan.phases.map((p) => p.minutes)).toEqual([5, 15, 12, 5, 3]);
    const list = await api(1, 'teacher-li', 'GET', `/api/plans?lessonId=${c.accounts.lessonId}`);
    expect(list.json.plans.map((p: PlanSummary) => p.id)).toContain(plan.id);
    const doc = await content(plan.id);
    expect(doc.content.filter((n: any) => n.type === 'heading' && n.attrs.level === 2).map((n: any) => n.content[0].text)).toEqual([
      '教学目标', '教学重难点', '教学准备', '教学过程', '作业设计', '板书设计', '教学反思',
    ]);
  });

  it('editors on different processes converge, and a late joiner gets everything', async () => {
    const plan = await newPlan('两校协同');
    const wang = await editor(0, 'teacher-wang', plan.id);
    const li = await editor(1, 'teacher-li', plan.id);
    expect(wang.text()).toBe(li.text());
    // Concurrent: both type before seeing the other.
    const t1 = wang.appendParagraph('城区：');
    const t2 = li.appendParagraph('乡村：');
    for (let i = 0; i < 20; i++) {
      t1.insert(t1.length, `甲${i}`);
      t2.insert(t2.length, `乙${i}`);
    }
    await waitFor(() => wang.text().includes('乙19') && li.text().includes('甲19'), 5_000, 'both to see each other');
    await waitFor(() => wang.text() === li.text(), 5_000, 'identical documents');
    const late = await editor(1, 'teacher-wang', plan.id);
    expect(late.text()).toBe(wang.text());
    // Both processes' copies agree with the database.
    const dbDoc = await content(plan.id);
    const hubA = c.servers[0].plans.hub.has(plan.id)!;
    const hubB = c.servers[1].plans.hub.has(plan.id)!;
    expect(hubA.doc.getXmlFragment('default').toString()).toBe(wang.text());
    expect(hubB.doc.getXmlFragment('default').toString()).toBe(wang.text());
    expect(JSON.stringify(dbDoc)).toContain('乙19');
  });

  it('cursors (awareness) reach editors on the other process and go when their editor leaves', async () => {
    const plan = await newPlan('光标');
    const wang = await editor(0, 'teacher-wang', plan.id);
    const li = await editor(1, 'teacher-li', plan.id);
    const seenByLi = new awarenessProtocol.Awareness(new Y.Doc());
    li.socket.on('plan:awareness', ({ update }) => awarenessProtocol.applyAwarenessUpdate(seenByLi, new Uint8Array(update), 'server'));
    const mine = new awarenessProtocol.Awareness(wang.doc);
    mine.setLocalState({ user: { name: '王老师', color: '#e8590c' }, cursor: null });
    const sent = await planRequest(wang.socket, 'plan:awareness', { planId: plan.id, update: awarenessProtocol.encodeAwarenessUpdate(mine, [wang.doc.clientID]) });
    expect(sent.ok).toBe(true);
    await waitFor(() => (seenByLi.getStates().get(wang.doc.clientID) as { user?: { name: string } } | undefined)?.user?.name === '王老师', 5_000, 'caret on the other process');
    // A late joiner on the other process gets it in the join answer.
    const late = await editor(1, 'researcher-zhao', plan.id);
    const fromJoin = new awarenessProtocol.Awareness(new Y.Doc());
    awarenessProtocol.applyAwarenessUpdate(fromJoin, new Uint8Array(late.joined!.awareness!), 'join');
    expect(fromJoin.getStates().has(wang.doc.clientID)).toBe(true);
    wang.socket.disconnect();
    await waitFor(() => !seenByLi.getStates().has(wang.doc.clientID), 5_000, 'caret removed after disconnect');
    mine.destroy();
    seenByLi.destroy();
    fromJoin.destroy();
  });

  it('phases follow the document and are served for replay', async () => {
    const plan = await newPlan('环节');
    const wang = await editor(0, 'teacher-wang', plan.id);
    const li = await editor(1, 'teacher-li', plan.id);
    // Change "导入新课（5分钟）" to 8 minutes, from the other process.
    const frag = li.fragment;
    const idx = frag.toArray().findIndex((n) => n instanceof Y.XmlElement && n.toString().includes('导入新课'));
    const textNode = (frag.get(idx) as Y.XmlElement).get(0) as Y.XmlText;
    const s = textNode.toString();
    textNode.delete(s.indexOf('5'), 1);
    textNode.insert(s.indexOf('5'), '8');
    await waitFor(async () => {
      const r = await api(0, 'teacher-wang', 'GET', `/api/plans/${plan.id}`);
      return r.json.plan.phases[0]?.minutes === 8;
    }, 8_000, 'stored phases to change');
    const phases = (await api(1, 'researcher-zhao', 'GET', `/api/plans/${plan.id}/phases`)).json.phases;
    expect(phases[0]).toEqual({ title: '导入新课', minutes: 8 });
    expect(wang.text()).toBe(li.text());
  });

  it('malformed and oversized updates are refused with a clear error and the stored document stays intact', async () => {
    const plan = await newPlan('坏数据');
    const wang = await editor(0, 'teacher-wang', plan.id);
    const li = await editor(1, 'teacher-li', plan.id);
    wang.appendParagraph('好的内容');
    await waitFor(() => li.text().includes('好的内容'), 5_000, 'good edit');
    await waitFor(async () => JSON.stringify(await content(plan.id)).includes('好的内容'), 5_000, 'stored');
    const before = await content(plan.id);

    const garbage = await planRequest(wang.socket, 'plan:update', { planId: plan.id, update: new Uint8Array([0, 1, 2, 255, 255, 255, 255, 255, 9]) });
    expect(garbage).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST', message: expect.stringMatching(/malformed/) } });
    const notBinary = await planRequest(wang.socket, 'plan:update', { planId: plan.id, update: 'AAAA' });
    expect(notBinary).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const other = new Y.Doc();
    other.getMap('x').set('a', 1);
    const outside = await planRequest(wang.socket, 'plan:update', { planId: plan.id, update: Y.encodeStateAsUpdate(other) });
    expect(outside).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    const big = new Y.Doc();
    big.getXmlFragment('default').insert(0, [new Y.XmlText('字'.repeat(100_000))]);
    const oversized = await planRequest(wang.socket, 'plan:update', { planId: plan.id, update: Y.encodeStateAsUpdate(big) });
    expect(oversized).toMatchObject({ ok: false, error: { code: 'TOO_LARGE' } });

    expect(await content(plan.id)).toEqual(before);
    // Still a working plan: the same sockets keep editing and converging.
    wang.appendParagraph('之后的编辑');
    await waitFor(() => li.text().includes('之后的编辑'), 5_000, 'edit after the bad ones');
    const fresh = await editor(1, 'teacher-li', plan.id);
    expect(fresh.text()).toBe(wang.text());
  });

  it('access: paired teachers edit, researchers read and comment, others see nothing', async () => {
    const plan = await newPlan('权限');
    const zhao = await editor(1, 'researcher-zhao', plan.id);
    expect(zhao.joined?.access).toBe('comment');
    const write = await planRequest(zhao.socket, 'plan:update', { planId: plan.id, update: (() => {
      const d = new Y.Doc();
      Y.applyUpdate(d, Y.encodeStateAsUpdate(zhao.doc));
      const sv = Y.encodeStateVector(d);
      d.getXmlFragment('default').push([new Y.XmlElement('paragraph')]);
      return Y.encodeStateAsUpdate(d, sv);
    })() });
    expect(write).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect((await api(1, 'researcher-zhao', 'POST', `/api/plans/${plan.id}/versions`, { name: '初稿' })).status).toBe(403);
    expect((await api(1, 'researcher-zhao', 'POST', `/api/plans/${plan.id}/comments`, { text: '建议增加练习', anchor: { start: 'AA==', end: 'AA==', quote: '练习' } })).status).toBe(201);
    expect((await api(1, 'researcher-zhao', 'GET', `/api/plans/${plan.id}/export.docx`)).status).toBe(200);

    // A school admin (not a teacher) and a teacher outside the pairing: nothing at all.
    expect((await api(0, 'qingshan-admin', 'GET', `/api/plans/${plan.id}`)).status).toBe(404);
    expect((await api(0, 'qingshan-admin', 'GET', `/api/plans?lessonId=${c.accounts.lessonId}`)).json.plans).toEqual([]);
    const admin = planSocket(c.url(0), cookies['qingshan-admin']);
    await new Promise<void>((r) => admin.once('connect', () => r()));
    expect(await planRequest(admin, 'plan:join', { planId: plan.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await planRequest(admin, 'plan:update', { planId: plan.id, update: new Uint8Array([0, 0]) })).toMatchObject({ ok: false, error: { code: 'CONFLICT' } });
    admin.disconnect();

    const pairings = await c.db.query<{ id: string; rural: string }>(
      `select p.id, s.name as rural from pairings p join schools s on s.id = p.rural_school_id`,
    );
    const shiqiao = pairings.find((p) => p.rural === '石桥乡中心小学')!.id;
    const library = await newPlan('石桥备课库', { pairingId: shiqiao });
    expect(library.lessonId).toBeNull();
    expect((await api(0, 'teacher-li', 'GET', `/api/plans/${library.id}`)).status).toBe(404);
    expect((await api(0, 'teacher-li', 'POST', '/api/plans', { title: 'x', pairingId: shiqiao })).status).toBe(403);
    const li = planSocket(c.url(1), cookies['teacher-li']);
    await new Promise<void>((r) => li.once('connect', () => r()));
    expect(await planRequest(li, 'plan:join', { planId: library.id })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    li.disconnect();
    // No session: refused at connect.
    const anon = planSocket(c.url(0), null);
    const err = await new Promise<Error>((r) => anon.once('connect_error', r));
    expect(err.message).toBe('UNAUTHENTICATED');
    anon.disconnect();
    expect((await fetch(`${c.url(0)}/api/plans/${plan.id}`)).status).toBe(401);
  });

  it('versions: save, list, view, diff, and a restore that live editors on both processes converge on', async () => {
    const plan = await newPlan('版本');
    const wang = await editor(0, 'teacher-wang', plan.id);
    const li = await editor(1, 'teacher-li', plan.id);
    wang.appendParagraph('学生能够认识几分之一。');
    await waitFor(async () => JSON.stringify(await content(plan.id)).includes('认识几分之一'), 5_000, 'stored');
    const v1 = await api(0, 'teacher-wang', 'POST', `/api/plans/${plan.id}/versions`, { name: '初稿' });
    expect(v1.status).toBe(201);
    await waitFor(() => li.text().includes('认识几分之一'), 5_000, 'li sees it');
    const t = (li.fragment.get(li.fragment.length - 1) as Y.XmlElement).get(0) as Y.XmlText;
    const at = t.toString().indexOf('认识');
    t.delete(at, 2);
    t.insert(at, '理解');
    await waitFor(async () => JSON.stringify(await content(plan.id)).includes('理解几分之一'), 5_000, 'stored edit');
    const v2 = await api(1, 'teacher-li', 'POST', `/api/plans/${plan.id}/versions`, { name: '集体修改稿' });
    const versions = (await api(1, 'researcher-zhao', 'GET', `/api/plans/${plan.id}/versions`)).json.versions;
    expect(versions.map((v: any) => v.name)).toEqual(['初稿', '集体修改稿']);
    const view = await api(0, 'researcher-zhao', 'GET', `/api/plans/${plan.id}/versions/${v1.json.version.id}`);
    expect(JSON.stringify(view.json.doc)).toContain('认识几分之一');

    const diff = (await api(0, 'teacher-wang', 'GET', `/api/plans/${plan.id}/diff?from=${v1.json.version.id}&to=${v2.json.version.id}`)).json;
    const changed = diff.blocks.filter((b: any) => b.kind !== 'same');
    expect(changed).toEqual([
      { kind: 'changed', before: '学生能够认识几分之一。', after: '学生能够理解几分之一。', parts: [
        { op: '=', text: '学生能够' }, { op: '-', text: '认识' }, { op: '+', text: '理解' }, { op: '=', text: '几分之一。' },
      ] },
    ]);

    const r = await api(1, 'teacher-li', 'POST', `/api/plans/${plan.id}/versions/${v1.json.version.id}/restore`);
    expect(r.status).toBe(200);
    await waitFor(() => wang.text().includes('认识几分之一') && li.text().includes('认识几分之一'), 5_000, 'both editors restored');
    expect(wang.text()).not.toContain('理解几分之一');
    expect(wang.text()).toBe(li.text());
    expect(JSON.stringify(await content(plan.id))).toContain('认识几分之一');
    // The replaced state was kept as a version.
    const after = (await api(0, 'teacher-wang', 'GET', `/api/plans/${plan.id}/versions`)).json.versions;
    expect(after.map((v: any) => v.name)).toEqual(['初稿', '集体修改稿', '恢复「初稿」前']);
  });

  it('comments with replies and resolve; chat beside the plan reaches the other process and is kept', async () => {
    const plan = await newPlan('评论');
    const wang = await editor(0, 'teacher-wang', plan.id);
    const li = await editor(1, 'teacher-li', plan.id);
    const t = wang.appendParagraph('重点：理解平均分');
    const start = Buffer.from(Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(t, 3))).toString('base64');
    const end = Buffer.from(Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(t, 8))).toString('base64');
    const c1 = await api(1, 'teacher-li', 'POST', `/api/plans/${plan.id}/comments`, { text: '平均分要配图', anchor: { start, end, quote: '理解平均分' } });
    expect(c1.status).toBe(201);
    expect((await api(1, 'teacher-li', 'POST', `/api/plans/${plan.id}/comments`, { text: '没有锚点' })).status).toBe(400);
    const reply = await api(0, 'teacher-wang', 'POST', `/api/plans/${plan.id}/comments`, { text: '好的，我来画', parentId: c1.json.comment.id });
    expect(reply.json.comment.parentId).toBe(c1.json.comment.id);
    const resolved = await api(0, 'teacher-wang', 'POST', `/api/plans/${plan.id}/comments/${c1.json.comment.id}/resolve`, { resolved: true });
    expect(resolved.json.comment.resolvedAt).toBeTruthy();
    const list = (await api(1, 'researcher-zhao', 'GET', `/api/plans/${plan.id}/comments`)).json.comments;
    expect(list.map((x: any) => [x.text, x.parentId === null, x.resolvedAt !== null])).toEqual([
      ['平均分要配图', true, true],
      ['好的，我来画', false, false],
    ]);
    // The anchor still resolves to the passage after text is inserted before it.
    t.insert(0, '一、');
    const abs = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(Buffer.from(list[0].anchor.start, 'base64')), wang.doc);
    expect(abs?.index).toBe(5);

    const got: string[] = [];
    li.socket.on('plan:chat', (m) => got.push(m.text));
    const sent = await planRequest(wang.socket, 'plan:chat', { planId: plan.id, text: '明天下午再对一次' });
    expect(sent.ok).toBe(true);
    await waitFor(() => got.includes('明天下午再对一次'), 5_000, 'chat on the other process');
    expect((await api(1, 'teacher-li', 'GET', `/api/plans/${plan.id}/chat`)).json.messages.map((m: any) => m.text)).toEqual(['明天下午再对一次']);
  });

  it('imports a .docx into a live plan (editors converge) and exports .docx and PDF with headings, table and Chinese', async () => {
    const plan = await newPlan('导入');
    const li = await editor(1, 'teacher-li', plan.id);
    const source = await docToDocx(
      {
        type: 'doc',
        content: [
          heading(1, '圆的认识'),
          heading(2, '教学目标'),
          para('认识圆的各部分名称。'),
          { type: 'table', content: [{ type: 'tableRow', content: [{ type: 'tableCell', content: [para('半径')] }, { type: 'tableCell', content: [para('直径')] }] }] },
        ],
      },
      '圆的认识',
    );
    const imp = await api(0, 'teacher-wang', 'POST', `/api/plans/${plan.id}/import`, new Uint8Array(source));
    expect(imp.status).toBe(200);
    await waitFor(() => li.text().includes('圆的各部分名称'), 5_000, 'import reaches the live editor');
    expect(li.text()).not.toContain('教学重难点');
    const out = await api(1, 'teacher-li', 'GET', `/api/plans/${plan.id}/export.docx`);
    const html = (await mammoth.convertToHtml({ buffer: out.json })).value;
    expect(html).toContain('<h1>圆的认识</h1>');
    expect(html).toContain('<h2>教学目标</h2>');
    expect(html).toMatch(/<table><tr><td><p>半径<\/p><\/td><td><p>直径<\/p><\/td><\/tr><\/table>/);
    const pdf = await api(1, 'teacher-li', 'GET', `/api/plans/${plan.id}/export.pdf`);
    expect(pdf.status).toBe(200);
    expect(pdf.json.subarray(0, 5).toString()).toBe('%PDF-');

    const created = await fetch(`${c.url(1)}/api/plans/import?lessonId=${c.accounts.lessonId}`, {
      method: 'POST',
      headers: { cookie: cookies['teacher-li'] },
      body: new Uint8Array(source),
    });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { plan: PlanSummary }).plan.title).toBe('圆的认识');
    expect((await api(0, 'teacher-wang', 'POST', `/api/plans/${plan.id}/import`, new Uint8Array([1, 2, 3]))).status).toBe(400);
  });

  it('compaction folds updates into the snapshot without losing any appended while it runs', async () => {
    const plan = await newPlan('压缩');
    const client = new Y.Doc();
    Y.applyUpdate(client, await loadState(c.db, plan.id));
    const updates: Uint8Array[] = [];
    client.on('update', (u: Uint8Array) => updates.push(u));
    const wangId = await c.userId('teacher-wang');
    const p = new Y.XmlElement('paragraph');
    const t = new Y.XmlText('');
    p.insert(0, [t]);
    client.getXmlFragment('default').push([p]);
    for (let i = 0; i < 300; i++) t.insert(t.length, String(i % 10));
    await appendUpdates(c.db, updates.splice(0).map((update) => ({ planId: plan.id, update, userId: wangId })));
    // More keystrokes arrive while two processes compact at once.
    for (let i = 0; i < 50; i++) t.insert(t.length, '字');
    const late = updates.splice(0);
    const results = await Promise.all([
      compact(c.db, plan.id),
      appendUpdates(c.db, late.slice(0, 25).map((update) => ({ planId: plan.id, update, userId: wangId }))),
      compact(c.db, plan.id),
      appendUpdates(c.db, late.slice(25).map((update) => ({ planId: plan.id, update, userId: wangId }))),
    ]);
    expect((results[0] as { folded: number }).folded + (results[2] as { folded: number }).folded).toBeGreaterThan(300);
    const stored = docFromUpdates([await loadState(c.db, plan.id)]);
    expect(stored.getXmlFragment('default').toString()).toBe(client.getXmlFragment('default').toString());
    await compact(c.db, plan.id);
    expect((await loadStored(c.db, plan.id)).updates).toHaveLength(0);
    const again = docFromUpdates([await loadState(c.db, plan.id)]);
    expect(again.getXmlFragment('default').toString()).toContain('字'.repeat(50));
  });

  it('nothing is lost across a server restart: stored edits come back and offline edits merge on reconnect', async () => {
    const plan = await newPlan('重启');
    const victim = c.servers[0];
    const port = victim.port;
    const wang = await editor(0, 'teacher-wang', plan.id, { reconnection: true });
    const li = await editor(1, 'teacher-li', plan.id);
    wang.appendParagraph('重启前写的');
    await waitFor(() => li.text().includes('重启前写的'), 5_000, 'before restart');
    await victim.close();
    await waitFor(() => !wang.socket.connected, 5_000, 'disconnect');
    // Written while the server is down; also the other teacher keeps writing on process B.
    wang.appendParagraph('断线时写的');
    li.appendParagraph('另一边写的');
    const back = await c.start(port);
    c.servers[0] = back;
    await waitFor(() => wang.text().includes('另一边写的') && li.text().includes('断线时写的'), 10_000, 'merge after reconnect');
    expect(wang.text()).toBe(li.text());
    // The closing server compacted; a fresh load from the database has everything.
    const fresh = await editor(0, 'teacher-li', plan.id);
    expect(fresh.text()).toBe(wang.text());
    const snap = await c.db.query('select merged from plan_snapshots where plan_id = $1', [plan.id]);
    expect(Number(snap[0].merged)).toBeGreaterThan(0);
  });
});
