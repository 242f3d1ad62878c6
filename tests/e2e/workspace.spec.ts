// 教共体 workspace end to end (issue 12): 青山村小学's admin logs an offline 送教下乡 with two
// photos and submits it; 王老师 teaches a synchronous lesson live to 青山's projector classroom
// long enough to count (both schools connected together for the bureau's share of its planned
// length); the community admin's dashboard counts both against the target with the milestone
// line; the bureau's reviewer returns the 送教下乡 with a comment, and the school's admin sees
// the notification, the 已退回 status and the comment. Each actor in a browser context of its
// own; every workspace page visited is photographed (zh-CN, and the dashboard in English too).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { expect, test, serverURL } from './fixtures.js';
import { ProductServer } from './harness.js';
import { signIn as signInAs, signInDevice } from './actors.js';
import type { CommunityView } from '../../server/contract/api.js';
import type { PairingProgressResponse } from '../../server/contract/workspace/progress.js';
import { demoTemplate } from '../../server/workspace/targetsDemo.js';
import { schoolDayOf } from '../../server/contract/time.js';

const server = new ProductServer();
const photos = mkdtempSync(path.join(os.tmpdir(), 'tongbu-e2e-photos-'));

test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  rmSync(photos, { recursive: true, force: true });
  await server.dispose();
});

test.use({ ...serverURL(server) });

const signIn = (page: Page, username: string) => signInAs(server, page, username);
const shot = (page: Page, name: string) => page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });

/** Waits until a chart's SVG stops changing: ECharts animates a new option for about a second. */
async function settled(chart: Locator): Promise<void> {
  let last = '';
  await expect
    .poll(
      async () => {
        const now = await chart.evaluate((el) => el.innerHTML);
        const same = now === last;
        last = now;
        return same;
      },
      { message: 'the chart finished drawing', intervals: [400] },
    )
    .toBe(true);
}

/** `n` pictures shown, each loaded and decoded by the browser (not a broken image). */
async function expectPictures(images: Locator, n: number): Promise<void> {
  await expect(images).toHaveCount(n);
  for (const img of await images.all()) {
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => (i.complete ? i.naturalWidth : 0)), { message: 'the picture loads' }).toBeGreaterThan(0);
  }
}

/** A real photo file (ffmpeg's test colour, one frame), as a phone would hand the page. */
function photo(name: string, colour: string): string {
  const file = path.join(photos, name);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${colour}:s=640x480`, '-frames:v', '1', file]);
  return file;
}

// The smallest planned length a lesson may have: it counts after share × 5 minutes live together.
const PLANNED_MIN = 5;

test('送教下乡 with photos and a live synchronous lesson are counted, the bureau returns one, the school sees it', async ({ actor }) => {
  test.setTimeout(330_000);
  const demo = server.demo();
  const today = schoolDayOf(new Date()).day;
  const place = '青山村小学 四年级教室';
  const comment = '照片看不出授课内容，请补充课堂照片和签到表';

  const teacher = await actor('teacher-wang');
  const room = await actor('qingshan-projector');
  const school = await actor('qingshan-admin');
  await signIn(teacher, 'teacher-wang');
  const qingshanCode = demo.deviceCodes.find((d) => d.school === '青山村小学')!.code;
  await signInDevice(room, qingshanCode);

  // 王老师 schedules a 5-minute synchronous lesson for now, 青山's classroom receiving, on the home page.
  const community = (await (await teacher.request.get('/api/community')).json()) as CommunityView;
  const schoolId = (name: string) => community.schools.find((s) => s.name === name)!.id;
  const qingshanRoom = community.classrooms.find((c) => c.schoolId === schoolId('青山村小学'))!;
  const pairing = community.pairings.find((p) => p.ruralSchoolId === schoolId('青山村小学'))!;
  await teacher.getByTestId('new-lesson').click();
  await teacher.getByTestId('new-lesson-title').fill('认识时间');
  await teacher.getByTestId('new-lesson-subject').fill('数学');
  await teacher.getByTestId('new-lesson-duration').fill(String(PLANNED_MIN));
  await teacher.getByTestId(`new-lesson-receiving-${qingshanRoom.id}`).check();
  await teacher.getByTestId('new-lesson-submit').click();
  const card = teacher.locator('[data-testid^="lesson-"].lesson-card', { hasText: '认识时间' });
  await expect(card).toBeVisible();
  const lessonId = (await card.getAttribute('data-testid'))!.replace(/^lesson-/, '');

  // The console and the projector are open and publishing before go-live, so both schools are
  // connected from the lesson's first instant.
  await teacher.goto(`/lessons/${lessonId}/teach`);
  await room.goto(`/lessons/${lessonId}/projector`);
  const publishing = (page: Page) => page.evaluate(() => (window.__tongbu!.state() as { producers: unknown[] }).producers.length);
  await expect.poll(() => publishing(room), { message: 'the projector publishes camera and mic', timeout: 30_000 }).toBe(2);
  await expect(teacher.getByTestId('lesson-start')).toBeEnabled({ timeout: 30_000 });
  await teacher.getByTestId('lesson-start').click();
  await expect(teacher.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');
  await expect(room.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');

  // While the lesson runs: 青山's admin logs the 送教下乡 of today with two photos and submits it.
  await signIn(school, 'qingshan-admin');
  await school.getByTestId('nav-workspace-activities').click();
  await expect(school.getByTestId('wsa-activities-page')).toBeVisible();
  await expect(school.getByTestId('wsa-empty')).toBeVisible();
  await shot(school, 'activities-empty.zh-CN');
  await school.getByTestId('wsa-new').click();
  await school.getByTestId('wsa-kind').selectOption('send_teaching');
  await school.getByTestId('wsa-day').fill(today);
  await school.getByTestId('wsa-place').fill(place);
  await school.getByTestId('wsa-subject').fill('语文');
  await school.getByTestId('wsa-pairing').selectOption({ label: '滨江实验小学 ⇄ 青山村小学' });
  await school.getByTestId('wsa-people').fill('王老师、四年级全体学生');
  await school.getByTestId('wsa-description').fill('城区名师送教《秋天的雨》示范课，课后与本校语文组研讨');
  await school.getByTestId('wsa-save').click();
  const activity = school.getByTestId('wsa-activity').filter({ hasText: place });
  await expect(activity).toHaveCount(1);
  await expect(activity.getByTestId('wsa-status')).toHaveAttribute('data-status', 'draft');
  await expect(activity.getByTestId('wsa-submit')).toBeDisabled(); // no evidence yet
  await activity.getByTestId('wsa-evidence-input').setInputFiles([photo('课堂.jpg', 'orange'), photo('研讨.png', 'teal')]);
  await expectPictures(activity.getByTestId('wsa-thumbnail'), 2);
  await expect(activity.getByTestId('wsa-evidence-item')).toHaveText([/课堂\.jpg/, /研讨\.png/]);
  await shot(school, 'activity-draft-with-photos.zh-CN');
  await activity.getByTestId('wsa-submit').click();
  await expect(activity.getByTestId('wsa-status')).toHaveAttribute('data-status', 'submitted');
  await expect(activity.getByTestId('wsa-status')).toHaveText('待核验');

  // The community admin and the bureau's reviewer sign in meanwhile (a reviewer's home is the
  // bureau's, not a community's lessons: no signIn() helper for her).
  const admin = await actor('admin');
  await signIn(admin, 'admin');
  const bureau = await actor('bureau-li');
  await bureau.goto('/login');
  await bureau.getByTestId('login-username').fill('bureau-li');
  await bureau.getByTestId('login-password').fill(demo.password);
  await bureau.getByTestId('login-submit').click();
  await expect(bureau.getByTestId('bureau-home')).toBeVisible();

  // The lesson stays live until it counts: both schools together for the share of its planned
  // length, as the pairing's progress judges it (live lessons are judged at each look).
  const syncLesson = async () => {
    const res = await teacher.request.get(`/api/workspace/pairings/${pairing.id}/progress`);
    expect(res.status()).toBe(200);
    return ((await res.json()) as PairingProgressResponse).activities.find((a) => a.kind === 'sync_lesson' && a.title.includes('认识时间'));
  };
  await expect
    .poll(async () => (await syncLesson())?.counts, { message: 'the live lesson reaches its share of the planned length', timeout: 240_000, intervals: [5_000] })
    .toBe(true);
  await teacher.getByTestId('lesson-end').click();
  await expect(room.getByTestId('lesson-ended')).toBeVisible();
  const judged = await syncLesson();
  expect(judged?.counts).toBe(true);
  expect(judged!.attendance!.jointMin).toBeGreaterThanOrEqual(judged!.attendance!.neededMin);

  // 王老师's pairing page: the lesson counted with its minutes, the target's milestone line drawn.
  await teacher.goto(`/workspace/pairings/${pairing.id}`);
  await expect(teacher.getByTestId('ws-pairing')).toBeVisible();
  await expect(teacher.getByTestId('ws-activities')).toContainText('认识时间');
  await expect(teacher.getByTestId('ws-target-chart').first().locator('svg')).toBeVisible();
  for (const c of await teacher.getByTestId('ws-target-chart').all()) await settled(c);
  await shot(teacher, 'pairing-dashboard.zh-CN');

  // The community admin's dashboard: 青山's pairing counts the lesson and the 送教下乡 against
  // the target that counts both kinds; the milestone line is in the words and in the chart.
  const target = demoTemplate(Number(today.slice(0, 4))).find((t) => t.kinds.includes('sync_lesson') && t.kinds.includes('send_teaching'))!;
  const terms = target.terms[0];
  const next = terms.milestones.find((m) => m.by >= today) ?? terms.milestones[terms.milestones.length - 1];
  const neededEach = Math.ceil((next.percent / 100) * terms.threshold - 1e-9);
  await admin.getByTestId('nav-workspace').click();
  await expect(admin.getByTestId('ws-community')).toBeVisible();
  const qingshanRow = admin.locator('[data-testid="ws-pairing-row"][data-rural="青山村小学"]');
  await expect(qingshanRow.getByTestId('ws-pairing-counted')).toHaveText('同步课堂 1 · 送教下乡 1');
  await expect(qingshanRow).toContainText(`${target.title}: 2/${terms.threshold}`);
  const rollup = admin.getByTestId('ws-rollup').filter({ has: admin.getByTestId('ws-rollup-title').getByText(target.title, { exact: true }) });
  await expect(rollup).toContainText(`合计 2/${2 * terms.threshold}`);
  const [month, day] = next.by.slice(5).split('-').map(Number);
  await expect(rollup.getByTestId('ws-rollup-milestone')).toHaveText(
    `里程碑：${month}月${day}日前完成 ${next.percent}%，2 个结对合计需 ${2 * neededEach}，已完成 2`,
  );
  const chart = rollup.getByTestId('ws-rollup-chart');
  await expect(chart.locator('svg')).toBeVisible();
  await expect(chart.locator('svg text', { hasText: '里程碑' })).toBeVisible(); // the line's legend
  await expect(chart.locator('svg path[stroke-dasharray]').first()).toBeAttached(); // the dashed line itself
  await settled(chart);
  await shot(admin, 'community-dashboard.zh-CN');
  await admin.getByTestId('lang-toggle').click();
  await expect(qingshanRow.getByTestId('ws-pairing-counted')).toHaveText('Synchronous lesson 1 · Teaching visit to a rural school (送教下乡) 1');
  await expect(rollup.getByTestId('ws-rollup-milestone')).toHaveText(`Milestone: ${next.percent}% by ${month}/${day}; 2 pairing(s) need ${2 * neededEach} together, 2 done`);
  await expect(chart.locator('svg text', { hasText: 'Milestones' })).toBeVisible();
  await settled(chart);
  await shot(admin, 'community-dashboard.en');

  // 李科长 of the bureau finds the 送教下乡 in the 核验 queue, looks at the photos, returns it.
  await bureau.getByTestId('open-review').click();
  await expect(bureau.getByTestId('wsa-review-page')).toBeVisible();
  const queued = bureau.getByTestId('wsa-activity').filter({ hasText: place });
  await expect(queued).toHaveCount(1);
  await expectPictures(queued.getByTestId('wsa-thumbnail'), 2);
  await expect(queued.getByTestId('wsa-evidence-remove')).toHaveCount(0); // a reviewer never changes it
  await shot(bureau, 'review-queue.zh-CN');
  // The full picture, then back to the queue.
  await queued.getByTestId('wsa-thumbnail').first().click();
  await expectPictures(bureau.getByTestId('wsa-viewer').locator('img'), 1);
  await shot(bureau, 'review-photo.zh-CN');
  await bureau.getByTestId('wsa-viewer').click();
  await expect(bureau.getByTestId('wsa-viewer')).toHaveCount(0);
  await queued.getByTestId('wsa-review-comment-input').fill(comment);
  await queued.getByTestId('wsa-return').click();
  await expect(queued).toHaveCount(0);
  await expect(bureau.getByTestId('wsa-review-empty')).toBeVisible();
  await bureau.getByTestId('wsa-review-tab-returned').click();
  const returned = bureau.getByTestId('wsa-activity').filter({ hasText: place });
  await expect(returned.getByTestId('wsa-status')).toHaveAttribute('data-status', 'returned');
  await expect(returned.getByTestId('wsa-review-comment')).toContainText(comment);
  await shot(bureau, 'review-returned.zh-CN');

  // 青山's admin, still on the activity log: a click on the nav link asks again; it shows the
  // unread notice with the comment, and the activity — listed again with it — is 已退回 with
  // 李科长's comment and may be changed and submitted again.
  await expect(school.getByTestId('wsa-activities-page')).toBeVisible();
  await school.getByTestId('nav-workspace-activities').click();
  await expect(school.getByTestId('wsa-unread')).toHaveText('1');
  await expect(school.getByTestId('wsa-notice')).toHaveCount(1);
  await expect(school.getByTestId('wsa-notice')).toContainText(`送教下乡（${today}，${place}）被退回：${comment}`);
  await expect(activity.getByTestId('wsa-status')).toHaveAttribute('data-status', 'returned');
  await expect(activity.getByTestId('wsa-status')).toHaveText('已退回');
  await expect(activity.getByTestId('wsa-review-comment')).toHaveText(`李科长 退回：${comment}`);
  await expect(activity.getByTestId('wsa-submit')).toHaveText('修改后重新提交');
  await expect(activity.getByTestId('wsa-evidence-remove')).toHaveCount(2);
  await shot(school, 'activity-returned.zh-CN');
  await school.getByTestId('wsa-notice-read').click();
  await expect(school.getByTestId('wsa-notice')).toHaveCount(0);
  await school.getByTestId('nav-workspace').click();
  await expect(school.getByTestId('ws-home')).toBeVisible();
  await expect(school.getByTestId('wsa-unread')).toHaveCount(0);

  // A returned activity no longer counts: the dashboard keeps the lesson only.
  await admin.reload();
  await expect(qingshanRow.getByTestId('ws-pairing-counted')).toHaveText('Synchronous lesson 1');
});
