// 同步课堂 end to end: a city teacher, two rural projector classrooms and a researcher, each in
// its own browser context with a fake camera and mic, through the real mediasoup SFU.
// Media is asserted with getStats() (frames decoded, audio packets received) — which also
// proves the DTLS handshake works with the patched worker (unpatched, the worker segfaults).
import { execFileSync } from 'node:child_process';
import type { Page } from '@playwright/test';
import { expect, test, serverURL } from './fixtures.js';
import { ProductServer } from './harness.js';
import { signIn as signInAs, signInDevice } from './actors.js';

type Stat = {
  consumerId: string;
  classroomId: string | null;
  source: 'camera' | 'mic' | 'screen';
  kind: 'audio' | 'video';
  framesDecoded: number;
  packetsReceived: number;
};

const server = new ProductServer();

test.beforeAll(async () => {
  await server.start();
});
test.afterAll(async () => {
  await server.dispose();
});

test.use({ ...serverURL(server) });

const signIn = (page: Page, username: string) => signInAs(server, page, username);


const stats = (page: Page) => page.evaluate(() => window.__tongbu!.stats()) as Promise<Stat[]>;
const state = (page: Page) => page.evaluate(() => window.__tongbu!.state()) as Promise<{ consumers: number; stageClassroomId: string | null }>;

/** Waits until `page` decodes video and receives audio from the given sender (null = teacher). */
async function expectFlowFrom(page: Page, classroomId: string | null, what: ('video' | 'audio')[] = ['video', 'audio']) {
  for (const kind of what) {
    await expect
      .poll(
        async () => {
          const s = (await stats(page)).find((x) => x.classroomId === classroomId && x.kind === kind && x.source !== 'screen');
          return kind === 'video' ? (s?.framesDecoded ?? 0) : (s?.packetsReceived ?? 0);
        },
        { message: `${kind} from ${classroomId ?? 'teacher'}`, timeout: 30_000 },
      )
      .toBeGreaterThan(kind === 'video' ? 10 : 50);
  }
}

test('teacher teaches two projector classrooms and an observer, live', async ({ actor }) => {
  const demo = server.demo();
  const [codeA, codeB] = demo.deviceCodes.map((d) => d.code);
  const teacher = await actor('teacher');
  const roomA = await actor('roomA');
  const roomB = await actor('roomB');
  const observer = await actor('observer');

  await signIn(teacher, 'teacher-wang');
  await signInDevice(roomA, codeA);
  await signInDevice(roomB, codeB);
  await signIn(observer, 'researcher-zhao');

  await teacher.goto(`/lessons/${demo.lessonId}/teach`);
  await expect(teacher.getByTestId('lesson-start')).toBeEnabled();
  await teacher.getByTestId('lesson-start').click();
  await expect(teacher.getByTestId('lesson-state')).toHaveAttribute('data-state', 'live');

  // The idle projector screens join by themselves once the lesson is live.
  await expect(roomA.getByTestId('projector-page')).toBeVisible({ timeout: 30_000 });
  await expect(roomB.getByTestId('projector-page')).toBeVisible({ timeout: 30_000 });
  await observer.goto(`/lessons/${demo.lessonId}/observe`);
  await expect(observer.getByTestId('observe-page')).toBeVisible();

  // The lesson is recorded from the start, and every view says so (录制中), the projectors too.
  for (const page of [teacher, roomA, roomB, observer]) {
    await expect(page.getByTestId('recording-indicator')).toHaveAttribute('data-state', 'recording');
  }
  await expect(roomA.getByTestId('recording-indicator')).toHaveText('录制中');
  // The teacher pauses recording: the projector shows it; then resumes.
  await teacher.getByTestId('recording-toggle').click();
  await expect(roomA.getByTestId('recording-indicator')).toHaveText('录制已暂停');
  await teacher.getByTestId('recording-toggle').click();
  await expect(roomA.getByTestId('recording-indicator')).toHaveText('录制中');

  const classroomA = await roomA.evaluate(() => window.__tongbu!.state()).then((s) => (s as { selfClassroomId: string }).selfClassroomId);
  const classroomB = await roomB.evaluate(() => window.__tongbu!.state()).then((s) => (s as { selfClassroomId: string }).selfClassroomId);
  expect(classroomA).toBeTruthy();
  expect(classroomB).toBeTruthy();

  // teacher → both classrooms and the observer
  await expectFlowFrom(roomA, null);
  await expectFlowFrom(roomB, null);
  await expectFlowFrom(observer, null);
  // classroom cameras → teacher's grid
  await expectFlowFrom(teacher, classroomA, ['video']);
  await expectFlowFrom(teacher, classroomB, ['video']);
  await expect(teacher.getByTestId(`classroom-tile-${classroomA}`)).toBeVisible();

  // Raise a hand with the presenter clicker key; the teacher sees it in order.
  await roomA.keyboard.press('PageDown');
  await expect(teacher.getByTestId(`hand-${classroomA}`)).toBeVisible();
  await roomB.getByTestId('hand-raise').click();
  await expect(teacher.getByTestId('hands-list').locator('li[data-testid^="hand-"]')).toHaveCount(2);
  await expect(teacher.getByTestId('hands-list').locator('li[data-testid^="hand-"]').first()).toHaveAttribute(
    'data-testid',
    `hand-${classroomA}`,
  );

  // Bring classroom A on stage: B and the observer see and hear A; the teacher hears A.
  await teacher.getByTestId(`stage-set-${classroomA}`).click();
  await expect.poll(async () => (await state(roomB)).stageClassroomId).toBe(classroomA);
  await expectFlowFrom(roomB, classroomA);
  await expectFlowFrom(observer, classroomA);
  await expectFlowFrom(teacher, classroomA, ['audio']);
  await expect(teacher.getByTestId(`hand-${classroomA}`)).toHaveCount(0);
  // Pictures of each view, for people reviewing a run (tests/.reports/screens).
  for (const [name, page] of Object.entries({ teacher, roomA, roomB, observer })) {
    await page.screenshot({ path: `${import.meta.dirname}/../.reports/screens/${name}.png` });
  }

  // Chat reaches everyone and is in the history of a later join.
  await teacher.getByTestId('chat-input').fill('请青山村小学的同学回答');
  await teacher.getByTestId('chat-send').click();
  await expect(observer.getByTestId('chat-log')).toContainText('请青山村小学的同学回答');
  await expect(roomB.getByTestId('chat-log')).toContainText('请青山村小学的同学回答');

  // Restart the server process: projectors reconnect without anyone touching them.
  const framesBefore = (await stats(roomA)).filter((s) => s.kind === 'video' && s.classroomId === null).length;
  expect(framesBefore).toBeGreaterThan(0);
  await server.stop();
  await expect(roomA.getByTestId('reconnecting-overlay')).toBeVisible({ timeout: 30_000 });
  await server.start();
  await expect(roomA.getByTestId('reconnecting-overlay')).toHaveCount(0, { timeout: 60_000 });
  await expectFlowFrom(roomA, null);
  await expectFlowFrom(roomB, null);
  // Stage survived the restart and chat history came back.
  await expect.poll(async () => (await state(roomB)).stageClassroomId, { timeout: 30_000 }).toBe(classroomA);
  await expect(roomB.getByTestId('chat-log')).toContainText('请青山村小学的同学回答');

  // Kill every mediasoup worker of the server: lessons move to fresh workers and the
  // browsers redo their media by themselves.
  const workerPids = execFileSync('pgrep', ['-P', String(server.pid), '-f', 'mediasoup-worker']).toString().trim().split(/\s+/).map(Number);
  expect(workerPids.length).toBeGreaterThan(0);
  const consumerBefore = (await stats(roomA)).find((s) => s.kind === 'video' && s.classroomId === null)?.consumerId;
  expect(consumerBefore).toBeTruthy();
  for (const pid of workerPids) process.kill(pid, 'SIGKILL');
  await expect
    .poll(async () => {
      const s = (await stats(roomA)).find((x) => x.kind === 'video' && x.classroomId === null);
      // a new consumer on the new worker, decoding again
      return s && s.consumerId !== consumerBefore && s.framesDecoded > 10 ? 'flowing' : 'waiting';
    }, { timeout: 45_000 })
    .toBe('flowing');
  await expectFlowFrom(roomB, classroomA);
  await expectFlowFrom(teacher, classroomB, ['video']);

  // Take A off stage and end the lesson.
  await teacher.getByTestId('stage-clear').click();
  await expect.poll(async () => (await state(roomB)).stageClassroomId).toBeNull();
  await teacher.getByTestId('lesson-end').click();
  await expect(roomA.getByTestId('lesson-ended').or(roomA.getByTestId('idle-projector'))).toBeVisible();
});
