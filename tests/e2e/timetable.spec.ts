// 大课表 end to end: a city admin and a rural admin set today's period in their bell schedules,
// the city teacher finds the matching slot on the pairing's week view and schedules the term,
// the rural projector's idle screen shows today's lesson, and joins it by itself when the teacher starts it.
import type { Page } from '@playwright/test';
import { expect, test, serverURL } from './fixtures.js';
import { ProductServer } from './harness.js';
import { signIn as signInAs, signInDevice } from './actors.js';

const server = new ProductServer();
const SHANGHAI_MS = 8 * 3600_000;

test.beforeAll(async () => {
  // Today's period must fit inside the Shanghai day (periodToday): in its last minutes, wait for
  // the next day rather than fail. The server starts after, so the demo lesson is on that day too.
  const untilMidnight = 86_400_000 - ((Date.now() + SHANGHAI_MS) % 86_400_000);
  if (untilMidnight < 12 * 60_000) {
    test.setTimeout(untilMidnight + 5 * 60_000);
    await new Promise((r) => setTimeout(r, untilMidnight + 60_000));
  }
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

// Classroom PCs and teachers are in China: "today" is the Shanghai day.
test.use({ ...serverURL(server), timezoneId: 'Asia/Shanghai', locale: 'zh-CN' });

const signIn = (page: Page, username: string) => signInAs(server, page, username);


/** JSON API call with the page's session cookie. */
async function call<T>(page: Page, method: 'GET' | 'POST', path: string, data?: unknown): Promise<T> {
  const res = method === 'GET' ? await page.request.get(path) : await page.request.post(path, { data });
  if (!res.ok()) throw new Error(`${method} ${path}: ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}

type Community = { schools: { id: string; name: string }[]; pairings: { id: string; citySchoolId: string; ruralSchoolId: string }[]; classrooms: { id: string; name: string; schoolId: string }[]; teachers: { id: string; displayName: string }[] };
type Timetable = { bells: { weekday: number; period: number; startMin: number; endMin: number }[] };

const shanghaiDay = (ms: number) => new Date(ms + SHANGHAI_MS).toISOString().slice(0, 10);
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

/**
 * A 10-minute period today that has not ended and does not overlap the demo's own lesson
 * (same teacher and rooms, 40 min): just around now, or else right after that lesson.
 */
function periodToday(now: number, demoStart: number): { weekday: number; startMin: number; endMin: number } {
  const local = new Date(now + SHANGHAI_MS);
  const m = local.getUTCHours() * 60 + local.getUTCMinutes();
  const weekday = local.getUTCDay() === 0 ? 7 : local.getUTCDay();
  const dayStart = now - (m * 60 + local.getUTCSeconds()) * 1000 - local.getUTCMilliseconds();
  const demo = { from: (demoStart - dayStart) / 60_000, to: (demoStart - dayStart) / 60_000 + 40 };
  const free = (s: number, e: number) => s >= 0 && e <= 1439 && (e <= demo.from || s >= demo.to);
  if (free(m - 2, m + 8)) return { weekday, startMin: m - 2, endMin: m + 8 };
  const after = Math.ceil(demo.to);
  if (free(after, after + 10)) return { weekday, startMin: after, endMin: after + 10 };
  throw new Error('no room for a period today this close to midnight in Shanghai; run again in 10 minutes');
}

test('the 大课表 schedules today’s lesson; the idle projector shows it and joins by itself when the teacher starts', async ({ actor }) => {
  const demo = server.demo();
  const cityAdmin = await actor('cityAdmin');
  const ruralAdmin = await actor('ruralAdmin');
  const teacher = await actor('teacher');
  const projector = await actor('projector');
  await signIn(cityAdmin, 'city-admin');
  await signIn(ruralAdmin, 'qingshan-admin');
  await signIn(teacher, 'teacher-wang');

  const community = await call<Community>(cityAdmin, 'GET', '/api/community');
  const school = (name: string) => community.schools.find((s) => s.name === name)!.id;
  const city = school('滨江实验小学');
  const qingshan = school('青山村小学');
  const pairing = community.pairings.find((p) => p.citySchoolId === city && p.ruralSchoolId === qingshan)!;
  const room = (schoolId: string) => community.classrooms.find((c) => c.schoolId === schoolId)!.id;
  const wang = community.teachers.find((t) => t.displayName === '王老师')!.id;
  const li = community.teachers.find((t) => t.displayName === '李老师')!.id;

  // The city admin imports a calendar in the UI: a bad row is reported by row and nothing changes; a good file imports.
  await cityAdmin.getByTestId('nav-timetable').click();
  await cityAdmin.getByTestId('tt-tab-calendar').click();
  const before = await cityAdmin.getByTestId('tt-calendar').locator('li').count();
  await cityAdmin.getByTestId('tt-import-file-calendar').setInputFiles({
    name: '校历.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('\uFEFF日期,类型,说明\n2030-10-01,假期,国庆节\n2030-13-01,假期,坏日期\n', 'utf8'),
  });
  await expect(cityAdmin.getByTestId('tt-import-errors')).toContainText('第 3 行「日期」');
  await expect(cityAdmin.getByTestId('tt-calendar').locator('li')).toHaveCount(before);
  await cityAdmin.getByTestId('tt-import-file-calendar').setInputFiles({
    name: '校历.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from('日期,结束日期,类型,说明\n2030-10-01,2030-10-03,假期,国庆节\n', 'utf8'),
  });
  await expect(cityAdmin.getByTestId('tt-import-ok')).toContainText('已导入 3 条');
  await expect(cityAdmin.getByTestId('tt-calendar').locator('li')).toHaveCount(3);

  // Each admin puts today's period into their own school's bell schedule (the rural bell one
  // minute later), one 数学 class in it, a term around today and no holidays.
  const now = Date.now();
  const today = shanghaiDay(now);
  const demoLesson = await call<{ lesson: { scheduledAt: string } }>(teacher, 'GET', `/api/lessons/${demo.lessonId}`);
  const p = periodToday(now, Date.parse(demoLesson.lesson.scheduledAt));
  const setUp = async (page: Page, schoolId: string, offset: number, teacherId: string) => {
    const { timetable } = await call<{ timetable: Timetable }>(page, 'GET', `/api/timetable/schools/${schoolId}`);
    const periods = [...timetable.bells.filter((b) => b.weekday !== p.weekday), { weekday: p.weekday, period: 1, startMin: p.startMin + offset, endMin: p.endMin + offset }];
    await call(page, 'POST', `/api/timetable/schools/${schoolId}/bells`, { periods });
    await call(page, 'POST', `/api/timetable/schools/${schoolId}/classes`, {
      classes: [{ weekday: p.weekday, period: 1, classroomId: room(schoolId), subject: '数学', grade: 4, teacherId, teacherName: '' }],
    });
    await call(page, 'POST', `/api/timetable/schools/${schoolId}/terms`, { terms: [{ name: '本学期', startsOn: addDays(today, -7), endsOn: addDays(today, 30) }] });
    await call(page, 'POST', `/api/timetable/schools/${schoolId}/calendar`, { days: [] });
  };
  await setUp(cityAdmin, city, 0, wang);
  await setUp(ruralAdmin, qingshan, 1, li);

  // The teacher opens the pairing's 大课表: both schools on one week grid, the slot highlighted.
  await teacher.getByTestId('nav-timetable').click();
  await expect(teacher.getByTestId('timetable-page')).toBeVisible();
  await teacher.getByTestId(`pairing-link-${pairing.id}`).click();
  const grid = teacher.getByTestId('tt-week-grid');
  await expect(grid).toBeVisible();
  const day = teacher.getByTestId(`tt-day-${p.weekday}`);
  await expect(day.locator('.tt-lane-city .tt-chip[data-match="true"]')).toHaveText('数学 · 四年级(1)班');
  await expect(day.locator('.tt-lane-rural .tt-chip[data-match="true"]')).toHaveText('数学 · 四年级');
  await expect(day.locator('.tt-band')).toHaveCount(1);
  await teacher.screenshot({ path: `${import.meta.dirname}/../.reports/screens/timetable-week.png`, fullPage: true });
  // Another weekday has nothing matching any more.
  const otherDay = p.weekday === 1 ? 2 : 1;
  await expect(teacher.getByTestId(`tt-day-${otherDay}`).locator('.tt-chip[data-match="true"]')).toHaveCount(0);

  // Schedule for the term from the slot: preview shows today as a date to schedule.
  const slots = teacher.getByTestId('tt-slots').locator('li');
  await expect(slots).toHaveCount(1);
  await slots.first().getByRole('button').click();
  const panel = teacher.getByTestId('tt-schedule');
  await expect(panel).toBeVisible();
  await panel.getByTestId('tt-from').fill(today);
  await panel.getByTestId('tt-to').fill(addDays(today, 14));
  await panel.getByTestId('tt-preview').click();
  await expect(panel.getByTestId(`tt-date-${today}`)).toHaveAttribute('data-status', 'ok');
  await expect(panel.getByTestId('tt-plan').locator('tbody tr')).toHaveCount(3);
  await panel.getByTestId('tt-schedule-go').click();
  await expect(teacher.getByTestId('toast').filter({ hasText: '已创建 3 节同步课' })).toBeVisible();
  // After scheduling, the same dates now clash with the lessons just made, with the reason.
  await expect(panel.getByTestId(`tt-date-${today}`)).toHaveAttribute('data-status', 'clash');
  await expect(panel.getByTestId(`tt-date-${today}`)).toContainText('王老师在');

  const { lessons } = await call<{ lessons: { id: string; title: string; scheduledAt: string; state: string }[] }>(
    teacher,
    'GET',
    `/api/lessons?from=${encodeURIComponent(new Date(now - 3600_000).toISOString())}&to=${encodeURIComponent(new Date(now + 86_400_000).toISOString())}`,
  );
  const lesson = lessons.find((l) => l.title.startsWith('数学 · 四年级(1)班') && shanghaiDay(Date.parse(l.scheduledAt)) === today)!;
  expect(lesson).toBeTruthy();
  const startLocal = new Date(Date.parse(lesson.scheduledAt) + SHANGHAI_MS);
  expect(startLocal.getUTCHours() * 60 + startLocal.getUTCMinutes()).toBe(p.startMin + 1);

  // The teacher's calendar subscription: made and shown on the 大课表 page, and it lists the lesson.
  await teacher.getByTestId('nav-timetable').click();
  const feed = teacher.getByTestId(`feed-teacher-${wang}`);
  await feed.getByTestId('feed-make').click();
  await expect(feed.getByTestId('feed-url')).toHaveValue(/\/api\/timetable\/feed\/[A-Za-z0-9_-]+\.ics$/);
  const feedUrl = await feed.getByTestId('feed-url').inputValue();
  const ics = await (await projector.request.get(feedUrl)).text(); // any client: the secret is in the URL
  expect(ics).toContain(`UID:lesson-${lesson.id}@tongbu`);
  expect(ics).toContain('DTSTART;TZID=Asia/Shanghai:');

  // The rural classroom's projector, idle: today's lesson is listed, marked as the next one.
  const code = demo.deviceCodes.find((d) => d.school === '青山村小学')!.code;
  await signInDevice(projector, code);
  const item = projector.getByTestId(`idle-lesson-${lesson.id}`);
  await expect(item).toBeVisible();
  await expect(item).toContainText('数学 · 四年级(1)班 × 青山村小学四年级');
  await expect(item).toHaveAttribute('data-state', 'scheduled');
  await expect(item).toContainText('主讲：滨江实验小学 四年级(1)班');
  await projector.screenshot({ path: `${import.meta.dirname}/../.reports/screens/timetable-idle.png` });

  // The teacher starts it; nobody touches the projector, which joins by itself.
  await teacher.goto(`/lessons/${lesson.id}/teach`);
  await expect(teacher.getByTestId('lesson-start')).toBeEnabled();
  await teacher.getByTestId('lesson-start').click();
  await expect(teacher.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');
  await expect(projector).toHaveURL(new RegExp(`/lessons/${lesson.id}/projector$`), { timeout: 20_000 });
  await expect(projector.getByTestId('projector-page')).toBeVisible();
  await expect(projector.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');
  await expect(teacher.getByTestId(`classroom-tile-${room(qingshan)}`)).toBeVisible({ timeout: 30_000 });
});
