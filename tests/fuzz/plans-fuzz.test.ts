// Hostile editors against /plans.io: real editor updates with random bytes flipped, cut or
// spliced, random junk, and wrong shapes to every plan event. Every ack must be a typed answer;
// whatever is accepted must load back from the database into exactly the live document, and
// honest editors must keep converging.
//
// Reproduce a failure with the seed it prints: TONGBU_FUZZ_SEED=<seed> npx vitest run ...
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { ERROR_CODES } from '../../server/contract/errors.js';
import { planClientSchemas } from '../../server/contract/planEvents.js';
import { startPlanCluster, type PlanCluster } from '../helpers/planServers.js';
import { HeadlessEditor, planRequest } from '../helpers/planEditor.js';
import { waitFor } from '../helpers/liveServer.js';
import { loadState } from '../../server/plans/store.js';
import { docFromUpdates } from '../../server/plans/ydoc.js';

const SEED = Number(process.env.TONGBU_FUZZ_SEED ?? 0x9a11ed) >>> 0;
const ROUNDS = 250;

function mulberry32(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let c: PlanCluster;
beforeAll(async () => {
  c = await startPlanCluster({ count: 1, rtcPortBase: 44200 });
}, 60_000);
afterAll(async () => {
  await c?.close();
});

describe(`plans fuzz (seed ${SEED})`, () => {
  it('mutated and junk updates never crash the server nor corrupt the stored plan', async () => {
    const rnd = mulberry32(SEED);
    const int = (n: number) => Math.floor(rnd() * n);
    const cookie = await c.cookieFor('teacher-wang');
    const created = await fetch(`${c.url(0)}/api/plans`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ title: '模糊测试', lessonId: c.accounts.lessonId }),
    });
    const { plan } = (await created.json()) as { plan: { id: string } };
    const honest = await new HeadlessEditor(c.url(0), cookie, plan.id).connect();
    const watcher = await new HeadlessEditor(c.url(0), await c.cookieFor('teacher-li'), plan.id).connect();
    const attacker = await new HeadlessEditor(c.url(0), cookie, plan.id).connect();

    // A scratch editor makes real updates for the attacker to mangle.
    const scratch = new Y.Doc();
    Y.applyUpdate(scratch, Y.encodeStateAsUpdate(honest.doc));
    const samples: Uint8Array[] = [];
    scratch.on('update', (u: Uint8Array) => samples.push(u));
    const frag = scratch.getXmlFragment('default');
    for (let i = 0; i < 40; i++) {
      const p = new Y.XmlElement(i % 5 ? 'paragraph' : 'heading');
      if (i % 5 === 0) p.setAttribute('level', '3' as never);
      const t = new Y.XmlText(`第${i}段`);
      p.insert(0, [t]);
      frag.insert(int(frag.length + 1), [p]);
      if (i % 3 === 0) t.insert(0, '加粗', { bold: {} });
      if (i % 7 === 0 && frag.length > 3) frag.delete(int(frag.length - 1), 1);
    }

    const mutate = (u: Uint8Array): Uint8Array => {
      const b = new Uint8Array(u);
      switch (int(5)) {
        case 0: // flip a few bytes
          for (let k = 0; k < 1 + int(3); k++) b[int(b.length)] ^= 1 << int(8);
          return b;
        case 1: // cut
          return b.subarray(0, int(b.length));
        case 2: // splice two updates
          return new Uint8Array([...b.subarray(0, int(b.length)), ...samples[int(samples.length)].subarray(int(4))]);
        case 3: // junk
          return Uint8Array.from({ length: 1 + int(64) }, () => int(256));
        default: // a valid one, as is
          return b;
      }
    };

    const codes = new Set<string>();
    let accepted = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const res = await planRequest(attacker.socket, 'plan:update', { planId: plan.id, update: mutate(samples[int(samples.length)]) });
      if (res.ok) accepted++;
      else {
        expect(ERROR_CODES).toContain(res.error.code);
        codes.add(res.error.code);
      }
      if (r % 25 === 0) honest.appendParagraph(`诚实的第${r}次编辑`);
    }
    // Wrong shapes to every event.
    for (const event of Object.keys(planClientSchemas)) {
      for (const payload of [null, 42, 'x', [], { planId: 7 }, { planId: plan.id, update: 'AAAA', text: 5 }, { planId: 'x'.repeat(500) }]) {
        const res = (await planRequest(attacker.socket, event as never, payload)) as { ok: boolean; error?: { code: string } };
        expect(res.ok === true || ERROR_CODES.includes(res.error!.code as never)).toBe(true);
      }
    }
    expect(codes.has('BAD_REQUEST')).toBe(true);

    honest.appendParagraph('最后一句');
    await waitFor(() => watcher.text().includes('最后一句') && watcher.text() === honest.text(), 10_000, 'honest editors converge');
    // What the server holds live is exactly what loads back from the database.
    const live = c.servers[0].plans.hub.has(plan.id)!;
    await waitFor(async () => {
      const stored = docFromUpdates([await loadState(c.db, plan.id)]);
      return stored.getXmlFragment('default').toString() === live.doc.getXmlFragment('default').toString();
    }, 5_000, 'stored = live');
    // And a fresh editor renders it through the real export path.
    const res = await fetch(`${c.url(0)}/api/plans/${plan.id}/export.docx`, { headers: { cookie } });
    expect(res.status).toBe(200);
    console.log(`plans fuzz: ${ROUNDS} updates, ${accepted} accepted, refusals ${[...codes].join(', ')}`);
    for (const e of [honest, watcher, attacker]) e.close();
  });
});
