// Recording capture against the real thing: mediasoup worker, ffmpeg sources sending RTP,
// ffmpeg recorders writing WebM segments, PGlite. Checks codecs, durations, alignment on the
// lesson clock (tone bursts at known times), pause/resume, consent and who may pause.
import { mkdtempSync } from 'node:fs';
import { existsSync, readdirSync } from 'node:fs';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listLessonEvents } from '../../server/lessons/repo.js';
import type { RecordingStatus } from '../../server/contract/domain.js';
import { holdsFor, startLiveServer, waitFor, type LiveTestServer, type TestClient } from '../helpers/liveServer.js';
import { startRtpSource, type RtpSource } from '../helpers/rtpSource.js';
import {
  abs,
  everyTrackClosed,
  gapsOf,
  probe,
  recordedTo,
  recordingOf,
  segmentsOf,
  toneLavfi,
  toneOnsetsOnClock,
  toneWav,
  tracksOf,
} from './recording.helpers.js';

const execFileP = promisify(execFile);
let srv: LiveTestServer;
let dataDir: string;
const sources: RtpSource[] = [];
const wavDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-rec-wav-'));

beforeAll(async () => {
  srv = await startLiveServer({
    env: { TONGBU_RECORDING_SEGMENT_S: '2' },
  });
  dataDir = (srv.web.recordings as unknown as { o: { dataDir: string } }).o.dataDir;
  // A shared, loaded machine can take long to start a server: wait for it, do not race it.
}, 120_000);

afterEach(async () => {
  for (const s of sources.splice(0)) await s.close().catch(() => undefined);
});

afterAll(async () => {
  await srv?.close();
});

/** Recorder (ffmpeg) processes writing into this lesson's folder. */
async function recorderPids(lessonId: string): Promise<number[]> {
  const { stdout } = await execFileP('pgrep', ['-f', `ffmpeg .*recordings/${lessonId}/tracks/`]).catch(() => ({ stdout: '' }));
  return stdout.split('\n').filter(Boolean).map(Number).sort((a, b) => a - b);
}

/** Segment files of the lesson on disk. */
async function segmentFiles(lessonId: string): Promise<string[]> {
  const dir = path.join(dataDir, 'recordings', lessonId, 'tracks');
  const out: string[] = [];
  for (const t of existsSync(dir) ? readdirSync(dir) : []) out.push(...readdirSync(path.join(dir, t)).filter((f) => f.endsWith('.webm')));
  return out;
}

async function source(...args: Parameters<typeof startRtpSource> extends [unknown, infer O] ? [O] : never): Promise<RtpSource> {
  const s = await startRtpSource(srv, args[0]);
  sources.push(s);
  return s;
}

/** Ends the lesson and waits until the recorder has closed every segment. */
async function endLesson(teacher: TestClient, lessonId: string): Promise<number> {
  const stopped = new Promise<void>((resolve) =>
    srv.web.recordings.on('recordingStopped', (e) => {
      if (e.lessonId === lessonId) resolve();
    }),
  );
  await teacher.ok('lesson:end', {});
  const endedAt = Date.now();
  await stopped;
  return endedAt;
}

describe('a recorded lesson', () => {
  it('writes per-track VP8/Opus segments whose lengths and offsets match the lesson clock', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    const teacherTones = [3, 6.5];
    const classroomTones = [2, 4.5];
    const wav = path.join(wavDir, 'classroom.wav');
    await toneWav(wav, 30, classroomTones);
    const closed: { trackId: string; seq: number }[] = [];
    srv.web.recordings.on('segmentClosed', (e) => {
      if (e.lessonId === lesson.id) closed.push(e);
    });

    const teacher = await source({ lessonId: lesson.id, as: 'teacher', video: true, audio: { lavfi: toneLavfi(teacherTones) } });
    const projector = await srv.connect(await srv.deviceCookie(srv.classrooms.qingshan), 'projector');
    const snap = await projector.ok('lesson:join', { lessonId: lesson.id });
    expect(snap.recording.state).toBe('off');
    await teacher.client.ok('lesson:start', {});
    await projector.waitEvent<RecordingStatus>('recording:state', (s) => s.state === 'recording');
    projector.close();

    // The classroom joins once 1.5 s of the teacher's mic are written: its tracks start later.
    const teacherMic = await waitFor(async () => (await tracksOf(srv.db, lesson.id)).find((t) => t.source === 'mic'), 15_000, 'the teacher’s mic track');
    await waitFor(async () => (await recordedTo(srv.db, teacherMic.id)) >= teacherMic.start_ms + 1_500, 15_000, '1.5 s of the teacher’s mic', 250);
    const classroom = await source({
      lessonId: lesson.id,
      as: { classroomId: srv.classrooms.qingshan },
      video: true,
      audio: { file: wav },
    });
    // Recorded long enough: two closed segments on every track, and each mic past its last tone.
    const clockZero = (await recordingOf(srv.db, lesson.id))!.clockZeroMs;
    const pastLastTone = async (owner: string, src: RtpSource, tonesAt: number[]) => {
      const mic = (await tracksOf(srv.db, lesson.id)).find((t) => t.owner === owner && t.source === 'mic')!;
      return (await recordedTo(srv.db, mic.id)) > src.audio!.firstPacketAt! - clockZero + (Math.max(...tonesAt) + 0.3) * 1000;
    };
    await waitFor(
      async () =>
        (await everyTrackClosed(srv.db, lesson.id, 4, 2)) &&
        (await pastLastTone('teacher', teacher, teacherTones)) &&
        (await pastLastTone('classroom', classroom, classroomTones)),
      30_000,
      'two closed segments per track, each mic past its last tone',
      250,
    );
    const endedAt = await endLesson(teacher.client, lesson.id);

    const rec = (await recordingOf(srv.db, lesson.id))!;
    expect(rec.state).toBe('stopped');
    expect(rec.ended_at).toBeTruthy();
    expect(rec.visibility).toBe('participants');
    const lessonEndMs = endedAt - rec.clockZeroMs;

    const tracks = await tracksOf(srv.db, lesson.id);
    const bySource = (owner: string, source: string) => tracks.find((t) => t.owner === owner && t.source === source)!;
    expect(tracks.map((t) => `${t.owner}:${t.source}:${t.codec}`).sort()).toEqual([
      'classroom:camera:VP8',
      'classroom:mic:opus',
      'teacher:camera:VP8',
      'teacher:mic:opus',
    ]);
    expect(bySource('classroom', 'mic').classroom_id).toBe(srv.classrooms.qingshan);
    expect(bySource('teacher', 'mic').user_id).toBe((await srv.user('teacher-wang')).id);

    for (const t of tracks) {
      const segs = await segmentsOf(srv.db, t.id);
      expect(segs.length, `${t.source} segments`).toBeGreaterThanOrEqual(2);
      expect(segs.every((s) => s.state === 'closed'), `${t.owner} ${t.source} all closed`).toBe(true);
      expect(segs.map((s) => s.seq)).toEqual(segs.map((_, i) => i + 1));
      let total = 0;
      for (const s of segs) {
        expect(s.path).toBe(`recordings/${lesson.id}/tracks/${t.id}/seg-${String(s.seq).padStart(5, '0')}.webm`);
        expect(existsSync(abs(dataDir, s.path))).toBe(true);
        const p = await probe(abs(dataDir, s.path));
        expect(p.codec).toBe(t.kind === 'video' ? 'vp8' : 'opus');
        expect(s.bytes).toBeGreaterThan(0);
        total += p.duration * 1000;
      }
      // Everything from the track's first packet to the end of the lesson, within a second.
      const expected = lessonEndMs - t.start_ms;
      expect(Math.abs(total - expected), `${t.owner} ${t.source}: ${total} ms recorded, ${expected} ms expected`).toBeLessThan(1_000);
      expect(Math.abs(t.end_ms! - lessonEndMs)).toBeLessThan(1_000);
    }
    // Every closed segment was handed to processing.
    const segCount = (await Promise.all(tracks.map((t) => segmentsOf(srv.db, t.id)))).flat().length;
    expect(closed.length).toBe(segCount);

    // The classroom joined ~1.5 s later: its tracks start later on the lesson clock.
    const tStart = bySource('teacher', 'mic').start_ms;
    const cStart = bySource('classroom', 'mic').start_ms;
    expect(cStart - tStart).toBeGreaterThan(1_000);

    // Alignment: a tone the source played at source time T must sit at (source start + T) on
    // the lesson clock, in the recorded file placed at its segment's start_ms.
    const check = async (trackId: string, src: RtpSource, tonesAt: number[]) => {
      const srcStart = src.audio!.firstPacketAt! - rec.clockZeroMs;
      const expected = tonesAt.map((t) => srcStart + t * 1000);
      const segs = await segmentsOf(srv.db, trackId);
      const found = await toneOnsetsOnClock(segs.map((s) => ({ file: abs(dataDir, s.path), startMs: s.start_ms })));
      const inRecording = expected.filter((e) => e > bySource(src === teacher ? 'teacher' : 'classroom', 'mic').start_ms + 200);
      expect(found.length, `tones found ${JSON.stringify(found)} expected ${JSON.stringify(expected)}`).toBe(inRecording.length);
      for (const [i, f] of found.entries()) expect(Math.abs(f - inRecording[i]), `tone ${i}: ${f} vs ${inRecording[i]}`).toBeLessThan(100);
    };
    await check(bySource('teacher', 'mic').id, teacher, teacherTones);
    await check(bySource('classroom', 'mic').id, classroom, classroomTones);

    const types = (await listLessonEvents(srv.db, lesson.id)).map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(['lesson:start', 'recording:start', 'lesson:end', 'recording:stop']));
    expect(await gapsOf(srv.db, lesson.id)).toEqual([]);
    for (const s of [teacher, classroom]) await s.close();
  }, 60_000);

  it('records producers published before go-live from the lesson’s first instant (recorders armed in the lobby)', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    // Key frames every 200 ms: the video track's start then shows the recorder's readiness, not the GOP.
    const teacher = await source({ lessonId: lesson.id, as: 'teacher', video: { gop: 3 }, audio: { lavfi: toneLavfi([1]) } });
    // Armed in the lobby: two ffmpeg recorders listen, nothing is stored.
    await waitFor(async () => (await recorderPids(lesson.id)).length === 2, 30_000, 'two armed recorders');
    const armed = await recorderPids(lesson.id);
    // Longer than ffmpeg's own read timeout (~10 s without a packet): the keep-alive holds them.
    await holdsFor(async () => JSON.stringify(await recorderPids(lesson.id)) === JSON.stringify(armed), 12_000, 'the same armed recorders');
    expect(await recordingOf(srv.db, lesson.id)).toBeNull();
    expect(await tracksOf(srv.db, lesson.id)).toEqual([]);
    expect(existsSync(path.join(dataDir, 'recordings', lesson.id, 'tracks'))).toBe(true);
    expect((await segmentFiles(lesson.id)).length).toBe(0);

    await teacher.client.ok('lesson:start', {});
    await waitFor(async () => (await tracksOf(srv.db, lesson.id)).length === 2, 15_000, 'both tracks recording');
    // The same processes record: nothing was started at go-live.
    expect(await recorderPids(lesson.id)).toEqual(armed);
    await waitFor(() => everyTrackClosed(srv.db, lesson.id, 2, 2), 20_000, 'two closed segments per track', 250);
    const endedAt = await endLesson(teacher.client, lesson.id);
    const rec = (await recordingOf(srv.db, lesson.id))!;
    const lessonEndMs = endedAt - rec.clockZeroMs;
    for (const t of await tracksOf(srv.db, lesson.id)) {
      console.log(`armed ${t.source} track starts at ${t.start_ms} ms`);
      // Before this change every track began 1.2–1.3 s after 开始上课 (a recorder start).
      expect(t.start_ms, `${t.source} starts with the lesson`).toBeLessThan(t.kind === 'audio' ? 500 : 700);
      expect(t.start_ms).toBeGreaterThanOrEqual(0);
      const segs = await segmentsOf(srv.db, t.id);
      let total = 0;
      for (const s of segs) total += (await probe(abs(dataDir, s.path))).duration * 1000;
      expect(Math.abs(total - (lessonEndMs - t.start_ms)), `${t.source}: ${total} ms recorded`).toBeLessThan(1_000);
    }
    expect(await gapsOf(srv.db, lesson.id)).toEqual([]);
  }, 90_000);

  it('drops armed recorders when the lesson will not be recorded after all, or the producer goes', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    const teacher = await source({ lessonId: lesson.id, as: 'teacher', audio: true, video: true });
    await waitFor(async () => (await recorderPids(lesson.id)).length === 2, 30_000, 'two armed recorders');
    // The teacher turns recording off before starting: nothing of this lesson is recorded.
    await srv.db.query('update lessons set recording = false where id = $1', [lesson.id]);
    await teacher.client.ok('lesson:start', {});
    await waitFor(async () => (await recorderPids(lesson.id)).length === 0, 20_000, 'armed recorders gone');
    expect(await recordingOf(srv.db, lesson.id)).toBeNull();
    expect(existsSync(path.join(dataDir, 'recordings', lesson.id, 'tracks'))).toBe(false);
    await teacher.client.ok('lesson:end', {});

    // A producer that goes in the lobby takes its armed recorder with it.
    const other = await srv.createLesson([srv.classrooms.qingshan]);
    const t2 = await source({ lessonId: other.id, as: 'teacher', audio: true });
    await waitFor(async () => (await recorderPids(other.id)).length === 1, 30_000, 'an armed recorder');
    await t2.close();
    await waitFor(async () => (await recorderPids(other.id)).length === 0, 20_000, 'its recorder gone');
  }, 90_000);

  it('pauses and resumes on the teacher’s word: nothing is written while paused, and everyone is told', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    const teacher = await source({ lessonId: lesson.id, as: 'teacher', audio: true, video: true });
    await teacher.client.ok('lesson:start', {});
    const classroom = await source({ lessonId: lesson.id, as: { classroomId: srv.classrooms.qingshan }, audio: true });
    const rec0 = (await recordingOf(srv.db, lesson.id))!;
    await waitFor(() => everyTrackClosed(srv.db, lesson.id, 3), 15_000, 'a closed segment on each of three tracks', 250);

    const mark = classroom.client.mark();
    const paused = await teacher.client.ok('recording:pause', {});
    const pausedAt = Date.now() - rec0.clockZeroMs;
    expect(paused.state).toBe('paused');
    await classroom.client.waitEvent<RecordingStatus>('recording:state', (s) => s.state === 'paused', 5_000, mark);
    // The ack does not wait for ffmpeg to close its segments; the recorders end right after.
    await waitFor(async () => srv.web.recordings.recordingOf(lesson.id)!.runs().length === 0, 12_000, 'recorders stopped');
    // A second pause is harmless.
    expect((await teacher.client.ok('recording:pause', {})).state).toBe('paused');
    // Paused for 3 s, with no recorder running all along.
    await holdsFor(() => srv.web.recordings.recordingOf(lesson.id)!.runs().length === 0, 3_000, 'no recorder while paused');
    const resumed = await teacher.client.ok('recording:resume', {});
    const resumedAt = Date.now() - rec0.clockZeroMs;
    expect(resumed.state).toBe('recording');
    await classroom.client.waitEvent<RecordingStatus>('recording:state', (s) => s.state === 'recording', 5_000, mark);
    // A projector that joins now sees 录制中 at once.
    const observer = await srv.connect(await srv.cookieFor('researcher-zhao'), 'observer');
    expect((await observer.ok('lesson:join', { lessonId: lesson.id })).recording.state).toBe('recording');
    // Recording again: every track has its paused gap and a closed segment after the resume.
    await waitFor(
      async () =>
        (await gapsOf(srv.db, lesson.id)).length === 3 &&
        (await Promise.all((await tracksOf(srv.db, lesson.id)).map(async (t) => (await segmentsOf(srv.db, t.id)).some((s) => s.state === 'closed' && s.start_ms >= resumedAt - 50)))).every(Boolean),
      20_000,
      'a closed segment after the resume on every track',
      250,
    );
    await endLesson(teacher.client, lesson.id);

    const tracks = await tracksOf(srv.db, lesson.id);
    expect(tracks).toHaveLength(3);
    for (const t of tracks) {
      const segs = await segmentsOf(srv.db, t.id);
      // No media inside the pause (a little slack for the packets in flight when it began).
      for (const s of segs) {
        const overlaps = s.start_ms < resumedAt - 50 && s.end_ms! > pausedAt + 300;
        expect(overlaps, `${t.source} seg ${s.seq} ${s.start_ms}-${s.end_ms} vs pause ${pausedAt}-${resumedAt}`).toBe(false);
      }
      expect(segs.some((s) => s.start_ms >= resumedAt - 50), `${t.source} recorded after resume`).toBe(true);
      expect(segs.some((s) => s.end_ms! <= pausedAt + 300), `${t.source} recorded before pause`).toBe(true);
    }
    const gaps = await gapsOf(srv.db, lesson.id);
    expect(gaps.map((g) => g.reason)).toEqual(['paused', 'paused', 'paused']);
    for (const g of gaps) {
      expect(Math.abs(g.fromMs - pausedAt)).toBeLessThan(700);
      // Recording resumes with the next packet (for video: the next key frame).
      expect(g.toMs).toBeGreaterThan(resumedAt - 50);
      expect(g.toMs - resumedAt).toBeLessThan(2_500);
    }
    const events = await listLessonEvents(srv.db, lesson.id);
    const pauseEvents = events.filter((e) => e.type.startsWith('recording:pause') || e.type.startsWith('recording:resume'));
    expect(pauseEvents.map((e) => e.type)).toEqual(['recording:pause', 'recording:resume']);
    expect(pauseEvents[0].actorId).toBe((await srv.user('teacher-wang')).id);
    for (const s of [teacher, classroom]) await s.close();
    observer.close();
  }, 60_000);

  it('records nothing from a classroom whose school has not consented, and says so', async () => {
    const schoolOf = async (classroomId: string) =>
      (await srv.db.query<{ school_id: string }>('select school_id from classrooms where id = $1', [classroomId]))[0].school_id;
    await srv.db.query('update schools set recording_consent = false where id = $1', [await schoolOf(srv.classrooms.shiqiao)]);
    try {
      const lesson = await srv.createLesson([srv.classrooms.qingshan, srv.classrooms.shiqiao]);
      const teacher = await source({ lessonId: lesson.id, as: 'teacher', audio: true });
      expect(teacher.snap.recording).toEqual({ state: 'off', reason: null, unrecordedClassroomIds: [srv.classrooms.shiqiao] });
      await teacher.client.ok('lesson:start', {});
      const shiqiao = await source({ lessonId: lesson.id, as: { classroomId: srv.classrooms.shiqiao }, audio: true, video: true });
      const qingshan = await source({ lessonId: lesson.id, as: { classroomId: srv.classrooms.qingshan }, audio: true });
      expect(shiqiao.snap.recording).toEqual({ state: 'recording', reason: null, unrecordedClassroomIds: [srv.classrooms.shiqiao] });
      // A closed segment on each recorded track: by then an unconsented one would have its track too.
      await waitFor(() => everyTrackClosed(srv.db, lesson.id, 2), 15_000, 'a closed segment on each track', 250);
      // Its media still reaches the lesson — it is only not recorded.
      const media = srv.live(lesson.id)!.currentMedia!;
      expect([...media.allProducers()].filter((p) => p.appData.classroomId === srv.classrooms.shiqiao)).toHaveLength(2);
      await endLesson(teacher.client, lesson.id);

      const tracks = await tracksOf(srv.db, lesson.id);
      expect(tracks.map((t) => `${t.owner}:${t.classroom_id ?? ''}:${t.source}`).sort()).toEqual(
        [`classroom:${srv.classrooms.qingshan}:mic`, 'teacher::mic'].sort(),
      );
      const rec = (await recordingOf(srv.db, lesson.id))!;
      expect(rec.status_message).toContain('本课堂不录制：学校未同意');
      expect(rec.status_message).toContain('石桥乡中心小学');
      const events = await listLessonEvents(srv.db, lesson.id);
      expect(events.find((e) => e.type === 'recording:consent')?.payload).toEqual({ unrecordedClassroomIds: [srv.classrooms.shiqiao] });
      for (const s of [teacher, shiqiao, qingshan]) await s.close();
    } finally {
      await srv.db.query('update schools set recording_consent = true');
    }
  }, 60_000);

  it('records nothing of the teacher when the hosting school has not consented (its class is filmed)', async () => {
    const host = (await srv.db.query<{ school_id: string }>('select school_id from classrooms where id = $1', [srv.classrooms.host]))[0].school_id;
    await srv.db.query('update schools set recording_consent = false where id = $1', [host]);
    try {
      const lesson = await srv.createLesson([srv.classrooms.qingshan]);
      const teacher = await source({ lessonId: lesson.id, as: 'teacher', audio: true, video: true });
      expect(teacher.snap.recording.unrecordedClassroomIds).toEqual([srv.classrooms.host]);
      await teacher.client.ok('lesson:start', {});
      const qingshan = await source({ lessonId: lesson.id, as: { classroomId: srv.classrooms.qingshan }, audio: true });
      await waitFor(() => everyTrackClosed(srv.db, lesson.id, 1), 15_000, 'a closed segment of the classroom track', 250);
      await endLesson(teacher.client, lesson.id);
      const tracks = await tracksOf(srv.db, lesson.id);
      expect(tracks.map((t) => `${t.owner}:${t.source}`)).toEqual(['classroom:mic']);
      for (const s of [teacher, qingshan]) await s.close();
    } finally {
      await srv.db.query('update schools set recording_consent = true');
    }
  }, 60_000);

  it('records nothing of a lesson whose recording is off', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    await srv.db.query('update lessons set recording = false where id = $1', [lesson.id]);
    const teacher = await source({ lessonId: lesson.id, as: 'teacher', audio: true });
    await teacher.client.ok('lesson:start', {});
    await holdsFor(
      async () => (await recordingOf(srv.db, lesson.id)) === null && srv.web.recordings.recordingOf(lesson.id) === undefined,
      1_500,
      'no recording',
    );
    expect(await teacher.client.errorCode('recording:resume', {})).toBe('CONFLICT');
    await teacher.client.ok('lesson:end', {});
    expect(await tracksOf(srv.db, lesson.id)).toEqual([]);
  }, 30_000);

  it('lets only the teacher pause or resume recording', async () => {
    const lesson = await srv.createLesson([srv.classrooms.qingshan]);
    const teacher = await srv.connect(await srv.cookieFor('teacher-wang'), 'teacher');
    await teacher.ok('lesson:join', { lessonId: lesson.id });
    // Not live yet: nothing to pause.
    expect(await teacher.errorCode('recording:pause', {})).toBe('CONFLICT');
    await teacher.ok('lesson:start', {});
    const projector = await srv.connect(await srv.deviceCookie(srv.classrooms.qingshan), 'projector');
    await projector.ok('lesson:join', { lessonId: lesson.id });
    const observer = await srv.connect(await srv.cookieFor('researcher-zhao'), 'observer');
    expect((await observer.ok('lesson:join', { lessonId: lesson.id })).self.lessonRole).toBe('observer');
    for (const c of [projector, observer]) {
      expect(await c.errorCode('recording:pause', {})).toBe('FORBIDDEN');
      expect(await c.errorCode('recording:resume', {})).toBe('FORBIDDEN');
    }
    // Bad payloads are refused at the edge.
    const bad = await (teacher.socket.timeout(5_000) as unknown as { emitWithAck(e: string, p: unknown): Promise<{ ok: boolean; error?: { code: string } }> }).emitWithAck('recording:pause', 'now');
    expect(bad.error?.code).toBe('BAD_REQUEST');
    expect((await recordingOf(srv.db, lesson.id))!.state).toBe('recording');
    await endLesson(teacher, lesson.id);
    for (const c of [teacher, projector, observer]) c.close();
  }, 30_000);
});
