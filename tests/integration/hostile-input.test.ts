// Hostile input against a real server (issue 10, "linear-time input handling"): each case is sent
// while /healthz is asked again and again, and every answer must come within 100 ms — the server
// (here in this very process, on this event loop) keeps serving lessons while it deals with it.
// On the old code each case stalled the loop for seconds (super-linear patterns, parsing on the
// loop, inflating a zip bomb), or parsed a projector device's upload before refusing it.
import http from 'node:http';
import { threadId } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { PlanSummary } from '../../server/contract/planEvents.js';
import { docToDocx } from '../../server/plans/docx.js';
import { para } from '../../server/plans/pmSchema.js';
import { closeParsePool, PARSE_LIMITS, parseDocxUpload, parseTableUpload } from '../../server/uploads/parsePool.js';
import { startPlanCluster, type PlanCluster } from '../helpers/planServers.js';
import { HeadlessEditor } from '../helpers/planEditor.js';
import { waitFor } from '../helpers/liveServer.js';
import { docxBomb, docxOfParagraphs, zipOf } from '../helpers/zipBomb.js';

const HEALTHZ_BUDGET_MS = 100;
// The budget is the 100 ms on a machine whose own noise allows it. On a shared, saturated
// machine (this one runs six engineers' tests on two cores) even an idle /healthz can take 200 ms
// and the legitimate work of a case (storing a 30 KB edit in the in-process PGlite, say) slows
// with it, so the budget widens to four times the worst idle probe of the 1.5 s just before. Both
// scale with the machine's load; the old code's stalls (1.6–20 s on an idle machine, several
// times that on a busy one) stay far outside. A case that misses is run once more; every run's
// latencies and budget are in its failure message.
const HOSTILE = { retry: 1, timeout: 120_000 };
const SPACES = ' '.repeat(40_000);

let c: PlanCluster;
const cookies: Record<string, string> = {};
let citySchoolId = '';

beforeAll(async () => {
  c = await startPlanCluster({ count: 1 });
  for (const u of ['teacher-wang', 'city-admin']) cookies[u] = await c.cookieFor(u);
  citySchoolId = (await c.db.query<{ school_id: string }>("select school_id from users where username = 'city-admin'"))[0].school_id;
  // A projector device signs in with its classroom's code, as in a classroom.
  const dev = await fetch(`${c.url(0)}/api/auth/device`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: c.accounts.deviceCodes[0].code }),
  });
  expect(dev.status).toBe(200);
  cookies.device = (dev.headers.get('set-cookie') ?? '').split(';')[0];
  expect(cookies.device).toMatch(/^tongbu_session=/);
  // Warm-up with ordinary input, so what is measured below is the hostile input, not a cold
  // worker thread compiling its parsers or a first connection (the machine may be busy, too).
  expect((await parseTableUpload(Buffer.from('a,b\n1,2\n'))).rows.length).toBe(1);
  const ordinary = await docToDocx({ type: 'doc', content: [para('普通的段落')] }, '普通');
  expect((await post(importPath(), cookies['teacher-wang'], ordinary)).status).toBe(201);
  for (let i = 0; i < 5; i++) await (await fetch(`${c.url(0)}/healthz`)).arrayBuffer();
}, 180_000);

afterAll(async () => {
  await c?.close();
  await closeParsePool();
});

async function probe(): Promise<number> {
  const t0 = performance.now();
  const r = await fetch(`${c.url(0)}/healthz`);
  await r.arrayBuffer();
  expect(r.status).toBe(200);
  return performance.now() - t0;
}

/**
 * Runs `work` while asking /healthz back to back; returns its result, every answer's latency and
 * the budget they must stay under (see HEALTHZ_BUDGET_MS). At least three probes are made, and
 * probing goes on until the work is done.
 */
async function whileProbing<T>(work: () => Promise<T>): Promise<{ result: T; latencies: number[]; budget: number }> {
  const idle: number[] = [];
  for (const until = performance.now() + 1_500; performance.now() < until || idle.length < 30; ) idle.push(await probe());
  const budget = Math.max(HEALTHZ_BUDGET_MS, 4 * Math.max(...idle));
  const latencies: number[] = [];
  let done = false;
  const running = work().finally(() => (done = true));
  running.catch(() => undefined);
  while (!done || latencies.length < 3) latencies.push(await probe());
  return { result: await running, latencies, budget };
}

function expectResponsive({ latencies, budget }: { latencies: number[]; budget: number }) {
  expect(Math.max(...latencies), `healthz latencies (ms, budget ${budget.toFixed(0)}): ${latencies.map((l) => l.toFixed(0)).join(' ')}`).toBeLessThan(budget);
}

const post = async (path: string, cookie: string, body: Buffer, type = 'application/octet-stream') => {
  const res = await fetch(`${c.url(0)}${path}`, { method: 'POST', headers: { cookie, 'content-type': type }, body: new Uint8Array(body) });
  return { status: res.status, json: (await res.json()) as any };
};

const phasesOf = async (planId: string) => {
  const r = await fetch(`${c.url(0)}/api/plans/${planId}/phases`, { headers: { cookie: cookies['teacher-wang'] } });
  return ((await r.json()) as { phases: { title: string; minutes: number | null }[] }).phases;
};

const storedPhasesOf = async (planId: string) => {
  const r = await fetch(`${c.url(0)}/api/plans/${planId}`, { headers: { cookie: cookies['teacher-wang'] } });
  return ((await r.json()) as { plan: PlanSummary }).plan.phases;
};

const importPath = () => `/api/plans/import?lessonId=${c.accounts.lessonId}`;

describe('hostile input: the server keeps answering /healthz within 100 ms', () => {
  it('a small .docx with a paragraph of 40,000 spaces imports, off the event loop', HOSTILE, async () => {
    const docx = await docToDocx({ type: 'doc', content: [para(`开始${SPACES}结束`)] }, '空格');
    expect(docx.length).toBeLessThan(16 * 1024);
    const probed = await whileProbing(() => post(importPath(), cookies['teacher-wang'], docx));
    expect(probed.result.status).toBe(201);
    expectResponsive(probed);
    const content = await fetch(`${c.url(0)}/api/plans/${(probed.result.json.plan as PlanSummary).id}/content`, { headers: { cookie: cookies['teacher-wang'] } });
    expect(JSON.stringify(await content.json())).toContain(`开始${SPACES}结束`);
  });

  it('a 30 KB heading in 教学过程 (the phase pattern) is read on every edit and request without a stall', HOSTILE, async () => {
    const created = await post('/api/plans', cookies['teacher-wang'], Buffer.from(JSON.stringify({ title: '长标题', lessonId: c.accounts.lessonId })), 'application/json');
    expect(created.status).toBe(201);
    const plan = created.json.plan as PlanSummary;
    const ed = await new HeadlessEditor(c.url(0), cookies['teacher-wang'], plan.id).connect();
    try {
      // A phase heading (level 3 right after the 教学过程 section heading) of 30,000 spaces between words.
      const frag = ed.fragment;
      const at = frag.toArray().findIndex((n) => n instanceof Y.XmlElement && n.nodeName === 'heading' && n.toString().includes('教学过程'));
      expect(at).toBeGreaterThanOrEqual(0);
      // Warm-up: an ordinary phase through the same path (edit, refresh, request).
      const warm = new Y.XmlElement('heading');
      warm.setAttribute('level', 3 as unknown as string);
      warm.insert(0, [new Y.XmlText('热身（1分钟）')]);
      frag.insert(at + 1, [warm]);
      const warmed = (ps: { title: string; minutes: number | null }[]) => ps.some((p) => p.title === '热身' && p.minutes === 1);
      await waitFor(async () => warmed(await phasesOf(plan.id)), 20_000, 'the warm-up phase');
      await waitFor(async () => warmed(await storedPhasesOf(plan.id)), 20_000, 'the warm-up phase, stored');
      const h = new Y.XmlElement('heading');
      h.setAttribute('level', 3 as unknown as string);
      h.insert(0, [new Y.XmlText(`（导入${' '.repeat(30_000)}x`)]);
      const probed = await whileProbing(async () => {
        frag.insert(at + 1, [h]);
        // The phase refresh runs on the edit; the request below reads the phases again.
        const long = (ps: { title: string }[]) => ps.some((p) => p.title.startsWith('（导入') && p.title.endsWith('x'));
        await waitFor(async () => long(await phasesOf(plan.id)), 20_000, 'the long phase, read on request');
        // …and the live plan's own refresh (debounced after the edit) has stored it.
        await waitFor(async () => long(await storedPhasesOf(plan.id)), 20_000, 'the long phase, stored by the refresh');
      });
      expectResponsive(probed);
      expect(ed.refused).toEqual([]);
    } finally {
      ed.close();
    }
  });

  it('a timetable CSV cell of 40,000 spaces is a row error, answered without a stall', HOSTILE, async () => {
    const csv = Buffer.from(`星期,节次,开始,结束\n1,1,08:00${SPACES}x,08:40\n周一${SPACES}x,2,09:00,09:40\n`);
    const probed = await whileProbing(() => post(`/api/timetable/schools/${citySchoolId}/import?kind=bells`, cookies['city-admin'], csv, 'text/csv'));
    expect(probed.result.status).toBe(400);
    expect(probed.result.json.rowErrors.map((e: { row: number; column?: string }) => `${e.row}:${e.column}`)).toEqual(['2:开始', '3:星期']);
    expectResponsive(probed);
  });

  it('a projector device is refused before its upload is parsed — or even read', HOSTILE, async () => {
    const docx = await docToDocx({ type: 'doc', content: [para(`开始${SPACES}结束`)] }, '空格');
    const probed = await whileProbing(() => post(importPath(), cookies.device, docx));
    expect(probed.result.status).toBe(403);
    expect(probed.result.json.error.code).toBe('FORBIDDEN');
    expectResponsive(probed);
    // Not a .docx at all: still FORBIDDEN (the old code parsed first and answered BAD_REQUEST).
    expect((await post(importPath(), cookies.device, Buffer.from('not a docx'))).status).toBe(403);
    expect((await post(`/api/timetable/schools/${citySchoolId}/import?kind=bells`, cookies.device, Buffer.from('not a table'))).status).toBe(403);
    // A body that never ends: the refusal comes without waiting for it.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${c.url(0)}${importPath()}`, { method: 'POST', headers: { cookie: cookies.device, 'content-type': 'application/octet-stream', 'content-length': String(1024 * 1024) } }, (res) => {
        resolve(res.statusCode ?? 0);
        res.resume();
        req.destroy();
      });
      req.on('error', reject);
      req.write(Buffer.alloc(1024, 0x50));
      setTimeout(() => reject(new Error('no answer while the body was still coming: the server waited for it')), 5_000).unref();
    });
    expect(status).toBe(403);
  });

  it('zip bombs (.docx and .xlsx) are refused as TOO_LARGE by counting inflated bytes, before any parser', HOSTILE, async () => {
    // 200 MB of word/document.xml in ~200 KB: over the per-entry budget by its own claim.
    const bomb = await docxBomb(200 * 1024 * 1024);
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const probed = await whileProbing(() => post(importPath(), cookies['teacher-wang'], bomb));
    expect(probed.result.status).toBe(413);
    expect(probed.result.json.error.code).toBe('TOO_LARGE');
    expectResponsive(probed);

    // Claims of 1 KB each that inflate to 40 MB: only counting the real bytes catches it.
    const liar = await docxBomb(40 * 1024 * 1024, 1024);
    const lied = await whileProbing(() => post(importPath(), cookies['teacher-wang'], liar));
    expect(lied.result.status).toBe(400);
    expect(lied.result.json.error.code).toBe('BAD_REQUEST');
    expectResponsive(lied);

    // Each part under the per-entry budget, together over the total: counted while streaming.
    const parts = await zipOf(['a', 'b', 'c'].map((n) => ({ name: `xl/worksheets/sheet-${n}.xml`, size: 40 * 1024 * 1024 })));
    const total = await whileProbing(() => post(`/api/timetable/schools/${citySchoolId}/import?kind=bells&format=xlsx`, cookies['city-admin'], parts));
    expect(total.result.status).toBe(413);
    expect(total.result.json.error.code).toBe('TOO_LARGE');
    expectResponsive(total);

    // Too many parts.
    const many = await zipOf(Array.from({ length: 2001 }, (_, i) => ({ name: `p${i}.xml`, size: 1 })));
    expect((await post(importPath(), cookies['teacher-wang'], many)).json.error.code).toBe('TOO_LARGE');
  });
});

describe('the parse pool', () => {
  it('parses in a worker thread, not on the server’s', async () => {
    const table = await parseTableUpload(Buffer.from('星期,节次,开始,结束\n1,1,08:00,08:40\n'));
    expect(table.rows).toEqual([{ row: 2, cells: ['1', '1', '08:00', '08:40'] }]);
    expect(table.threadId).not.toBe(threadId);
  }, 60_000);

  it('a parse over its time limit is killed and answered TOO_LARGE', async () => {
    const before = PARSE_LIMITS.timeoutMs;
    PARSE_LIMITS.timeoutMs = 1;
    try {
      const rows = Array.from({ length: 5000 }, (_, i) => `1,${(i % 20) + 1},08:00,08:40,${'备注'.repeat(100)}`).join('\n');
      await expect(parseTableUpload(Buffer.from(`星期,节次,开始,结束,说明\n${rows}\n`))).rejects.toMatchObject({ code: 'TOO_LARGE' });
    } finally {
      PARSE_LIMITS.timeoutMs = before;
    }
    // The pool goes on with a fresh thread.
    expect((await parseTableUpload(Buffer.from('a,b\n1,2\n'))).rows.length).toBe(1);
  }, 60_000);

  it('a parse over its memory limit is killed and answered TOO_LARGE', async () => {
    // 16 MB of empty paragraphs in a 50 KB .docx: within the zip budget, but mammoth's tree of it
    // needs far more heap than the (here lowered) limit. The worker thread dies, not the server.
    const docx = await docxOfParagraphs(16 * 1024 * 1024);
    await closeParsePool();
    const before = { ...PARSE_LIMITS };
    PARSE_LIMITS.heapMb = 96;
    PARSE_LIMITS.timeoutMs = 90_000; // the memory limit, not the time limit, is under test
    try {
      // (No /healthz budget here: a thread at its heap limit collects garbage flat out, which on a
      // saturated two-core machine slows everything; the hostile cases above carry the budget.)
      const result = await parseDocxUpload(docx).then(() => 'parsed', (err: { code?: string; message: string }) => `${err.code}: ${err.message}`);
      expect(result).toBe('TOO_LARGE: the file needs too much memory to read');
    } finally {
      Object.assign(PARSE_LIMITS, before);
      await closeParsePool();
    }
    expect((await parseTableUpload(Buffer.from('a,b\n1,2\n'))).rows.length).toBe(1);
  }, 120_000);
});

describe('large exports are generated off the event loop', () => {
  // A long plan (about 850 KB of UTF-8 text: 600 sections of some 480 characters): building its document
  // from the stored history, converting it and generating the file took seconds on the loop.
  const LONG = Array.from({ length: 600 }, (_, i) => [
    { type: 'heading', attrs: { level: 2 }, content: [{ type: 'text', text: `第${i + 1}节` }] },
    para(`${i}：${'学生分组讨论，教师巡视并记录典型问题。'.repeat(25)}`),
  ]).flat();
  let planId = '';

  beforeAll(async () => {
    const docx = await docToDocx({ type: 'doc', content: LONG }, '长教案');
    const imported = await post(`${importPath()}&title=${encodeURIComponent('长教案')}`, cookies['teacher-wang'], docx);
    expect(imported.status).toBe(201);
    planId = (imported.json.plan as PlanSummary).id;
    // Warm-up, as above: an ordinary plan through both exports, so a cold thread loading the
    // generators and the CJK font is not what is measured.
    const small = await post(importPath(), cookies['teacher-wang'], await docToDocx({ type: 'doc', content: [para('普通的段落')] }, '普通'));
    for (const format of ['docx', 'pdf']) {
      const res = await fetch(`${c.url(0)}/api/plans/${(small.json.plan as PlanSummary).id}/export.${format}`, { headers: { cookie: cookies['teacher-wang'] } });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
  }, 120_000);

  const download = async (format: 'docx' | 'pdf') => {
    const res = await fetch(`${c.url(0)}/api/plans/${planId}/export.${format}`, { headers: { cookie: cookies['teacher-wang'] } });
    return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
  };

  it('a long plan exports as .docx while /healthz answers in time, and the file holds all of it', HOSTILE, async () => {
    const probed = await whileProbing(() => download('docx'));
    expect(probed.result.status).toBe(200);
    expectResponsive(probed);
    // Read back through the same parser as an import: every section is there.
    const { doc } = await parseDocxUpload(probed.result.body);
    const text = JSON.stringify(doc);
    for (const i of [0, 299, 599]) expect(text).toContain(`第${i + 1}节`);
    expect(text).toContain(`599：${'学生分组讨论，教师巡视并记录典型问题。'.repeat(25)}`);
  });

  it('a long plan is read whole (content, phases, the current version) while /healthz answers in time', HOSTILE, async () => {
    const read = async (path: string) => {
      const res = await fetch(`${c.url(0)}/api/plans/${planId}/${path}`, { headers: { cookie: cookies['teacher-wang'] } });
      return { status: res.status, text: await res.text() };
    };
    const probed = await whileProbing(async () => [await read('content'), await read('phases'), await read('versions/current')]);
    expect(probed.result.map((r) => r.status)).toEqual([200, 200, 200]);
    expectResponsive(probed);
    expect(probed.result[0].text).toContain('第600节');
    expect(probed.result[2].text).toContain('第600节');
  });

  it('a long plan exports as PDF while /healthz answers in time', HOSTILE, async () => {
    const probed = await whileProbing(() => download('pdf'));
    expect(probed.result.status).toBe(200);
    expectResponsive(probed);
    expect(probed.result.body.subarray(0, 5).toString()).toBe('%PDF-');
    expect(probed.result.body.length).toBeGreaterThan(100_000);
  });

  it('comparing a long plan with its version before a rewrite (the diff) leaves /healthz answering in time', HOSTILE, async () => {
    // 200 sections, then every paragraph rewritten by an import: LCS tables per changed paragraph
    // took 2–3 s on the loop.
    const before = LONG.slice(0, 400);
    const after = before.map((n) => (n.type === 'paragraph' ? para(`${'教师提出问题，学生独立思考后交流。'.repeat(25)}`) : n));
    const created = await post(importPath(), cookies['teacher-wang'], await docToDocx({ type: 'doc', content: before }, '改写'));
    expect(created.status).toBe(201);
    const id = (created.json.plan as PlanSummary).id;
    expect((await post(`/api/plans/${id}/import`, cookies['teacher-wang'], await docToDocx({ type: 'doc', content: after }, '改写'))).status).toBe(200);
    const { versions } = (await (await fetch(`${c.url(0)}/api/plans/${id}/versions`, { headers: { cookie: cookies['teacher-wang'] } })).json()) as { versions: { id: string; name: string }[] };
    const old = versions.find((v) => v.name === '导入前')!;
    const probed = await whileProbing(async () => {
      const res = await fetch(`${c.url(0)}/api/plans/${id}/diff?from=${old.id}&to=current`, { headers: { cookie: cookies['teacher-wang'] } });
      return { status: res.status, body: (await res.json()) as { blocks: { kind: string }[] } };
    });
    expect(probed.result.status).toBe(200);
    expectResponsive(probed);
    expect(probed.result.body.blocks.filter((b) => b.kind !== 'same').length).toBeGreaterThanOrEqual(200);
  });
});
