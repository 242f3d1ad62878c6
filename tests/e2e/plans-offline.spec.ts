// 集体备课 through a flaky link, in Chromium against the real product (issue 10): a teacher types
// through many offline → online transitions with random gaps, typing on while the editor
// rejoins. Whenever the editor says 已同步 the server's stored document must equal what the
// editor shows, and a fresh client that joins afterwards is left with no pending structs.
//
// Reproduce a run with the seed it prints: TONGBU_E2E_SEED=<seed> npx playwright test ...
import { expect, test, type Page } from '@playwright/test';
import * as Y from 'yjs';
import { ProductServer } from './harness.js';
import { signIn } from './actors.js';
import { HeadlessEditor } from '../helpers/planEditor.js';
import type { PmNode } from '../../server/plans/pmSchema.js';
import { docToJSON } from '../../server/plans/ydoc.js';
import { mulberry32 } from '../helpers/prng.js';

const server = new ProductServer(48900, 48000);
// Fixed by default: the title names the seed, and Playwright matches tests by title across processes.
const SEED = Number(process.env.TONGBU_E2E_SEED ?? 0x0ff11e) >>> 0;
const TRANSITIONS = 12;

test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});


/** The text of every text node, in order: the same for the editor's DOM and the stored JSON. */
const textOf = (n: PmNode): string => (n.type === 'text' ? (n.text ?? '') : (n.content ?? []).map(textOf).join(''));
const editorText = (page: Page) => page.getByTestId('plan-doc').evaluate((el) => el.textContent ?? '');

test(`typing through offline → online transitions loses nothing (seed ${SEED})`, async ({ browser }) => {
  const rnd = mulberry32(SEED);
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
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
  const pause = (maxMs: number) => page.waitForTimeout(Math.floor(rnd() * maxMs));

  await type(1, 0);
  for (let i = 0; i < TRANSITIONS; i++) {
    await context.setOffline(true);
    await expect(page.getByTestId('plan-page')).toHaveAttribute('data-status', 'offline');
    await type(1 + Math.floor(rnd() * 3), Math.floor(rnd() * 40));
    await pause(400);
    await context.setOffline(false);
    // Typing on through the rejoin, from at once to a moment later.
    await pause(150);
    await type(5 + Math.floor(rnd() * 20), Math.floor(rnd() * 40));
    if (rnd() < 0.5) {
      // 已同步 must mean the server has it all.
      await expect(page.getByTestId('plan-page')).toHaveAttribute('data-status', 'synced');
      expect(await stored()).toBe(await editorText(page));
    }
    await pause(600);
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
  await context.close();
});
