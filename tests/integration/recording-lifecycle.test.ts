// The recording inside the live lesson's lifecycle (LiveLesson → LessonRecording → RecorderRun):
// a live lesson that closes here closes its recording, which goes on from what is stored when
// the lesson is live here again; why a recording stopped by itself is data
// (recordings.stop_reason), not a sentence: a server restarted after a full disk stopped the
// recording restores "stopped, disk full" from the column, whatever the status text says.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingStatus } from '../../server/contract/domain.js';
import { startLiveServer, waitFor, type LiveTestServer } from '../helpers/liveServer.js';
import { startRtpSource, type RtpSource } from '../helpers/rtpSource.js';
import { gapsOf, recordingOf, secondWebServer, segmentsOf, tracksOf } from './recording.helpers.js';

let srv: LiveTestServer;
const sources: RtpSource[] = [];

beforeAll(async () => {
  srv = await startLiveServer({ env: { TONGBU_RECORDING_SEGMENT_S: '2' } });
}, 120_000);

afterEach(async () => {
  for (const s of sources.splice(0)) await s.close().catch(() => undefined);
});

afterAll(async () => {
  await srv?.close();
});

describe('recording lifecycle', () => {
  it('closes with its live lesson (the router freed) and goes on from what is stored when the lesson is live here again', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    const teacher = await startRtpSource(srv, { lessonId: lesson.id, as: 'teacher', audio: true });
    sources.push(teacher);
    await teacher.client.ok('lesson:start', {});
    await waitFor(async () => (await tracksOf(srv.db, lesson.id)).length === 1, 10_000, 'a track');
    const [track] = await tracksOf(srv.db, lesson.id);
    await waitFor(async () => (await segmentsOf(srv.db, track.id)).some((x) => x.state === 'closed'), 10_000, 'a segment');
    const live = srv.live(lesson.id)!;
    const rec = srv.web.recordings.recordingOf(lesson.id)!;
    expect(live.recording).toBe(rec);

    // What the idle timer does once everyone has left: the lesson closes here, its recording with it.
    await srv.web.live.registry.close(lesson.id, 'lesson-closed');
    expect(live.recording).toBeNull();
    expect(rec.closing).toBe(true);
    expect(rec.runs()).toEqual([]);
    expect(srv.web.recordings.recordingOf(lesson.id)).toBeUndefined();
    expect((await segmentsOf(srv.db, track.id)).every((x) => x.state === 'closed')).toBe(true);
    // The lesson itself goes on: its recording is still on.
    expect((await recordingOf(srv.db, lesson.id))!.state).toBe('recording');
    await sources.splice(0)[0].close();

    const again = await startRtpSource(srv, { lessonId: lesson.id, as: 'teacher', audio: true });
    sources.push(again);
    expect(again.snap.recording.state).toBe('recording');
    const [gap] = await waitFor(async () => ((await gapsOf(srv.db, lesson.id)).length === 1 ? gapsOf(srv.db, lesson.id) : null), 15_000, 'the gap');
    // The same track, after a gap that says the source was gone (not a server restart).
    expect(gap).toMatchObject({ trackId: track.id, reason: 'source-gone' });
    await waitFor(async () => (await segmentsOf(srv.db, track.id)).some((x) => x.state === 'closed' && x.start_ms >= gap.toMs), 15_000, 'a segment after the gap');
    expect(srv.live(lesson.id)!.recording).toBe(srv.web.recordings.recordingOf(lesson.id));
    const stopped = new Promise<void>((r) => srv.web.recordings.on('recordingStopped', (e) => e.lessonId === lesson.id && r()));
    await again.client.ok('lesson:end', {});
    await stopped;
    expect((await tracksOf(srv.db, lesson.id)).map((t) => t.id)).toEqual([track.id]);
    expect((await recordingOf(srv.db, lesson.id))!.state).toBe('stopped');
    const segs = await segmentsOf(srv.db, track.id);
    expect(segs.map((x) => x.seq)).toEqual(segs.map((_, i) => i + 1));
    expect(segs.every((x) => x.state === 'closed')).toBe(true);
  }, 60_000);

  // Last: it replaces the web server of this file.
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
    await srv.web.close();
    const web2 = await secondWebServer(srv, dataDir);
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
