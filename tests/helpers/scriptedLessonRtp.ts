// Scripted lessons through the real product, sent as RTP: each room's rendered microphone
// (tests/helpers/lessonSynth.ts) is sent by an ffmpeg RTP source into a live lesson, starting at
// the room's own moment; the real recorder writes its Opus/WebM segments; the real worker
// process runs voice activity and attribution; the research API codes the lesson. Several
// lessons run at once on one server (audio only, the CPU they need is small), so three
// scripts of 3–5 minutes cost one lesson's wall time.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LessonAnalysis } from '../../server/contract/research.js';
import type { Span } from '../../server/contract/analysis/timeline.js';
import { listOutputs } from '../../server/recordings/processingRepo.js';
import { startLiveServer, waitFor, type LiveTestServer } from './liveServer.js';
import { startPipeline } from './overloadLesson.js';
import { startRtpSource, type RtpSource } from './rtpSource.js';
import { alignOffsetMs, recordedLevels } from './recordedAlignment.js';
import { writeWav } from './speech.js';
import type { ScoredTrackInput } from './scriptedLessonScore.js';

/** One room of a rendered lesson: its microphone from its start offset, and its own scripted speech. */
export interface RoomAudio {
  id: string;
  role: 'teacher' | 'classroom';
  /** Where this room's track starts on the script's clock. */
  startOffsetMs: number;
  pcm: Int16Array;
  /** The room's own speech on the script's clock. */
  truth: Span[];
}

/** A recorded track matched to its room, with the room's own speech on the lesson clock. */
export type ScriptedTrack = ScoredTrackInput;

export interface ScriptedLessonResult {
  lessonId: string;
  tracks: ScriptedTrack[];
  window: LessonAnalysis;
  point: LessonAnalysis;
}

export interface ScriptedLessonInput {
  name: string;
  rooms: RoomAudio[];
}

/** Runs the lessons at once; resolves when each has been attributed and analysed. */
export async function runScriptedLessonsRtp(
  lessons: ScriptedLessonInput[],
  opts: { intervalS?: 15 | 30 | 60; audioBitrate?: string; log?: (s: string) => void } = {},
): Promise<ScriptedLessonResult[]> {
  const log = opts.log ?? (() => undefined);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-scripted-'));
  const pipe = await startPipeline(dataDir);
  let srv: LiveTestServer | undefined;
  const sources: RtpSource[] = [];
  try {
    srv = await startLiveServer({ queues: pipe.queues, env: { TONGBU_DATA_DIR: dataDir } });
    const server = srv;
    return await Promise.all(lessons.map((l) => runOne(server, dataDir, l, sources, opts, log)));
  } finally {
    for (const s of sources) await s.close().catch(() => undefined);
    await srv?.close().catch(() => undefined);
    await pipe.close().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function runOne(
  srv: LiveTestServer,
  dataDir: string,
  input: ScriptedLessonInput,
  sources: RtpSource[],
  opts: { intervalS?: 15 | 30 | 60; audioBitrate?: string },
  log: (s: string) => void,
): Promise<ScriptedLessonResult> {
  const classroomRooms = input.rooms.filter((r) => r.role === 'classroom');
  const ids = [srv.classrooms.qingshan, srv.classrooms.shiqiao];
  if (classroomRooms.length > ids.length) throw new Error('at most two classrooms per scripted lesson');
  const classroomOf = new Map(classroomRooms.map((r, i) => [r.id, ids[i]]));
  const lesson = await srv.createLesson([...classroomOf.values()]);
  const wavDir = path.join(dataDir, 'wav', input.name);
  mkdirSync(wavDir, { recursive: true });
  const teacherClient = await srv.connect(await srv.cookieFor('teacher-wang'), `teacher ${input.name}`);
  await teacherClient.ok('lesson:join', { lessonId: lesson.id });
  await teacherClient.ok('lesson:start', {});
  const startedAt = Date.now();
  // Each room starts sending at its own moment of the lesson, as projectors join late.
  const started = await Promise.all(
    input.rooms.map(async (room) => {
      const file = path.join(wavDir, `${room.id}.wav`);
      writeWav(file, room.pcm);
      const wait = room.startOffsetMs - (Date.now() - startedAt);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const as = room.role === 'teacher' ? ('teacher' as const) : { classroomId: classroomOf.get(room.id)! };
      const s = await startRtpSource(srv, {
        lessonId: lesson.id,
        as,
        client: room.role === 'teacher' ? teacherClient : undefined,
        audio: { file, bitrate: room.role === 'classroom' ? opts.audioBitrate : undefined },
      });
      sources.push(s);
      return { room, source: s };
    }),
  );
  await Promise.all(started.map(({ source }) => new Promise<void>((resolve) => (source.audio!.ffmpeg.exitCode !== null ? resolve() : source.audio!.ffmpeg.once('exit', () => resolve())))));
  await teacherClient.ok('lesson:end', {});
  log(`${input.name}: lesson ended after ${((Date.now() - startedAt) / 1000).toFixed(0)} s; waiting for attribution`);
  await waitFor(
    async () => (await listOutputs(srv.db, lesson.id)).some((o) => o.kind === 'attribution' && o.state === 'done'),
    900_000,
    `${input.name}: attribution done`,
  );

  const trackRows = await srv.db.query<{ id: string; owner: string; classroom_id: string | null }>(
    "select id, owner, classroom_id from recording_tracks where lesson_id = $1 and kind = 'audio'",
    [lesson.id],
  );
  const tracks: ScriptedTrack[] = [];
  for (const t of trackRows) {
    const room = t.owner === 'teacher' ? input.rooms.find((r) => r.role === 'teacher')! : classroomRooms.find((r) => classroomOf.get(r.id) === t.classroom_id)!;
    const offsetMs = alignOffsetMs(room.pcm, await recordedLevels(srv.db, dataDir, lesson.id, t.id), 0, room.startOffsetMs + 20_000);
    tracks.push({
      trackId: t.id,
      roomId: room.id,
      speaker: t.owner as 'teacher' | 'classroom',
      classroomId: t.classroom_id,
      offsetMs,
      truth: room.truth.map(([a, b]) => [a - room.startOffsetMs + offsetMs, b - room.startOffsetMs + offsetMs] as Span),
    });
  }
  const cookie = await srv.cookieFor('researcher-zhao');
  const analysis = async (method: 'window' | 'point') => {
    const res = await fetch(`${srv.url}/api/research/lessons/${lesson.id}/analysis?interval=${opts.intervalS ?? 30}&method=${method}`, { headers: { cookie } });
    if (res.status !== 200) throw new Error(`analysis ${method}: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { analysis: LessonAnalysis }).analysis;
  };
  return { lessonId: lesson.id, tracks, window: await analysis('window'), point: await analysis('point') };
}
