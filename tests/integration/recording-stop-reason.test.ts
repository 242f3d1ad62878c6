// Why a recording stopped by itself is data (recordings.stop_reason), not a sentence: a server
// restarted after a full disk stopped the recording restores "stopped, disk full" from the
// column, whatever the status text says.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingStatus } from '../../server/contract/domain.js';
import { startLiveServer, type LiveTestServer } from '../helpers/liveServer.js';

let srv: LiveTestServer;

beforeAll(async () => {
  srv = await startLiveServer({ env: { TONGBU_RECORDING_SEGMENT_S: '2' } });
}, 120_000);

afterAll(async () => {
  await srv?.close();
});

describe('recording stop reason', () => {
  it('restores a disk-full stop after a restart from the stop_reason column', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    const teacher = await srv.connect(await srv.cookieFor('teacher-wang'), 'teacher');
    await teacher.ok('lesson:join', { lessonId: lesson.id });
    const mark = teacher.mark();
    await teacher.ok('lesson:start', {});
    await teacher.waitEvent<RecordingStatus>('recording:state', (s) => s.state === 'recording', 10_000, mark);

    // Less free space than the threshold: as good as full (the disk check runs every 2 s).
    srv.web.recordings.minFreeBytes = (await srv.web.recordings.freeBytes()) + 1024 ** 4;
    const status = await teacher.waitEvent<RecordingStatus>('recording:state', (s) => s.state === 'stopped', 10_000, mark);
    expect(status.reason).toBe('disk_full');
    const stored = async () =>
      (await srv.db.query<{ state: string; stop_reason: string | null }>('select state, stop_reason from recordings where lesson_id = $1', [lesson.id]))[0];
    expect(await stored()).toEqual({ state: 'stopped', stop_reason: 'disk_full' });
    teacher.close();

    // The status text is for people: the restored state must not depend on it.
    await srv.db.query('update recordings set status_message = null where lesson_id = $1', [lesson.id]);

    // A second web process on the same database and data folder, as after a restart.
    const dataDir = (srv.web.recordings as unknown as { o: { dataDir: string } }).o.dataDir;
    const [{ startWebServer }, { loadConfig }] = await Promise.all([import('../../server/app.js'), import('../../server/config.js')]);
    await srv.web.close();
    const web2 = await startWebServer(
      loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        TONGBU_DATA_DIR: dataDir,
        TONGBU_ANNOUNCED_IP: '127.0.0.1',
        TONGBU_MEDIA_WORKERS: '1',
        ...srv.portsEnv,
        TONGBU_RECORDING_SEGMENT_S: '2',
      }),
      srv.db,
      { clientDir: '/nonexistent' },
    );
    try {
      const again = await srv.connect(await srv.cookieFor('teacher-wang'), 'teacher again', { port: web2.port });
      const snap = await again.ok('lesson:join', { lessonId: lesson.id });
      expect(snap.lesson.state).toBe('live');
      expect(snap.recording).toMatchObject({ state: 'stopped', reason: 'disk_full' });
      // Resuming once there is room clears the reason, in the column too.
      web2.recordings.minFreeBytes = 0;
      expect(await again.ok('recording:resume', {})).toMatchObject({ state: 'recording', reason: null });
      expect(await stored()).toEqual({ state: 'recording', stop_reason: null });
      const stopped = new Promise<void>((r) => web2.recordings.on('recordingStopped', (e) => e.lessonId === lesson.id && r()));
      await again.ok('lesson:end', {});
      await stopped;
      expect(await stored()).toEqual({ state: 'stopped', stop_reason: null });
      again.close();
    } finally {
      await web2.close();
    }
  }, 90_000);
});
