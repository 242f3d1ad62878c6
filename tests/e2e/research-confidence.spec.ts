// S-T confidence end to end: a finished 5-minute lesson whose voice activity went through the
// cross-track attribution (raw, attributed and uncertain spans and leaks, stored as migration 153
// keeps them) is seeded into the product's database. A researcher opens its analysis: the
// low-confidence samples come first, least sure first; the talk timeline and the attribution
// list show raw against attributed speech and the leaks; switching to point sampling changes the
// figures; correcting a low-confidence sample from the list recomputes them.
import type { Page } from '@playwright/test';
import path from 'node:path';
import Papa from 'papaparse';
import { openDb } from '../../server/db/db.js';
import { expect, test, type Actors, serverURL } from './fixtures.js';
import { ProductServer } from './harness.js';
import { signedIn as signedInAs } from './actors.js';

const server = new ProductServer();

type Spans = Array<[number, number]>;

/**
 * The lesson (10 samples of 30 s). Teacher: lectures 0–60 s; 60–75.5 s, then 青山 answers to
 * 120 s (sample 2: T by a 1-s margin); 120–133.5 s (sample 4: T by window, silence at its 135-s
 * instant); 150–180 s while 石桥's microphone had sound attribution removed, unsure (sample 5);
 * 2 s at 210 s (sample 7: a thin T by window, silence at 225 s); lectures 240–300 s.
 * 青山's microphone also heard the teacher's first minute (a leak, removed by attribution).
 */
const TEACHER: Spans = [[0, 75_500], [120_000, 133_500], [150_000, 180_000], [210_000, 212_000], [240_000, 300_000]];

async function seedLesson(lessonId: string): Promise<void> {
  const db = await openDb({ dataDir: path.join(server.dataDir, 'db') });
  try {
    const rooms = await db.query<{ classroom_id: string }>('select classroom_id from lesson_classrooms where lesson_id = $1 order by classroom_id', [lessonId]);
    const [qing, shi] = rooms.map((r) => r.classroom_id);
    expect(shi, 'the demo lesson has two remote classrooms').toBeTruthy();
    const end = new Date();
    const start = new Date(end.getTime() - 300_000);
    await db.query(`update lessons set state = 'ended', started_at = $2, ended_at = $3 where id = $1`, [lessonId, start.toISOString(), end.toISOString()]);
    const tracks: Array<{ id: string; owner: 'teacher' | 'classroom'; room: string | null; raw: Spans; attributed: Spans; uncertain: Spans; leaks: object[] }> = [
      { id: 'e2e-t', owner: 'teacher', room: null, raw: TEACHER, attributed: TEACHER, uncertain: [], leaks: [] },
      {
        id: 'e2e-q',
        owner: 'classroom',
        room: qing,
        raw: [[0, 60_000], [75_500, 120_000]],
        attributed: [[75_500, 120_000]],
        uncertain: [],
        leaks: [{ fromTrackId: 'e2e-t', gainDb: -24, lagMs: 180, removedMs: 60_000 }],
      },
      {
        id: 'e2e-s',
        owner: 'classroom',
        room: shi,
        raw: [[150_000, 165_000]],
        attributed: [],
        uncertain: [[150_000, 165_000]],
        leaks: [{ fromTrackId: 'e2e-t', gainDb: -27, lagMs: 220, removedMs: 15_000 }],
      },
    ];
    for (const t of tracks) {
      await db.query(
        `insert into recording_tracks (id, lesson_id, kind, source, owner, classroom_id, label, codec, start_ms, end_ms)
         values ($1, $2, 'audio', 'mic', $3, $4, $1, 'opus', 0, 300000)`,
        [t.id, lessonId, t.owner, t.room],
      );
      await db.query(
        `insert into voice_activity (track_id, lesson_id, speaker, classroom_id, segments, attributed, uncertain, leaks)
         values ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [t.id, lessonId, t.owner, t.room, JSON.stringify(t.raw), JSON.stringify(t.attributed), JSON.stringify(t.uncertain), JSON.stringify(t.leaks)],
      );
    }
  } finally {
    await db.close();
  }
}

test.beforeAll(async () => {
  // Seeded with the product stopped: PGlite's data folder has one user at a time.
  await server.start();
  await server.stop();
  await seedLesson(server.demo().lessonId);
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

test.use({ ...serverURL(server), locale: 'zh-CN' });

const signedIn = (actor: Actors['actor'], username: string) => signedInAs(server, actor, username);

/** The low-confidence list as [sample index, confidence], in the order shown. */
async function lowList(page: Page): Promise<Array<[number, number]>> {
  return page
    .getByTestId('low-sample')
    .evaluateAll((els) => els.map((e) => [Number(e.getAttribute('data-index')), Number(e.getAttribute('data-confidence'))] as [number, number]));
}

test('low-confidence samples come first; point sampling changes the figures; a low sample is corrected', async ({ actor }) => {
  const lessonId = server.demo().lessonId;
  const zhao = await signedIn(actor, 'researcher-zhao');
  await zhao.goto(`/research/lessons/${lessonId}`);
  await zhao.getByTestId('tab-analysis').click();
  await expect(zhao.getByTestId('analysis-view')).toBeVisible();

  // Window dominance (the default): 10 samples TTTSTTSTTT → Rt 0.80, 讲授型.
  await expect(zhao.getByTestId('st-method-window')).toHaveAttribute('aria-checked', 'true');
  await expect(zhao.getByTestId('st-raw')).toContainText('N = 10，Rt = 0.80');
  await expect(zhao.getByTestId('st-type')).toHaveText('讲授型');
  await expect(zhao.getByTestId('st-method-shown')).toContainText('窗口主导');
  // Least sure first: the 1-s margin (2), the 2-s T (7), the half-uncertain window (5).
  await expect(zhao.getByTestId('low-sample')).toHaveCount(3);
  const low = await lowList(zhao);
  expect(low.map(([i]) => i)).toEqual([2, 7, 5]);
  expect(low.map(([, c]) => c)).toEqual([...low.map(([, c]) => c)].sort((a, b) => a - b));
  expect(low[0][1]).toBeLessThan(0.1);
  // …and marked on the sample strip.
  const strip = zhao.getByTestId('st-sample');
  await expect(strip).toHaveCount(10);
  for (const i of [2, 5, 7]) await expect(strip.nth(i)).toHaveClass(/rs-low/);
  await expect(strip.nth(0)).not.toHaveClass(/rs-low/);

  // Raw against attributed speech, and the leaks attribution removed.
  await expect(zhao.getByTestId('chart-talk-timeline').locator('svg')).toBeVisible();
  await expect(zhao.getByTestId('track-attribution-row')).toHaveCount(3);
  await expect(zhao.getByTestId('attribution-none')).toHaveCount(0);
  const leaks = zhao.getByTestId('track-leak');
  await expect(leaks).toHaveCount(2);
  await expect(leaks.first()).toContainText('−24 dB，延迟 180 ms，去除 1 分 0 秒');
  await expect(zhao.getByTestId('track-attribution')).toContainText('原始 105 秒，归属后 45 秒');
  if (process.env.TONGBU_E2E_SCREENS) await zhao.getByTestId('analysis-view').screenshot({ path: `${import.meta.dirname}/../.reports/screens/research-confidence.png` });

  // Seek from the list: the player goes to the sample's window.
  await zhao.getByTestId('low-sample').first().getByTestId('low-sample-seek').click();
  await expect(zhao.getByTestId('player-clock')).toContainText('01:00');

  // Point sampling: instants at 15, 45, … s → TTTSSTSSTT, Rt 0.60, Ch 0.40 → 对话型.
  await zhao.getByTestId('st-method-point').click();
  await expect(zhao.getByTestId('st-method-point')).toHaveAttribute('aria-checked', 'true');
  await expect(zhao.getByTestId('st-raw')).toContainText('N = 10，Rt = 0.60，Ch = 0.40');
  await expect(zhao.getByTestId('st-type')).toHaveText('对话型');
  await expect(zhao.getByTestId('st-method-shown')).toContainText('定点采样');
  // The instant at 75 s lies 0.5 s from the teacher's turn end; at 135 s 1.5 s from one; at 165 s in uncertain sound.
  await expect.poll(async () => (await lowList(zhao)).map(([i]) => i)).toEqual([2, 4, 5]);

  // Correct the least confident sample from the list: 2 is T at its instant → S.
  const first = zhao.getByTestId('low-sample').first();
  await expect(first).toHaveAttribute('data-index', '2');
  await first.getByTestId('low-sample-flip').click();
  await expect(strip.nth(2)).toHaveClass(/rs-corrected/);
  await expect(zhao.getByTestId('st-raw')).toContainText('Rt = 0.50');
  await expect(zhao.getByTestId('st-auto')).toContainText('Rt = 0.60');
  await expect(zhao.getByTestId('low-sample').first()).toContainText('人工修正 S');
  // The correction is per sample: window dominance shows it too.
  await zhao.getByTestId('st-method-window').click();
  await expect(zhao.getByTestId('st-raw')).toContainText('Rt = 0.70');
  await expect(strip.nth(2)).toHaveClass(/rs-corrected/);
  // The report links follow the chosen coding.
  await zhao.getByTestId('st-method-point').click();
  await zhao.getByTestId('tab-export').click();
  await expect(zhao.getByTestId('export-docx')).toHaveAttribute('href', /method=point/);
  // The notes CSV carries per track the attributed speech and the raw voice activity.
  const res = await zhao.request.get((await zhao.getByTestId('export-csv').getAttribute('href'))!);
  expect(res.status()).toBe(200);
  const rows = Papa.parse<Record<string, string>>((await res.text()).replace(/^\ufeff/, ''), { header: true, skipEmptyLines: true }).data;
  const q = rows.filter((r) => r.framework === 'voice' && r.track_id === 'e2e-q').map((r) => `${r.code}:${r.start_ms}-${r.end_ms}`);
  expect(q).toEqual(['attributed:75500-120000', 'raw:0-60000', 'raw:75500-120000']);
  expect(rows.filter((r) => r.track_id === 'e2e-s').map((r) => r.code)).toEqual(['raw', 'uncertain']);
});
