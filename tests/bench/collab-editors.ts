// Benchmark: 30 simulated editors typing concurrently into one plan: for each keystroke, the time until
// every other editor has it (p50/p95/max). The real product (server/main.ts as its own process:
// HTTP + /plans.io with the Redis adapter on its embedded Redis, PGlite) on loopback; the
// editors are socket.io-client + yjs in this process.
// Run: npx tsx tests/bench/collab-editors.ts [--editors 30] [--keys 20] [--interval-ms 150]
import { parseArgs } from 'node:util';
import * as Y from 'yjs';
import { ProductServer } from '../e2e/harness.js';
import { HeadlessEditor } from '../helpers/planEditor.js';
import { waitFor } from '../helpers/liveServer.js';
import { updateDocRow, writeResult, LOAD_AT_START } from './lib.js';

const { values } = parseArgs({
  options: {
    editors: { type: 'string', default: '30' },
    keys: { type: 'string', default: '20' },
    'interval-ms': { type: 'string', default: '150' },
  },
});
const EDITORS = Number(values.editors);
const KEYS = Number(values.keys);
const INTERVAL = Number(values['interval-ms']);
const TARGET_P95_MS = 50;

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

async function main() {
  const server = new ProductServer();
  await server.start();
  try {
    const login = async (username: string) => {
      const r = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password: server.demo().password }),
      });
      const cookie = r.headers.getSetCookie().find((c) => c.startsWith('tongbu_session='));
      if (!cookie) throw new Error(`login ${username}: ${r.status}`);
      return cookie.split(';')[0];
    };
    const wang = await login('teacher-wang');
    const li = await login('teacher-li');
    const res = await fetch(`${server.url}/api/plans`, {
      method: 'POST',
      headers: { cookie: wang, 'content-type': 'application/json' },
      body: JSON.stringify({ title: '压测教案', lessonId: server.demo().lessonId }),
    });
    const { plan } = (await res.json()) as { plan: { id: string } };

    const editors: HeadlessEditor[] = [];
    for (let i = 0; i < EDITORS; i++) editors.push(await new HeadlessEditor(server.url, i % 2 ? li : wang, plan.id).connect());
    // Each editor owns one paragraph "E<i>:" and types into it.
    for (let i = 0; i < EDITORS; i++) editors[i].appendParagraph(`E${i}:`);
    const owned = (e: HeadlessEditor) => e.fragment.toArray().filter((el) => el instanceof Y.XmlElement && /^E\d+:/.test(String(el.get(0)))).length;
    await waitFor(() => editors.every((e) => owned(e) === EDITORS), 30_000, 'paragraphs everywhere');

    // sent[i][k] = when editor i typed key k; seen[i][k] = how many others have it, last arrival.
    const sent = editors.map(() => new Array<number>(KEYS).fill(0));
    const seen = editors.map(() => Array.from({ length: KEYS }, () => ({ n: 0, last: 0 })));
    const own: Y.XmlText[] = [];
    editors.forEach((e, r) => {
      for (const el of e.fragment.toArray()) {
        const first = el instanceof Y.XmlElement ? el.get(0) : null;
        const t = first instanceof Y.XmlText ? first : null;
        const m = t ? /^E(\d+):/.exec(t.toString()) : null;
        if (!m || !t) continue;
        const i = Number(m[1]);
        if (i === r) {
          own[i] = t;
          continue;
        }
        const prefix = `E${i}:`.length;
        let had = 0;
        t.observe(() => {
          const have = Math.min(KEYS, t.length - prefix);
          const now = performance.now();
          for (let k = had; k < have; k++) {
            seen[i][k].n++;
            seen[i][k].last = now;
          }
          had = Math.max(had, have);
        });
      }
    });

    const started = performance.now();
    await Promise.all(
      editors.map(async (_e, i) => {
        // Staggered start, then a keystroke every INTERVAL ms (± jitter), like people typing.
        await new Promise((r) => setTimeout(r, Math.random() * INTERVAL));
        for (let k = 0; k < KEYS; k++) {
          sent[i][k] = performance.now();
          own[i].insert(own[i].length, '字');
          await new Promise((r) => setTimeout(r, INTERVAL * (0.7 + Math.random() * 0.6)));
        }
      }),
    );
    await waitFor(() => seen.every((row) => row.every((s) => s.n === EDITORS - 1)), 60_000, 'every keystroke everywhere').catch((err) => {
      const ns = seen.flat().map((s) => s.n);
      throw new Error(`${err.message}; arrivals min ${Math.min(...ns)} max ${Math.max(...ns)}; refused: ${editors.flatMap((e) => e.refused).slice(0, 3).join(' / ')}`);
    });
    const wall = performance.now() - started;
    const latencies = seen.flatMap((row, i) => row.map((s, k) => s.last - sent[i][k]));
    const identical = editors.every((e) => e.text() === editors[0].text());
    const refused = editors.reduce((n, e) => n + e.refused.length, 0);
    for (const e of editors) e.close();

    const p95 = +pct(latencies, 95).toFixed(1);
    const met = pct(latencies, 95) <= TARGET_P95_MS;
    const detail = {
      editors: EDITORS,
      keystrokes_per_editor: KEYS,
      interval_ms: INTERVAL,
      keystrokes: latencies.length,
      updates_per_s: Math.round((EDITORS * KEYS) / (wall / 1000)),
      p50_ms: +pct(latencies, 50).toFixed(1),
      max_ms: +Math.max(...latencies).toFixed(1),
      converged: identical,
      refused_updates: refused,
    };
    const result = {
      metrics: { p95_ms: { value: p95, unit: 'ms', target: `<= ${TARGET_P95_MS}`, met } },
      method: 'the product (tsx server/main.ts: HTTP + /plans.io with the Redis adapter on its embedded Redis, PGlite) as its own process; editors = socket.io-client + yjs in the bench process; every update validated, applied, relayed, and acked once appended to the DB',
      detail,
    };
    writeResult('collab-editors', result);
    updateDocRow({
      benchmark: 'collab-editors',
      figures: `p95 **${p95} ms**, p50 ${detail.p50_ms} ms, max ${detail.max_ms} ms (${EDITORS} editors × ${KEYS} keystrokes, ~${detail.updates_per_s} updates/s; the product in one process, the editors in another) — ${met ? 'meets' : 'MISSES'} target (load ${LOAD_AT_START} at start)`,
      target: `p95 ≤ ${TARGET_P95_MS} ms until every other editor has a keystroke (loopback)`,
    });
    console.log(JSON.stringify(result, null, 2));
    if (!identical) throw new Error('editors did not converge');
  } finally {
    await server.dispose();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
