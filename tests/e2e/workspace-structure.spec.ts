// 教共体 structure end to end (issue 12): the community admin sets the community's scope, adds a
// pairing's second round and names a leader with a duty, on the structure page; the bureau's
// reviewer (who belongs to no community) starts on the bureau's home and sees all of it there,
// read-only. Screenshots of both pages in Chinese and English.
import { expect, test, serverURL } from './fixtures.js';
import { ProductServer } from './harness.js';
import { signIn } from './actors.js';

const server = new ProductServer();

test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

test.use({ ...serverURL(server) });

test('the community admin sets up rounds and leaders; the bureau reviewer sees them', async ({ actor }, testInfo) => {
  const admin = await actor('admin');
  await signIn(server, admin, 'admin');
  await admin.goto('/workspace');
  await admin.getByTestId('ws-structure-link').click();
  await expect(admin.getByTestId('ws-structure')).toBeVisible();
  await admin.getByTestId('ws-community-scope').selectOption('city');
  await expect(admin.getByTestId('ws-community-scope')).toHaveValue('city');

  const qingshan = admin.getByTestId('ws-structure-pairing').filter({ hasText: '青山村小学' });
  const form = qingshan.getByTestId('ws-round-form');
  await form.getByLabel('开始日期').fill('2029-09-01');
  await form.getByLabel('结束日期').fill('2032-08-31');
  await form.getByPlaceholder(/每年主题/).fill('深化年、辐射年');
  await form.getByRole('button', { name: '添加轮次' }).click();
  await expect(qingshan).toContainText('第2轮 2029-09-01 至 2032-08-31 · 深化年 → 辐射年');

  const leaders = qingshan.getByTestId('ws-leader-form');
  await leaders.getByLabel('选择人员').selectOption({ label: '滨江实验小学 · 王老师' });
  await leaders.getByPlaceholder('责任分工').fill('同步课堂主讲，每月不少于两节');
  await leaders.getByRole('button', { name: '设为负责人' }).click();
  await expect(qingshan.getByTestId('ws-leader').filter({ hasText: '王老师' })).toContainText('同步课堂主讲，每月不少于两节');
  await admin.screenshot({ path: testInfo.outputPath('workspace-structure-zh.png'), fullPage: true });

  const reviewer = await actor('reviewer');
  await signIn(server, reviewer, 'bureau-li');
  await expect(reviewer.getByTestId('bureau-home')).toBeVisible();
  const community = reviewer.getByTestId('bureau-community');
  await expect(community).toContainText('滨江教共体 · 共建型 · 市域');
  await expect(community).toContainText('第2轮 2029-09-01 至 2032-08-31');
  await expect(community).toContainText('王老师（同步课堂主讲，每月不少于两节）');
  // A reviewer has no community menu: no timetable, recordings or 教研.
  await expect(reviewer.getByTestId('nav-timetable')).toHaveCount(0);
  await reviewer.screenshot({ path: testInfo.outputPath('bureau-home-zh.png'), fullPage: true });
  await reviewer.getByTestId('lang-toggle').click();
  await expect(community).toContainText('Round 2: 2029-09-01 to 2032-08-31');
  await reviewer.screenshot({ path: testInfo.outputPath('bureau-home-en.png'), fullPage: true });

  // The structure page is read-only for the reviewer.
  await reviewer.getByTestId('open-structure').click();
  await expect(reviewer.getByTestId('ws-structure')).toBeVisible();
  await expect(reviewer.getByTestId('ws-round-form')).toHaveCount(0);
  await expect(reviewer.getByTestId('ws-community-scope')).toBeDisabled();
});
