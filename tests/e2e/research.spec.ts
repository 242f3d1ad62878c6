// 评课 end to end: a researcher annotates a lesson under review; a second researcher (钱老师, of
// the rural 石桥 school, in another browser context) sees the note arrive live with the @mention
// highlighted, replies, and the first researcher sees the reply live. Then the exports are fetched
// with the researcher's session and parsed (CSV, ELAN .eaf against its structure, .docx, PDF).
import { expect, test, type Actors, serverURL } from './fixtures.js';
import { XMLParser } from 'fast-xml-parser';
import mammoth from 'mammoth';
import Papa from 'papaparse';
import { ProductServer } from './harness.js';
import { signedIn as signedInAs } from './actors.js';

const server = new ProductServer();

test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

test.use({ ...serverURL(server) });

const signedIn = (actor: Actors['actor'], username: string) => signedInAs(server, actor, username);

test('a researcher annotates, a second researcher replies live, exports parse', async ({ actor }) => {
  const lessonId = server.demo().lessonId;
  const zhao = await signedIn(actor, 'researcher-zhao');
  const qian = await signedIn(actor, 'researcher-qian');

  await zhao.getByTestId('nav-research').click();
  await expect(zhao.getByTestId('research-home')).toBeVisible();
  await zhao.goto(`/research/lessons/${lessonId}`);
  await qian.getByTestId('nav-research').click();
  await expect(qian.getByTestId('research-home')).toBeVisible();
  await qian.goto(`/research/lessons/${lessonId}`);
  await expect(zhao.getByTestId('annotation-panel')).toBeVisible();
  await expect(qian.getByTestId('annotation-panel')).toBeVisible();

  // Move the lesson clock to 00:05 and annotate there with an S-T code, mentioning 钱老师.
  await zhao.getByTestId('player-scrub').focus();
  for (let i = 0; i < 5; i++) await zhao.keyboard.press('ArrowRight');
  await expect(zhao.getByTestId('player-clock')).toContainText('00:05');
  await zhao.getByTestId('ann-framework').selectOption('st');
  await zhao.getByTestId('ann-code').selectOption('T');
  await zhao.getByTestId('ann-text').fill('讲解清晰，请 @researcher-qian 关注提问');
  await zhao.getByTestId('ann-submit').click();
  await expect(zhao.getByTestId('annotation-item')).toHaveCount(1);

  // The second researcher sees it live, highlighted as a mention, with its marker on the timeline.
  const qianItem = qian.getByTestId('annotation-item').first();
  await expect(qianItem.getByTestId('annotation-text')).toHaveText('讲解清晰，请 @researcher-qian 关注提问');
  await expect(qianItem).toHaveClass(/rs-mentioned/);
  await expect(qian.getByTestId('annotation-marker')).toHaveCount(1);
  // …and only the one mentioned gets the highlight.
  await expect(zhao.getByTestId('annotation-item').first()).not.toHaveClass(/rs-mentioned/);

  // Clicking the marker seeks the second researcher's player to the note.
  await qian.getByTestId('annotation-marker').click();
  await expect(qian.getByTestId('player-clock')).toContainText('00:05');

  await qianItem.getByTestId('reply-text').fill('同意，建议增加学生提问');
  await qianItem.getByTestId('reply-submit').click();
  await expect(zhao.getByTestId('annotation-reply')).toHaveText(/钱老师.*同意，建议增加学生提问/);

  // Filtering by code keeps the thread.
  await zhao.getByTestId('filter-code').selectOption('T');
  await expect(zhao.getByTestId('annotation-item')).toHaveCount(1);

  // Analysis tab renders its charts (no voice activity yet for a scheduled lesson: an empty lesson).
  await zhao.getByTestId('tab-analysis').click();
  await expect(zhao.getByTestId('chart-st-curve').locator('svg')).toBeVisible();
  await expect(zhao.getByTestId('st-raw')).toContainText('Rt = 0.00');

  // Exports, fetched with the researcher's session.
  await zhao.getByTestId('tab-export').click();
  const get = async (testId: string) => {
    const href = await zhao.getByTestId(testId).getAttribute('href');
    const res = await zhao.request.get(href!);
    expect(res.status(), testId).toBe(200);
    return res.body();
  };
  const csv = Papa.parse<Record<string, string>>((await get('export-csv')).toString('utf8').replace(/^\ufeff/, ''), { header: true, skipEmptyLines: true });
  expect(csv.errors).toEqual([]);
  expect(csv.data.map((r) => [r.start_ms, r.code, r.author])).toEqual([
    ['5000', 'T', '赵老师'],
    ['5000', '', '钱老师'],
  ]);
  const eaf = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (n) => ['TIER', 'ANNOTATION', 'TIME_SLOT'].includes(n) }).parse(
    (await get('export-eaf')).toString('utf8'),
  ).ANNOTATION_DOCUMENT;
  expect(eaf.HEADER.MEDIA_DESCRIPTOR['@MEDIA_URL']).toBeTruthy();
  expect(eaf.TIME_ORDER.TIME_SLOT.map((s: Record<string, string>) => s['@TIME_VALUE'])).toEqual(['5000', '5001']);
  expect(eaf.TIER[0]['@TIER_ID']).toBe('T-赵老师');
  expect(eaf.TIER[0].ANNOTATION[0].ALIGNABLE_ANNOTATION.ANNOTATION_VALUE).toContain('同意，建议增加学生提问');
  expect(eaf.LINGUISTIC_TYPE['@LINGUISTIC_TYPE_ID']).toBe('note');
  const docx = await mammoth.extractRawText({ buffer: await get('export-docx') });
  expect(docx.value).toContain('评课报告');
  expect((await get('export-pdf')).subarray(0, 5).toString()).toBe('%PDF-');
});

test('an observer of the live lesson notes a moment; it lands on the lesson clock', async ({ actor }) => {
  const lessonId = server.demo().lessonId;
  const teacher = await signedIn(actor, 'teacher-wang');
  const zhao = await signedIn(actor, 'researcher-zhao');
  await teacher.goto(`/lessons/${lessonId}/teach`);
  await expect(teacher.getByTestId('lesson-start')).toBeEnabled();
  await teacher.getByTestId('lesson-start').click();
  await expect(teacher.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');
  const startedAt = Date.now();

  await zhao.goto(`/lessons/${lessonId}/observe`);
  await expect(zhao.getByTestId('observe-page')).toBeVisible();
  await zhao.getByTestId('live-annotate-text').fill('此刻学生小组讨论');
  await expect(zhao.getByTestId('live-annotate-send')).toBeEnabled();
  await zhao.getByTestId('live-annotate-send').click();
  await expect(zhao.getByTestId('live-annotate-sent')).toBeVisible();
  const elapsedS = (Date.now() - startedAt) / 1000;

  // On the lesson's review page the note carries the live badge and a time near "now" on the clock.
  await zhao.goto(`/research/lessons/${lessonId}`);
  const item = zhao.getByTestId('annotation-item').filter({ hasText: '此刻学生小组讨论' });
  await expect(item).toContainText(/直播中|live/);
  const clock = (await item.getByTestId('annotation-seek').textContent())!;
  const [mm, ss] = clock.split(':').map(Number);
  expect(Math.abs(mm * 60 + ss - elapsedS)).toBeLessThanOrEqual(5);
});
