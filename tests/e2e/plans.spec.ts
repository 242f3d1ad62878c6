// 集体备课 end to end in Chromium against the real product: two teachers of the paired schools
// edit one plan live (text and named carets), one goes offline and comes back (no edit lost),
// a version is saved and restored, and a .docx round-trips through import and export.
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from '@playwright/test';
import { expect, test, type Actors, serverURL } from './fixtures.js';
import mammoth from 'mammoth';
import { Document, HeadingLevel, Packer, Paragraph, Table, TableCell, TableRow, TextRun } from 'docx';
import { ProductServer } from './harness.js';
import { signIn as signInAs } from './actors.js';

const server = new ProductServer();

test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

test.use({ ...serverURL(server), acceptDownloads: true });

/** A teacher's page (in a context of its own) that says yes when restore and import ask for confirmation. */
async function teacher(actor: Actors['actor'], name: string): Promise<{ context: BrowserContext; page: Page }> {
  const page = await actor(name);
  page.on('dialog', (d) => void d.accept());
  return { context: page.context(), page };
}

const signIn = (page: Page, username: string) => signInAs(server, page, username);

/** Types a new paragraph at the end of the plan. */
async function typeAtEnd(page: Page, text: string): Promise<void> {
  await page.getByTestId('plan-doc').click();
  await page.keyboard.press('Control+End');
  // The editor takes the browser's new selection on its selectionchange event: let that run
  // before Enter, or Enter splits the block the click landed in.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  await page.keyboard.press('Enter');
  await page.keyboard.insertText(text);
}

const doc = (page: Page) => page.getByTestId('plan-doc');

/** The document's text without the other editors' caret labels. */
const docText = (page: Page) =>
  doc(page).evaluate((el) => {
    const copy = el.cloneNode(true) as HTMLElement;
    copy.querySelectorAll('.collaboration-carets__caret').forEach((c) => c.remove());
    return copy.innerText;
  });

test('two teachers write one plan together, offline edits merge, versions restore, .docx round-trips', async ({ actor }) => {
  const wang = await teacher(actor, 'wang');
  const li = await teacher(actor, 'li');
  await signIn(wang.page, 'teacher-wang');
  await signIn(li.page, 'teacher-li');

  // 王老师 opens the demo lesson's plan from the home page: made from the template.
  const lessonId = server.demo().lessonId;
  await wang.page.getByTestId(`lesson-plan-${lessonId}`).click();
  await expect(wang.page.getByTestId('plan-status')).toHaveText('已同步');
  await expect(doc(wang.page)).toContainText('教学过程');
  await expect(wang.page.getByTestId('plan-phases')).toContainText('导入新课');
  const planUrl = new URL(wang.page.url()).pathname;
  expect(planUrl).toMatch(/^\/plans\//);

  // 李老师 (the rural school) opens the same plan.
  await li.page.goto(planUrl);
  await expect(li.page.getByTestId('plan-status')).toHaveText('已同步');

  await typeAtEnd(wang.page, '王老师：用折纸引入分数。');
  await expect(doc(li.page)).toContainText('王老师：用折纸引入分数。');
  await typeAtEnd(li.page, '李老师：村小学生先用实物分饼。');
  await expect(doc(wang.page)).toContainText('李老师：村小学生先用实物分饼。');
  // Each sees the other's caret, labelled with the other's name.
  await expect(wang.page.locator('.collaboration-carets__label', { hasText: '李老师' })).toBeVisible();
  await expect(li.page.locator('.collaboration-carets__label', { hasText: '王老师' })).toBeVisible();

  // 李老师 loses the network, keeps writing; 王老师 writes meanwhile.
  await li.context.setOffline(true);
  await expect(li.page.getByTestId('plan-page')).toHaveAttribute('data-status', 'offline');
  await typeAtEnd(li.page, '离线时写的：课后让学生找生活中的分数。');
  await typeAtEnd(wang.page, '在线时写的：板书画一个圆。');
  await expect(doc(wang.page)).not.toContainText('离线时写的');
  await li.context.setOffline(false);
  await expect(li.page.getByTestId('plan-page')).toHaveAttribute('data-status', 'synced');
  for (const p of [wang.page, li.page]) {
    await expect(doc(p)).toContainText('离线时写的：课后让学生找生活中的分数。');
    await expect(doc(p)).toContainText('在线时写的：板书画一个圆。');
  }
  await expect.poll(async () => (await docText(li.page)) === (await docText(wang.page))).toBe(true);

  // Save 初稿, change the plan, compare, then restore 初稿: both editors converge on it.
  await wang.page.getByTestId('plan-tab-versions').click();
  await wang.page.getByTestId('version-name').fill('初稿');
  await wang.page.getByTestId('version-save').click();
  await expect(wang.page.locator('[data-testid=version][data-name="初稿"]')).toBeVisible();
  await typeAtEnd(li.page, '二稿新增：分组比赛。');
  await expect(doc(wang.page)).toContainText('二稿新增：分组比赛。');
  await wang.page.getByTestId('diff-run').click();
  await expect(wang.page.getByTestId('plan-diff').locator('ins')).toContainText('二稿新增：分组比赛。');
  await wang.page.getByTestId('version-restore-初稿').click();
  for (const p of [wang.page, li.page]) {
    await expect(doc(p)).not.toContainText('二稿新增');
    await expect(doc(p)).toContainText('在线时写的：板书画一个圆。');
  }
  await expect(wang.page.locator('[data-testid=version][data-name="恢复「初稿」前"]')).toBeVisible();

  // A Word document (made here with the docx library) is imported, then exported again.
  const source = await Packer.toBuffer(
    new Document({
      sections: [
        {
          children: [
            new Paragraph({ heading: HeadingLevel.HEADING_1, children: [new TextRun('圆的认识')] }),
            new Paragraph({ heading: HeadingLevel.HEADING_2, children: [new TextRun('教学目标')] }),
            new Paragraph({ children: [new TextRun('认识圆的各部分名称，会用圆规画圆。')] }),
            new Table({
              rows: [
                new TableRow({ children: [new TableCell({ children: [new Paragraph('环节')] }), new TableCell({ children: [new Paragraph('时间')] })] }),
                new TableRow({ children: [new TableCell({ children: [new Paragraph('画圆')] }), new TableCell({ children: [new Paragraph('10分钟')] })] }),
              ],
            }),
          ],
        },
      ],
    }),
  );
  await wang.page.getByTestId('plan-import-file').setInputFiles({
    name: '圆的认识.docx',
    mimeType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    buffer: source,
  });
  for (const p of [wang.page, li.page]) {
    await expect(doc(p).locator('h1')).toHaveText('圆的认识');
    await expect(doc(p).locator('table td', { hasText: '10分钟' })).toBeVisible();
  }
  const [download] = await Promise.all([li.page.waitForEvent('download'), li.page.getByTestId('plan-export-docx').click()]);
  const exported = readFileSync((await download.path())!);
  const html = (await mammoth.convertToHtml({ buffer: exported })).value;
  expect(html).toContain('<h1>圆的认识</h1>');
  expect(html).toContain('<h2>教学目标</h2>');
  expect(html).toContain('认识圆的各部分名称，会用圆规画圆。');
  expect(html).toMatch(/<table><tr><td><p>环节<\/p><\/td><td><p>时间<\/p><\/td><\/tr><tr><td><p>画圆<\/p><\/td><td><p>10分钟<\/p><\/td><\/tr><\/table>/);

});
