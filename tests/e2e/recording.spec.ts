// Recording end to end: a 30-second lesson in Chromium with fake media (teacher + one projector
// classroom) is recorded by the real recorder, processed by the real worker processes while it
// runs, and after it ends the recordings page shows it ready and the replay page plays the
// composite and a single track in Chromium. ffprobe checks every track and the composite
// against the lesson's length.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test, serverURL } from './fixtures.js';
import type { ReplayInfo } from '../../server/contract/recordings.js';
import { ProductServer } from './harness.js';
import { signIn as signInAs } from './actors.js';

const server = new ProductServer();
const LESSON_S = 30;

test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

test.use({ ...serverURL(server) });

const signIn = (page: Page, username: string) => signInAs(server, page, username);

const info0Download = (lessonId: string) => `/api/recordings/${lessonId}/files/composite.mp4?download=1`;

function ffprobeDuration(file: string): number {
  return Number.parseFloat(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]).toString());
}

/** A track's processed segments joined without re-encoding, then measured. */
function trackDuration(lessonId: string, trackId: string): number {
  const dir = path.join(server.dataDir, 'recordings', lessonId, 'out', 'tracks', trackId);
  const files = readdirSync(dir).filter((f) => /^seg-\d{5}\.ts$/.test(f)).sort().map((f) => path.join(dir, f));
  const joined = path.join(os.tmpdir(), `tongbu-e2e-${trackId}.ts`);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', `concat:${files.join('|')}`, '-c', 'copy', joined]);
  try {
    return ffprobeDuration(joined);
  } finally {
    rmSync(joined, { force: true });
  }
}

test('a 30-second lesson is recorded, processed while it runs, and replays in Chromium', async ({ actor }) => {
  test.setTimeout(300_000);
  const demo = server.demo();
  const teacher = await actor('teacher');
  const room = await actor('room');
  const researcher = await actor('researcher');
  const pageErrors: string[] = [];
  researcher.on('pageerror', (e) => pageErrors.push(`${e.message}\n${e.stack ?? ''}`));
  researcher.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));

  await signIn(teacher, 'teacher-wang');
  await room.goto('/login');
  await room.getByTestId('login-tab-device').click();
  await room.getByTestId('device-code').fill(demo.deviceCodes[0].code);
  await room.getByTestId('device-submit').click();
  await expect(room.getByTestId('idle-projector')).toBeVisible();
  await signIn(researcher, 'researcher-zhao');

  // Before class: the teacher's console and the classroom's projector are open and publishing,
  // so every track exists when the lesson goes live and must last as long as the lesson.
  await teacher.goto(`/lessons/${demo.lessonId}/teach`);
  await room.goto(`/lessons/${demo.lessonId}/projector`);
  const publishing = (page: Page) =>
    page.evaluate(() => (window.__tongbu!.state() as { producers: unknown[] }).producers.length);
  await expect.poll(() => publishing(room), { message: 'the projector publishes camera and mic', timeout: 30_000 }).toBe(2);
  await expect.poll(() => publishing(teacher), { message: 'the teacher publishes camera and mic', timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  // Their recorders get ready in the lobby (armed): a real lobby lasts minutes, a loaded test
  // machine can take seconds to start the four ffmpeg processes. Started once they are ready,
  // the lesson is recorded from its first instant.
  const armed = async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    return Number(/^tongbu_recorder_runs\{state="armed"\} (\d+)/m.exec(text)?.[1] ?? 0);
  };
  await expect.poll(armed, { message: 'four recorders armed before go-live', timeout: 60_000 }).toBe(4);
  await expect(teacher.getByTestId('lesson-start')).toBeEnabled();
  await teacher.getByTestId('lesson-start').click();
  const startedAt = Date.now();
  // Put the classroom on stage (the composite shows it) and chat.
  let classroomId: string | null = null;
  await expect
    .poll(
      async () => {
        const stats = (await teacher.evaluate(() => window.__tongbu!.stats())) as { classroomId: string | null; kind: string; framesDecoded: number }[];
        classroomId = stats.find((x) => x.classroomId && x.kind === 'video' && x.framesDecoded > 0)?.classroomId ?? null;
        return classroomId;
      },
      { message: 'the classroom camera reaches the teacher', timeout: 30_000 },
    )
    .not.toBeNull();
  await teacher.getByTestId(`tile-stage-set-${classroomId}`).click();
  await teacher.getByTestId('chat-input').fill('请大家看黑板');
  await teacher.getByTestId('chat-send').click();
  // The lesson runs its 30 s (the one deliberate wait: the length under test).
  await teacher.waitForTimeout(Math.max(0, LESSON_S * 1000 - (Date.now() - startedAt)));
  await teacher.getByTestId('lesson-end').click();
  const endedAt = Date.now();

  // The recordings page: progress pushed live until research playback and the MP4 are ready.
  await researcher.goto('/recordings');
  const item = researcher.getByTestId(`recording-${demo.lessonId}`);
  await expect(item).toBeVisible();
  await expect(item.getByTestId('recording-playback-ready')).toBeVisible({ timeout: 90_000 });
  const playbackReadyS = (Date.now() - endedAt) / 1000;
  await expect(item.getByTestId('recording-composite-ready')).toBeVisible({ timeout: 120_000 });
  console.log(`playback ready ${playbackReadyS.toFixed(1)} s and composite ready ${((Date.now() - endedAt) / 1000).toFixed(1)} s after the end`);

  // Replay: the composite plays (time advances, frames decode).
  await item.getByTestId('recording-open').click();
  await expect(researcher.getByTestId('replay-page')).toBeVisible();
  await expect(researcher.getByTestId('replay-download')).toBeVisible();
  await expect(researcher.getByTestId('replay-waveform')).toBeVisible({ timeout: 30_000 }); // audio peaks of the mix
  const video = researcher.getByTestId('replay-video');
  await researcher.getByTestId('replay-play').click();
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 30_000 }).toBeGreaterThan(2);
  expect(await video.evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames)).toBeGreaterThan(10);
  // Keyboard: space pauses; → jumps 5 s; ] speeds up.
  await researcher.keyboard.press('Space');
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.paused)).toBe(true);
  const before = await video.evaluate((v: HTMLVideoElement) => v.currentTime);
  await researcher.keyboard.press('ArrowRight');
  await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(before + 4);
  await researcher.keyboard.press(']');
  await expect(researcher.getByTestId('replay-speed')).toHaveValue('1.25');
  // The chat message appears in sync, chapters come from the event log.
  await researcher.getByTestId('replay-tab-chat').click();
  await expect(researcher.getByTestId('replay-chat')).toContainText('请大家看黑板');
  await researcher.getByTestId('replay-tab-chapters').click();
  await expect(researcher.getByTestId('replay-chapters').locator('li').first(), pageErrors.join('\n')).toBeVisible();

  const download = await researcher.request.get(info0Download(demo.lessonId));
  expect(download.headers()['content-disposition']).toMatch(/^attachment/);
  expect(download.headers()['content-type']).toBe('video/mp4');

  // A single track: only the classroom's microphone — its joined WebM (as recorded, no transcode).
  const info = (await (await researcher.request.get(`/api/recordings/${demo.lessonId}`)).json()) as { replay: ReplayInfo };
  const mic = info.replay.tracks.find((t) => t.owner === 'classroom' && t.kind === 'audio');
  expect(mic, 'the classroom microphone was recorded').toBeTruthy();
  expect(mic!.fileUrl).toBe(`/api/recordings/${demo.lessonId}/files/tracks/${mic!.id}/track.webm`);
  await researcher.getByTestId('replay-source').selectOption(mic!.id);
  await researcher.getByTestId('replay-play').click();
  const replayVideo = researcher.getByTestId('replay-video');
  await expect.poll(() => replayVideo.evaluate((v: HTMLVideoElement) => (v.paused ? -1 : v.currentTime)), { timeout: 30_000 }).toBeGreaterThan(1);
  expect(await replayVideo.evaluate((v: HTMLVideoElement) => v.currentSrc)).toMatch(/\/track\.webm$/);
  expect(await replayVideo.evaluate((v: HTMLVideoElement) => v.duration)).toBeGreaterThan(LESSON_S - 2);
  const camera = info.replay.tracks.find((t) => t.owner === 'teacher' && t.kind === 'video' && t.source === 'camera')!;
  await researcher.getByTestId('replay-source').selectOption(camera.id);
  await researcher.getByTestId('replay-play').click();
  await expect.poll(() => replayVideo.evaluate((v: HTMLVideoElement) => v.getVideoPlaybackQuality().totalVideoFrames), { timeout: 30_000 }).toBeGreaterThan(10);
  expect(await replayVideo.evaluate((v: HTMLVideoElement) => v.currentSrc)).toMatch(/\/track\.webm$/);
  // Seeking in the joined file (Range requests): → jumps 5 s and frames keep coming.
  const at = await replayVideo.evaluate((v: HTMLVideoElement) => v.currentTime);
  await researcher.keyboard.press('ArrowRight');
  await expect.poll(() => replayVideo.evaluate((v: HTMLVideoElement) => v.currentTime)).toBeGreaterThan(at + 4);
  const range = await researcher.request.get(camera.fileUrl!, { headers: { Range: 'bytes=0-99' } });
  expect(range.status()).toBe(206);
  expect(range.headers()['content-type']).toBe('video/webm');

  // 评课 on the replay: 赵老师 notes the moment she is at; 钱老师, on the same replay in her own
  // browser, sees the note arrive and replies; 赵老师 sees the reply live.
  const qian = await actor('qian');
  await signIn(qian, 'researcher-qian');
  await qian.goto(`/recordings/${demo.lessonId}`);
  await expect(qian.getByTestId('replay-page')).toBeVisible();
  await qian.getByTestId('replay-tab-research').click();
  await researcher.getByTestId('replay-tab-research').click();
  await expect(researcher.getByTestId('annotation-panel')).toBeVisible();
  await researcher.getByTestId('ann-text').fill('提问后留足等待时间 @researcher-qian');
  await researcher.getByTestId('ann-submit').click();
  const note = qian.getByTestId('annotation-item').first();
  await expect(note.getByTestId('annotation-text')).toHaveText('提问后留足等待时间 @researcher-qian');
  await note.getByTestId('reply-text').fill('同意，可以再等三秒');
  await note.getByTestId('reply-submit').click();
  await expect(researcher.getByTestId('annotation-reply')).toHaveText(/钱老师.*同意，可以再等三秒/);

  // ffprobe: every track (all four were publishing when the lesson went live) lasts the lesson
  // within 1 s; so does the composite.
  const { lesson } = (await (await researcher.request.get(`/api/lessons/${demo.lessonId}`)).json()) as { lesson: { startedAt: string; endedAt: string } };
  const lessonS = (Date.parse(lesson.endedAt) - Date.parse(lesson.startedAt)) / 1000;
  expect(Math.abs(lessonS - (endedAt - startedAt) / 1000)).toBeLessThan(3); // what the clicks measured
  expect(Math.abs(info.replay.progress.lengthMs / 1000 - lessonS)).toBeLessThan(0.5); // the recording's clock is the lesson's
  expect(info.replay.tracks.length).toBeGreaterThanOrEqual(4); // teacher camera + mic, classroom camera + mic
  for (const t of info.replay.tracks) {
    const d = trackDuration(demo.lessonId, t.id);
    console.log(`${t.label}: starts at ${t.startMs} ms, ${d.toFixed(2)} s long; lesson ${lessonS.toFixed(2)} s`);
    // Its recorder was armed while the lesson was not live yet (it published in the lobby), so
    // the track holds the lesson from its first instant: it lasts the lesson, within 1 s.
    expect(t.startMs, `${t.label} starts with the lesson`).toBeLessThan(1_000);
    expect(Math.abs(d - lessonS), `${t.label} lasts the lesson`).toBeLessThan(1);
    expect(Math.abs(t.startMs / 1000 + d - lessonS), `${t.label} ends with the lesson`).toBeLessThan(1);
    // Its joined WebM too (what replay plays).
    const joined = ffprobeDuration(path.join(server.dataDir, 'recordings', demo.lessonId, 'out', 'tracks', t.id, 'track.webm'));
    expect(Math.abs(joined - d), `${t.label}: the joined file lasts what the segments do`).toBeLessThan(1);
  }
  const composite = ffprobeDuration(path.join(server.dataDir, 'recordings', demo.lessonId, 'out', 'composite.mp4'));
  expect(Math.abs(composite - lessonS)).toBeLessThan(1);
});
