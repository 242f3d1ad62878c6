// Recording under faults: a recorder killed mid-lesson, a full disk, a media worker that
// dies. The live lesson goes on in every case; recording resumes or stops with a message.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listLessonEvents } from '../../server/lessons/repo.js';
import { recorderWatchdogRestarts } from '../../server/recordings/captureMetrics.js';
import type { RecordingStatus } from '../../server/contract/domain.js';
import type { RecordingNotice } from '../../server/contract/events.js';
import { holdsFor, startLiveServer, waitFor, type LiveTestServer } from '../helpers/liveServer.js';
import { startRtpSource, type RtpSource } from '../helpers/rtpSource.js';
import {
  abs,
  closedCounts,
  coverageOf,
  everyTrackClosed,
  gapsOf,
  packetTimes,
  probe,
  recordedTo,
  recordingOf,
  secondWebServer,
  segmentsOf,
  tracksOf,
} from './recording.helpers.js';

let srv: LiveTestServer;
let dataDir: string;
const sources: RtpSource[] = [];

beforeAll(async () => {
  srv = await startLiveServer({
    env: {
      TONGBU_RECORDING_SEGMENT_S: '2',
    },
  });
  dataDir = (srv.web.recordings as unknown as { o: { dataDir: string } }).o.dataDir;
  // A shared, loaded machine can take long to start a server: wait for it, do not race it.
}, 120_000);

afterEach(async () => {
  for (const s of sources.splice(0)) await s.close().catch(() => undefined);
  srv.web.recordings.minFreeBytes = 0;
});

afterAll(async () => {
  await srv?.close();
});

async function source(o: Parameters<typeof startRtpSource>[1]): Promise<RtpSource> {
  const s = await startRtpSource(srv, o);
  sources.push(s);
  return s;
}

/** Waits until the track has a closed segment that starts at or after `fromMs` on the lesson clock. */
async function closedSegmentFrom(trackId: string, fromMs: number, what: string): Promise<void> {
  await waitFor(async () => (await segmentsOf(srv.db, trackId)).some((s) => s.state === 'closed' && s.start_ms >= fromMs), 15_000, what, 250);
}

function stoppedOnce(lessonId: string): Promise<void> {
  return new Promise((resolve) =>
    srv.web.recordings.on('recordingStopped', (e) => {
      if (e.lessonId === lessonId) resolve();
    }),
  );
}

describe('recording faults', () => {
  it('records a teacher who reconnects again and again to the end of the lesson (only marked gaps)', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    let teacher = await source({ lessonId: lesson.id, as: 'teacher', video: true, audio: true });
    await teacher.client.ok('lesson:start', {});
    const classroom = await source({ lessonId: lesson.id, as: { classroomId: srv.classrooms.qingshan }, audio: true });
    await waitFor(async () => (await tracksOf(srv.db, lesson.id)).length === 3, 20_000, 'three tracks');
    const rec = srv.web.recordings.recordingOf(lesson.id)!;
    // The network went away and the browser came back on a new socket: its new producers
    // arrive while the recorders of the old ones are still closing (the old peer is replaced
    // at once; its sender went silent first, and never sends to a port reused later).
    const reconnect = async () => {
      const old = teacher;
      for (const s of [old.audio!, old.video!]) process.kill(s.ffmpeg.pid!, 'SIGSTOP');
      teacher = await source({ lessonId: lesson.id, as: 'teacher', video: true, audio: true });
      for (const s of [old.audio!, old.video!]) process.kill(s.ffmpeg.pid!, 'SIGCONT');
      await old.stop().catch(() => undefined);
    };
    // Each teacher track writes on between the cuts: `n` more closed segments each.
    const teacherTracks = (await tracksOf(srv.db, lesson.id)).filter((t) => t.owner === 'teacher').map((t) => t.id);
    const writtenOn = async (n: number) => {
      const from = await closedCounts(srv.db, teacherTracks);
      await waitFor(
        async () => [...(await closedCounts(srv.db, teacherTracks))].every(([id, c]) => c >= from.get(id)! + n),
        30_000,
        `${n} more closed segments of each teacher track`,
        250,
      );
    };
    for (let cut = 0; cut < 3; cut++) {
      await writtenOn(1);
      await reconnect();
      // The second time at once once more: the previous run of each track is still closing.
      if (cut === 1) await reconnect();
    }
    // Every teacher track has a recorder on the newest producer.
    await waitFor(
      () => rec.runs().filter((r) => r.owner === 'teacher').length === 2,
      20_000,
      'recorders of the reconnected teacher',
    );
    await writtenOn(3);
    const stopped = stoppedOnce(lesson.id);
    await teacher.client.ok('lesson:end', {});
    const endedAt = Date.now();
    await stopped;
    const lessonEndMs = endedAt - (await recordingOf(srv.db, lesson.id))!.clockZeroMs;
    const cover = await coverageOf(srv.db, lesson.id, lessonEndMs);
    expect(cover.map((c) => c.label).sort()).toEqual(['classroom:mic', 'teacher:camera', 'teacher:mic']);
    for (const c of cover) {
      // Recorded to the end: nothing stopped silently after a reconnect.
      expect(Math.abs((c.endMs ?? 0) - lessonEndMs), `${c.label} ends at ${c.endMs}, the lesson at ${lessonEndMs}`).toBeLessThan(2_000);
      expect(c.coverage, `${c.label} ${JSON.stringify(c)}`).toBeGreaterThan(0.9);
    }
    const teacherGaps = (await gapsOf(srv.db, lesson.id)).filter((g) => cover.some((c) => c.trackId === g.trackId && c.label.startsWith('teacher')));
    expect(teacherGaps.length).toBeGreaterThanOrEqual(2);
    expect(teacherGaps.every((g) => g.reason === 'source-gone')).toBe(true);
    await classroom.close();
  }, 120_000);

  it('restarts a recorder that is stuck (writes nothing while its source is live): the watchdog logs and counts it, the teacher is told', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    const teacher = await source({ lessonId: lesson.id, as: 'teacher', audio: true });
    await teacher.client.ok('lesson:start', {});
    // A projector in the lesson (no media, so the teacher's mic stays the only track).
    const projector = await srv.connect(await srv.deviceCookie(srv.classrooms.qingshan), 'projector');
    await projector.ok('lesson:join', { lessonId: lesson.id });
    const rec = () => srv.web.recordings.recordingOf(lesson.id)!;
    await waitFor(async () => (await tracksOf(srv.db, lesson.id)).length === 1, 20_000, 'the mic track');
    const [mic] = await tracksOf(srv.db, lesson.id);
    await waitFor(async () => (await segmentsOf(srv.db, mic.id)).some((s) => s.state === 'closed'), 20_000, 'a closed segment');
    const restarted = new Promise<{ trackId: string }>((resolve) => srv.web.recordings.once('recorderRestarted', resolve));
    const before = (await recorderWatchdogRestarts.get()).values[0]?.value ?? 0;
    // Wedged: alive, holding its ports, writing nothing — it neither exits nor times out.
    const victim = rec().runOf(mic.id)!.pid!;
    process.kill(victim, 'SIGSTOP');
    expect((await restarted).trackId).toBe(mic.id);
    const notice = await teacher.client.waitEvent<RecordingNotice>('recording:notice', () => true, 10_000);
    const [{ label }] = await srv.db.query<{ label: string }>('select label from recording_tracks where id = $1', [mic.id]);
    expect(notice).toEqual({ kind: 'recorder-restarted', cause: 'stalled', label });
    expect(label).toMatch(/麦克风$/);
    // Only the teacher: a round trip on the projector's socket after the teacher's notice
    // arrived proves nothing was sent to it (a socket's messages arrive in order).
    await projector.ok('chat:send', { text: '收到' });
    expect(projector.events('recording:notice')).toEqual([]);
    projector.close();
    await waitFor(() => {
      const pid = rec().runOf(mic.id)?.pid;
      return !!pid && pid !== victim;
    }, 20_000, 'a new recorder');
    expect((await recorderWatchdogRestarts.get()).values[0]?.value).toBe(before + 1);
    const n = (await segmentsOf(srv.db, mic.id)).length;
    await waitFor(async () => (await segmentsOf(srv.db, mic.id)).length > n + 1, 20_000, 'segments written again');
    const stopped = stoppedOnce(lesson.id);
    await teacher.client.ok('lesson:end', {});
    await stopped;
    const gaps = await gapsOf(srv.db, lesson.id);
    expect(gaps.map((g) => g.reason)).toEqual(['recorder-died']);
    const events = await listLessonEvents(srv.db, lesson.id);
    expect(events.some((e) => e.type === 'recording:restarted')).toBe(true);
  }, 120_000);

  it('restarts a recorder killed with SIGKILL; the gap is short, stored and logged', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    const teacher = await source({ lessonId: lesson.id, as: 'teacher', video: true, audio: true });
    await teacher.client.ok('lesson:start', {});
    const rec = () => srv.web.recordings.recordingOf(lesson.id)!;
    await waitFor(async () => (await tracksOf(srv.db, lesson.id)).length === 2, 10_000, 'two tracks');
    const video = (await tracksOf(srv.db, lesson.id)).find((t) => t.kind === 'video')!;
    await waitFor(async () => (await segmentsOf(srv.db, video.id)).some((s) => s.state === 'closed'), 10_000, 'a closed video segment');
    // Killed inside the next segment, not at a boundary.
    await waitFor(async () => (await segmentsOf(srv.db, video.id)).some((s) => s.state === 'open'), 10_000, 'an open video segment', 250);

    const victim = rec().runOf(video.id)!.pid!;
    const clockZero = (await recordingOf(srv.db, lesson.id))!.clockZeroMs;
    process.kill(victim, 'SIGKILL');
    const killedAt = Date.now() - clockZero;
    expect(await teacher.client.waitEvent<RecordingNotice>('recording:notice', () => true, 10_000)).toMatchObject({ kind: 'recorder-restarted', cause: 'crashed' });
    // A new recorder process takes over the same track.
    await waitFor(() => {
      const pid = rec().runOf(video.id)?.pid;
      return pid && pid !== victim;
    }, 10_000, 'a new recorder');
    await waitFor(async () => (await gapsOf(srv.db, lesson.id)).length === 1, 10_000, 'the gap row');
    // The lesson went on: chat works and the lesson is live.
    expect((await teacher.client.ok('chat:send', { text: '继续上课' })).text).toBe('继续上课');
    await closedSegmentFrom(video.id, (await gapsOf(srv.db, lesson.id))[0].toMs, 'a closed video segment after the gap');
    const stopped = stoppedOnce(lesson.id);
    await teacher.client.ok('lesson:end', {});
    await stopped;

    const [gap] = await gapsOf(srv.db, lesson.id);
    expect(gap.trackId).toBe(video.id);
    expect(gap.reason).toBe('recorder-died');
    expect(gap.toMs - gap.fromMs, JSON.stringify(gap)).toBeLessThanOrEqual(5_000);
    expect(gap.toMs - gap.fromMs).toBeGreaterThan(0);
    expect(gap.fromMs).toBeLessThanOrEqual(killedAt + 100);
    expect(gap.toMs).toBeGreaterThanOrEqual(killedAt);
    const logged = (await listLessonEvents(srv.db, lesson.id)).filter((e) => e.type === 'recording:gap');
    expect(logged.map((e) => e.payload)).toEqual([{ trackId: video.id, fromMs: gap.fromMs, toMs: gap.toMs, reason: 'recorder-died' }]);

    // Segments before and after the gap, numbered on; the one cut short is still readable.
    const segs = await segmentsOf(srv.db, video.id);
    expect(segs.map((s) => s.seq)).toEqual(segs.map((_, i) => i + 1));
    expect(segs.some((s) => s.end_ms! <= gap.fromMs)).toBe(true);
    expect(segs.some((s) => s.start_ms >= gap.toMs)).toBe(true);
    for (const s of segs.filter((x) => x.state === 'closed')) expect((await probe(abs(dataDir, s.path))).codec).toBe('vp8');
    // The audio track never stopped.
    const audio = (await tracksOf(srv.db, lesson.id)).find((t) => t.kind === 'audio')!;
    expect((await gapsOf(srv.db, lesson.id)).filter((g) => g.trackId === audio.id)).toEqual([]);
  }, 60_000);

  it('stops recording when the disk is full, tells the teacher, and the lesson goes on', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    const teacher = await source({ lessonId: lesson.id, as: 'teacher', video: true, audio: true });
    await teacher.client.ok('lesson:start', {});
    const projector = await source({ lessonId: lesson.id, as: { classroomId: srv.classrooms.qingshan }, audio: true });
    await waitFor(() => everyTrackClosed(srv.db, lesson.id, 3), 15_000, 'a closed segment on each of three tracks', 250);

    const mark = teacher.client.mark();
    // Less free space than the threshold: as good as full.
    srv.web.recordings.minFreeBytes = (await srv.web.recordings.freeBytes()) + 1024 ** 4;
    const status = await teacher.client.waitEvent<RecordingStatus>('recording:state', (s) => s.state === 'stopped', 10_000, mark);
    expect(status.reason).toBe('disk_full');
    await projector.client.waitEvent<RecordingStatus>('recording:state', (s) => s.reason === 'disk_full', 5_000);
    await waitFor(() => srv.web.recordings.recordingOf(lesson.id)!.runs().length === 0, 15_000, 'recorders stopped');
    const rec = (await recordingOf(srv.db, lesson.id))!;
    expect(rec.state).toBe('stopped');
    expect(rec.status_message).toContain('磁盘空间不足');
    expect((await listLessonEvents(srv.db, lesson.id)).some((e) => e.type === 'recording:stop' && (e.payload as { reason: string }).reason === 'disk_full')).toBe(true);

    // The lesson is live and working.
    expect(srv.live(lesson.id)!.lesson.state).toBe('live');
    expect((await teacher.client.ok('chat:send', { text: '照常上课' })).text).toBe('照常上课');
    const producers = [...srv.live(lesson.id)!.currentMedia!.allProducers()];
    expect(producers).toHaveLength(3);
    // Nothing more is written.
    const count = async () => (await Promise.all((await tracksOf(srv.db, lesson.id)).map((t) => segmentsOf(srv.db, t.id)))).flat().length;
    const before = await count();
    await holdsFor(async () => (await count()) === before, 2_500, 'nothing written');
    // Resuming is refused while the disk is full, and works once there is room again.
    expect(await teacher.client.errorCode('recording:resume', {})).toBe('CONFLICT');
    srv.web.recordings.minFreeBytes = 0;
    expect((await teacher.client.ok('recording:resume', {})).state).toBe('recording');
    await waitFor(async () => (await count()) > before, 15_000, 'recording again');
    const stopped = stoppedOnce(lesson.id);
    await teacher.client.ok('lesson:end', {});
    await stopped;
    expect((await gapsOf(srv.db, lesson.id)).every((g) => g.reason === 'disk-full')).toBe(true);
  }, 60_000);

  it('keeps a muted classroom mic on the lesson clock: the muted time is a hole, not a shift', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    const teacher = await source({ lessonId: lesson.id, as: 'teacher', audio: true });
    await teacher.client.ok('lesson:start', {});
    const room = await source({ lessonId: lesson.id, as: { classroomId: srv.classrooms.qingshan }, audio: true });
    await waitFor(async () => (await tracksOf(srv.db, lesson.id)).length === 2, 10_000, 'two tracks');
    const mic = (await tracksOf(srv.db, lesson.id)).find((t) => t.owner === 'classroom')!;
    const clockZero = (await recordingOf(srv.db, lesson.id))!.clockZeroMs;
    const pid = srv.web.recordings.recordingOf(lesson.id)!.runOf(mic.id)!.pid;
    await waitFor(async () => (await recordedTo(srv.db, mic.id)) > 0, 10_000, 'a closed segment before the mute', 250);
    await teacher.client.ok('classroom:mute', { classroomId: srv.classrooms.qingshan, muted: true });
    const mutedAt = Date.now() - clockZero;
    // Muted for 3 s, and the same recorder throughout: a mute is not a fault.
    const sameRecorder = () => srv.web.recordings.recordingOf(lesson.id)!.runOf(mic.id)?.pid === pid;
    await holdsFor(sameRecorder, 3_000, 'the same recorder while muted');
    await teacher.client.ok('classroom:mute', { classroomId: srv.classrooms.qingshan, muted: false });
    const unmutedAt = Date.now() - clockZero;
    await waitFor(async () => (await recordedTo(srv.db, mic.id)) >= unmutedAt + 1_000, 15_000, 'a second after the unmute written', 250);
    expect(sameRecorder()).toBe(true);
    const stopped = stoppedOnce(lesson.id);
    await teacher.client.ok('lesson:end', {});
    const endedAt = Date.now() - clockZero;
    await stopped;

    expect(await gapsOf(srv.db, lesson.id)).toEqual([]);
    const segs = await segmentsOf(srv.db, mic.id);
    expect(segs.every((x) => x.state === 'closed')).toBe(true);
    expect(Math.abs(segs[segs.length - 1].end_ms! - endedAt)).toBeLessThan(1_000);
    // Packet times on the lesson clock: one hole, where and as long as the mute.
    const times: number[] = [];
    for (const x of segs) for (const t of await packetTimes(abs(dataDir, x.path))) times.push(x.start_ms + t * 1000);
    times.sort((a, b) => a - b);
    let hole = { from: 0, to: 0 };
    for (let i = 1; i < times.length; i++) if (times[i] - times[i - 1] > hole.to - hole.from) hole = { from: times[i - 1], to: times[i] };
    expect(Math.abs(hole.from - mutedAt), JSON.stringify({ hole, mutedAt, unmutedAt })).toBeLessThan(400);
    expect(Math.abs(hole.to - unmutedAt), JSON.stringify({ hole, mutedAt, unmutedAt })).toBeLessThan(400);
    void room;
  }, 60_000);

  it('re-attaches recorders to the new producers after the media worker dies', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    const teacherOpts = { lessonId: lesson.id, as: 'teacher' as const, audio: true };
    const teacher = await source(teacherOpts);
    await teacher.client.ok('lesson:start', {});
    await waitFor(async () => (await tracksOf(srv.db, lesson.id)).length === 1, 10_000, 'a track');
    const [track] = await tracksOf(srv.db, lesson.id);
    await waitFor(async () => (await segmentsOf(srv.db, track.id)).some((s) => s.state === 'closed'), 10_000, 'a segment');

    const live = srv.live(lesson.id)!;
    const old = live.currentMedia!.slot.worker;
    const mark = teacher.client.mark();
    process.kill(old.pid!, 'SIGKILL');
    await teacher.client.waitEvent('media:reset', () => true, 15_000, mark);
    // What a browser does on media:reset: publish again (here: a fresh RTP source).
    await teacher.stop();
    const again = await source({ ...teacherOpts, client: teacher.client });
    const [restartGap] = await waitFor(async () => ((await gapsOf(srv.db, lesson.id)).length === 1 ? gapsOf(srv.db, lesson.id) : null), 15_000, 'the gap after the restart');
    await closedSegmentFrom(track.id, restartGap.toMs, 'a closed segment after the gap');
    const stopped = stoppedOnce(lesson.id);
    await again.client.ok('lesson:end', {});
    await stopped;

    // Still one track for the teacher's mic, recorded before and after, with the gap between.
    const tracks = await tracksOf(srv.db, lesson.id);
    expect(tracks.map((t) => t.id)).toEqual([track.id]);
    const [gap] = await gapsOf(srv.db, lesson.id);
    expect(gap.reason).toBe('source-gone');
    const segs = await segmentsOf(srv.db, track.id);
    expect(segs.some((s) => s.start_ms >= gap.toMs && s.state === 'closed')).toBe(true);
    expect(segs.every((s) => s.state === 'closed')).toBe(true);
  }, 60_000);
  // Last: it replaces the web server of this file.
  it('continues the same tracks after a server restart, with the downtime as a gap', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    const teacher = await source({ lessonId: lesson.id, as: 'teacher', audio: true });
    await teacher.client.ok('lesson:start', {});
    await waitFor(async () => (await tracksOf(srv.db, lesson.id)).length === 1, 10_000, 'a track');
    const [track] = await tracksOf(srv.db, lesson.id);
    await waitFor(async () => (await segmentsOf(srv.db, track.id)).some((x) => x.state === 'closed'), 10_000, 'a segment');
    await teacher.stop();

    // A second web process on the same database and data folder, as after a restart.
    await srv.web.close();
    const before = await segmentsOf(srv.db, track.id);
    expect(before.every((x) => x.state === 'closed')).toBe(true);
    const web2 = await secondWebServer(srv, dataDir);
    try {
      const srv2 = {
        ...srv,
        web: web2,
        live: (id = srv.lessonId) => web2.live.registry.get(id),
        connect: (cookie: string | null, label?: string) => srv.connect(cookie, label, { port: web2.port }),
      };
      const again = await startRtpSource(srv2, { lessonId: lesson.id, as: 'teacher', audio: true });
      sources.push(again);
      expect(again.snap.recording.state).toBe('recording');
      const [restartGap] = await waitFor(async () => ((await gapsOf(srv.db, lesson.id)).length === 1 ? gapsOf(srv.db, lesson.id) : null), 15_000, 'the gap after the restart');
      await closedSegmentFrom(track.id, restartGap.toMs, 'a closed segment after the gap');
      const stopped = new Promise<void>((r) => web2.recordings.on('recordingStopped', () => r()));
      await again.client.ok('lesson:end', {});
      await stopped;
      expect((await tracksOf(srv.db, lesson.id)).map((t) => t.id)).toEqual([track.id]);
      const [gap] = await gapsOf(srv.db, lesson.id);
      expect(gap.reason).toBe('server-stopped');
      const after = await segmentsOf(srv.db, track.id);
      expect(after.map((x) => x.seq)).toEqual(after.map((_, i) => i + 1));
      expect(after.some((x) => x.start_ms >= gap.toMs)).toBe(true);
      expect(after.every((x) => x.state === 'closed')).toBe(true);
    } finally {
      for (const x of sources.splice(0)) await x.close().catch(() => undefined);
      await web2.close();
    }
  }, 60_000);
});
