// The teacher's console says when the recording recovered from a fault by itself: a recorder
// of the real product is wedged (SIGSTOP: alive, holding its ports, writing nothing), the
// real watchdog restarts it, and the console shows a quiet notice naming the track — the
// lesson goes on, nothing blocks the teacher, and the projector shows nothing of it.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test, serverURL } from './fixtures.js';
import { ProductServer } from './harness.js';
import { signIn, signInDevice } from './actors.js';

const server = new ProductServer();
const stopped: number[] = [];

test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  for (const pid of stopped) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      /* restarted and gone */
    }
  }
  await server.dispose();
});

test.use({ ...serverURL(server) });

/** The product's recorder processes (ffmpeg children of the server) of a lesson, with their track's folder. */
function recorders(lessonId: string): { pid: number; trackDir: string }[] {
  const out: { pid: number; trackDir: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== server.pid) continue;
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0');
      const sdp = cmd.find((a) => a.includes(`/recordings/${lessonId}/tracks/`) && a.endsWith('.sdp'));
      if (cmd[0].endsWith('ffmpeg') && sdp) out.push({ pid: Number(d), trackDir: path.dirname(sdp) });
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

/** A recorder past its start: it has written at least two segments (the watchdog now watches it). */
function writingRecorder(lessonId: string): number | null {
  const r = recorders(lessonId).find((x) => readdirSync(x.trackDir).filter((f) => /^seg-\d+\.webm$/.test(f)).length >= 2);
  return r?.pid ?? null;
}

test('a recorder wedged mid-lesson is restarted by the watchdog and the teacher console says so', async ({ actor }) => {
  const demo = server.demo();
  const teacher = await actor('teacher');
  const room = await actor('room');
  await signIn(server, teacher, 'teacher-wang');
  await signInDevice(room, demo.deviceCodes[0].code);
  await teacher.goto(`/lessons/${demo.lessonId}/teach`);
  await room.goto(`/lessons/${demo.lessonId}/projector`);
  const publishing = (page: Page) => page.evaluate(() => (window.__tongbu!.state() as { producers: unknown[] }).producers.length);
  await expect.poll(() => publishing(teacher), { message: 'the teacher publishes camera and mic', timeout: 30_000 }).toBeGreaterThanOrEqual(2);
  await expect(teacher.getByTestId('lesson-start')).toBeEnabled();
  await teacher.getByTestId('lesson-start').click();
  await expect(teacher.getByTestId('recording-indicator')).toHaveAttribute('data-state', 'recording');
  let victim: number | null = null;
  await expect
    .poll(() => (victim = writingRecorder(demo.lessonId)), { message: 'a recorder writing segments', timeout: 60_000 })
    .not.toBeNull();
  // (Only a stall is under test: a recorder that failed to start on a busy machine is told as a crash.)
  const notice = teacher.locator('[data-testid="recording-notice"][data-cause="stalled"]');
  await expect(notice).toHaveCount(0);
  process.kill(victim!, 'SIGSTOP');
  stopped.push(victim!);

  // Two segment lengths of silence from a live source: the watchdog restarts it and says so.
  await expect(notice).toHaveCount(1, { timeout: 60_000 });
  await expect(notice).toContainText(/录制已自动恢复：.+(摄像头|麦克风|屏幕)（录制进程无响应，已重启）/);
  // A new recorder took over; the lesson and its controls are untouched and usable.
  await expect.poll(() => recorders(demo.lessonId).some((r) => r.pid === victim), { timeout: 30_000 }).toBe(false);
  await expect(teacher.getByTestId('reconnecting-overlay')).toHaveCount(0);
  await expect(teacher.getByTestId('lesson-end')).toBeEnabled();
  await expect(teacher.getByTestId('recording-indicator')).toHaveAttribute('data-state', 'recording');
  // Not the class's business: the projector shows no notice.
  await expect(room.getByText('录制已自动恢复')).toHaveCount(0);
  // The teacher may dismiss it.
  await notice.getByTestId('recording-notice-dismiss').click();
  await expect(notice).toHaveCount(0);
  await teacher.getByTestId('lesson-end').click();
  await expect(teacher.getByTestId('lesson-ended')).toBeVisible();
});
