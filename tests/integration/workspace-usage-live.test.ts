// Usage statistics on the whole web server (server/app.ts): the counter mounted before every
// module's routes, and a live lesson's join counted as 同步课堂 on the joining terminal (a
// classroom device: the projector), written in a batch and flushed by the server's ordered close.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schoolDayOf } from '../../server/contract/time.js';
import { startLiveServer, type LiveTestServer } from '../helpers/liveServer.js';

let srv: LiveTestServer;

beforeAll(async () => {
  srv = await startLiveServer({});
  await srv.db.query('update lessons set recording = false where id = $1', [srv.lessonId]);
}, 60_000);

afterAll(async () => {
  await srv?.close();
});

describe('usage on the web server', () => {
  it('counts a lesson join per user and terminal, and the module routes mounted before the API router', async () => {
    const wang = await srv.user('teacher-wang');
    const teacher = await srv.connect(await srv.cookieFor('teacher-wang'), 'teacher');
    await teacher.ok('lesson:join', { lessonId: srv.lessonId });
    const deviceCookie = await srv.deviceCookie(srv.classrooms.qingshan);
    const projector = await srv.connect(deviceCookie, 'projector');
    await projector.ok('lesson:join', { lessonId: srv.lessonId });
    // 集体备课's routes are mounted in app.ts before the API router: counted too.
    const plans = await fetch(`${srv.url}/api/plans`, { headers: { cookie: await srv.cookieFor('teacher-wang'), 'user-agent': 'Mozilla/5.0 (Linux; Android 14) Mobile' } });
    expect(plans.status).toBe(200);
    teacher.socket.close();
    projector.socket.close();
    // The ordered close writes what is pending; the database stays open for the check.
    await srv.web.close();
    const rows = await srv.db.query<{ user_id: string; module: string; terminal: string; role: string; visits: number; day: string }>(
      `select user_id, module, terminal, role, visits, to_char(day, 'YYYY-MM-DD') as day from usage_visits order by module, terminal`,
    );
    const today = schoolDayOf(new Date()).day;
    expect(rows.map((r) => [r.module, r.terminal, r.role, Number(r.visits), r.day])).toEqual([
      ['collective_prep', 'mobile', 'teacher', 1, today],
      ['sync_lesson', 'pc', 'teacher', 1, today],
      ['sync_lesson', 'projector', 'classroom', 1, today],
    ]);
    expect(rows.filter((r) => r.role === 'teacher').every((r) => r.user_id === wang.id)).toBe(true);
  }, 60_000);
});
