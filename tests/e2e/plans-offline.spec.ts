// 集体备课 through a flaky link, in Chromium against the real product (issue 10): a teacher types
// through many offline → online transitions with random gaps, typing on while the editor
// rejoins. Whenever the editor says 已同步 the server's stored document must equal what the
// editor shows, and a fresh client that joins afterwards is left with no pending structs.
//
// Reproduce a run with the seed it prints: TONGBU_E2E_SEED=<seed> npx playwright test ...
import type { Page } from '@playwright/test';
import { expect, test, serverURL } from './fixtures.js';
import * as Y from 'yjs';
import { ProductServer } from './harness.js';
import { signIn } from './actors.js';
import { HeadlessEditor } from '../helpers/planEditor.js';
import type { PmNode } from '../../server/plans/pmSchema.js';
import { docToJSON } from '../../server/plans/ydoc.js';
import fc from 'fast-check';

const server = new ProductServer();
// Fixed by default: the title names the seed, and Playwright matches tests by title across processes.
const SEED = Number(process.env.TONGBU_E2E_SEED ?? 0x0ff11e) >>> 0;
const TRANSITIONS = 12;
test.use({ ...serverURL(server) });

test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});


/** The text of every text node, in order: the same for the editor's DOM and the stored JSON. */
const textOf = (n: PmNode): string => (n.type === 'text' ? (n.text ?? '') : (n.content ?? []).map(textOf).join(''));
const editorText = (page: Page) => page.getByTestId('plan-doc').evaluate((el) => el.textContent ?? '');

test(`typing through offline → online transitions loses nothing (seed ${SEED})`, async ({ actor }) => {
  // The whole run's timing, drawn from the seed up front (fast-check, uniform: the run is a
  // scenario, not a property to shrink). Per transition: keys typed offline and after the
  // rejoin, their delays, the pauses, and whether to check 已同步 against the server.
  const [steps] = fc.sample(
    fc.array(
      fc.record({
        offlineKeys: fc.integer({ min: 1, max: 3 }),
        offlineDelay: fc.nat(39),
        offlinePause: fc.nat(399),
        rejoinPause: fc.nat(149),
        onlineKeys: fc.integer({ min: 5, max: 24 }),
        onlineDelay: fc.nat(39),
        check: fc.boolean(),
        afterPause: fc.nat(599),
      }),
      { minLength: TRANSITIONS, maxLength: TRANSITIONS },
    ),
    { seed: SEED, numRuns: 1, unbiased: true },
  );
  const page = await actor('wang');
  const context = page.context();
  await signIn(server, page, 'teacher-wang');
  await page.getByTestId(`lesson-plan-${server.demo().lessonId}`).click();
  await expect(page.getByTestId('plan-page')).toHaveAttribute('data-status', 'synced');
  const planId = new URL(page.url()).pathname.split('/').pop()!;
  const stored = async () => {
    const res = await page.request.get(`/api/plans/${planId}/content`);
    expect(res.status()).toBe(200);
    return textOf(((await res.json()) as { doc: PmNode }).doc);
  };

  // A paragraph of its own at the end, typed into from here on.
  await page.getByTestId('plan-doc').click();
  await page.keyboard.press('Control+End');
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.keyboard.press('Enter');
  let typed = '';
  let n = 0;
  const type = async (count: number, delay: number) => {
    let s = '';
    for (let i = 0; i < count; i++) s += String.fromCharCode(0x4e00 + (n++ % 2000)); // CJK, one key each
    typed += s;
    await page.keyboard.type(s, { delay });
  };

  await type(1, 0);
  for (const step of steps) {
    await context.setOffline(true);
    await expect(page.getByTestId('plan-page')).toHaveAttribute('data-status', 'offline');
    await type(step.offlineKeys, step.offlineDelay);
    await page.waitForTimeout(step.offlinePause);
    await context.setOffline(false);
    // Typing on through the rejoin, from at once to a moment later.
    await page.waitForTimeout(step.rejoinPause);
    await type(step.onlineKeys, step.onlineDelay);
    if (step.check) {
      // 已同步 must mean the server has it all.
      await expect(page.getByTestId('plan-page')).toHaveAttribute('data-status', 'synced');
      expect(await stored()).toBe(await editorText(page));
    }
    await page.waitForTimeout(step.afterPause);
  }
  await expect(page.getByTestId('plan-page')).toHaveAttribute('data-status', 'synced');
  const shown = await editorText(page);
  expect(shown).toContain(typed);
  expect(await stored()).toBe(shown);

  // A fresh client joins: it gets the whole document and nothing it cannot integrate.
  const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const fresh = await new HeadlessEditor(server.url, cookie, planId).connect();
  try {
    expect(fresh.doc.store.pendingStructs).toBeNull();
    expect(fresh.doc.store.pendingDs).toBeNull();
    expect(textOf(docToJSON(fresh.doc))).toBe(shown);
    expect(Y.encodeStateVector(fresh.doc).byteLength).toBeGreaterThan(1);
  } finally {
    fresh.close();
  }
});
