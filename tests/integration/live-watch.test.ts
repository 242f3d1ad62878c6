// Watch time from a real live lesson (师徒结对 counts watching another's lesson): an observer's
// stay is written when they leave, or when the lesson ends with them still in it, counting only
// the live lesson (not the lobby); the lesson's own teacher and the classroom devices write none.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLiveServer, waitFor, type LiveTestServer } from '../helpers/liveServer.js';
import { listWatch } from '../../server/workspace/watchRepo.js';

let srv: LiveTestServer;

beforeAll(async () => {
  srv = await startLiveServer({});
}, 60_000);
afterAll(async () => {
  await srv?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("writes observers' live minutes, not the lobby's, on leaving and at the lesson's end", async () => {
  const { lessonId } = srv;
  const [zhao, admin, wang] = [await srv.user('researcher-zhao'), await srv.user('admin'), await srv.user('teacher-wang')];
  const teacher = await srv.connect(await srv.cookieFor('teacher-wang'), 'teacher');
  await teacher.ok('lesson:join', { lessonId });
  const room = await srv.connect(await srv.deviceCookie(srv.classrooms.qingshan), 'qingshan');
  await room.ok('lesson:join', { lessonId });
  const observer = await srv.connect(await srv.cookieFor('researcher-zhao'), 'zhao');
  expect((await observer.ok('lesson:join', { lessonId })).self.lessonRole).toBe('observer');
  const stays = await srv.connect(await srv.cookieFor('admin'), 'admin');
  expect((await stays.ok('lesson:join', { lessonId })).self.lessonRole).toBe('observer');

  await sleep(2_200); // in the lobby: not watching a lesson yet
  const t0 = Date.now();
  await teacher.ok('lesson:start', {});
  await sleep(2_200);
  await observer.ok('lesson:leave', {});
  const liveS = (Date.now() - t0) / 1000;
  const left = await waitFor(async () => {
    const rows = await listWatch(srv.db, zhao.id, lessonId);
    return rows.length ? rows : undefined;
  }, 5_000, "zhao's watch row", 50);
  expect(left).toHaveLength(1);
  expect(left[0]).toMatchObject({ mode: 'live' });
  // 2 s of the live lesson, the 2 s in the lobby left out (floored to whole seconds).
  expect(left[0].seconds).toBeGreaterThanOrEqual(2);
  expect(left[0].seconds).toBeLessThanOrEqual(Math.ceil(liveS));

  // Still in the lesson at its end: written as it closes.
  await sleep(1_100);
  await teacher.ok('lesson:end', {});
  const atEnd = await waitFor(async () => {
    const rows = await listWatch(srv.db, admin.id, lessonId);
    return rows.length ? rows : undefined;
  }, 5_000, "the admin's watch row", 50);
  expect(atEnd[0].seconds).toBeGreaterThanOrEqual(3);
  expect(atEnd[0].seconds).toBeLessThanOrEqual(Math.ceil((Date.now() - t0) / 1000));
  // The lesson's own teacher watched nothing; the projector is not a person watching.
  expect(await listWatch(srv.db, wang.id, lessonId)).toEqual([]);
  const others = await srv.db.query<{ n: number | string }>('select count(*) as n from lesson_watch where lesson_id = $1 and user_id not in ($2, $3)', [lessonId, zhao.id, admin.id]);
  expect(Number(others[0].n)).toBe(0);
  for (const c of [teacher, room, observer, stays]) c.close();

  // Its recording, watched: the heartbeat route on the whole web server (behind the recordings router).
  await srv.db.query(`insert into recordings (lesson_id, state, clock_zero, ended_at) values ($1, 'stopped', now() - interval '1 minute', now()) on conflict (lesson_id) do nothing`, [lessonId]);
  const beat = (cookie: string) =>
    fetch(`${srv.url}/api/recordings/${lessonId}/watch`, { method: 'POST', headers: { 'content-type': 'application/json', cookie, origin: srv.url }, body: JSON.stringify({ seconds: 0 }) });
  const ok = await beat(await srv.cookieFor('researcher-zhao'));
  expect([ok.status, await ok.json()]).toEqual([200, { credited: 0, totalSeconds: 0 }]);
  expect((await listWatch(srv.db, zhao.id, lessonId)).map((w) => w.mode).sort()).toEqual(['live', 'replay']);
  // A projector never gets recordings: nor their heartbeat.
  expect((await beat(await srv.deviceCookie(srv.classrooms.shiqiao))).status).toBe(404);
}, 30_000);
