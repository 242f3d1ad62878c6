// The synthetic lesson: a script says who speaks when; espeak-ng speech (over each room's own
// noise floor) is sent as RTP from the teacher and two rural classrooms into a live lesson, the
// real recorder writes Opus/WebM segments, the voice-activity detector runs on every segment
// (shifted onto the lesson clock and merged exactly as the processing pipeline does), and the
// research analysis codes the lesson. The automatic S-T coding must match the script's on
// ≥ 95% of samples and Rt, Ch must lie within 0.05 of the script's values.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { detectVoiceActivity } from '../../workers/analysis/vad.js';
import { mergeVoiceActivity } from '../../server/recordings/processingRepo.js';
import { listTracks } from '../../server/recordings/repo.js';
import { analyseSt } from '../../server/contract/analysis/st.js';
import type { SpeakerTimeline, Span } from '../../server/contract/analysis/timeline.js';
import { startLiveServer, type LiveTestServer } from '../helpers/liveServer.js';
import { startRtpSource, type RtpSource } from '../helpers/rtpSource.js';
import { renderTrack, writeWav } from '../helpers/speech.js';
import { abs, recordingOf, segmentsOf, tracksOf } from './recording.helpers.js';

const LESSON_MS = 180_000;
const INTERVAL = 15 as const;
// Who speaks when, on the script's clock (ms): 12 samples at 15 s, T T T S T T S S T T S T
// when the audio starts at the lesson's zero.
const SCRIPT = {
  teacher: [[0, 40_000], [60_000, 85_000], [120_000, 135_000], [140_000, 150_000], [165_000, 179_000]] as Span[],
  qingshan: [[40_000, 58_000], [135_000, 140_000]] as Span[],
  shiqiao: [[100_000, 118_000]] as Span[],
};

let srv: LiveTestServer;
const sources: RtpSource[] = [];
const wavDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-synth-'));

beforeAll(async () => {
  srv = await startLiveServer({});
}, 60_000);

afterAll(async () => {
  for (const s of sources) await s.close().catch(() => undefined);
  await srv?.close();
  rmSync(wavDir, { recursive: true, force: true });
});

it('recorded synthetic lesson: automatic S-T coding matches the script', async () => {
  const { qingshan, shiqiao } = srv.classrooms;
  const lesson = await srv.createLesson([qingshan, shiqiao]);
  const wav = (name: string, speech: Span[], noiseDb: number, seed: number, offset: number) => {
    const file = path.join(wavDir, `${name}.wav`);
    writeWav(file, renderTrack({ durationMs: LESSON_MS, speech, noiseDb, seed, speechOffsetMs: offset }));
    return file;
  };
  const files = {
    teacher: wav('teacher', SCRIPT.teacher, -58, 1, 0),
    qingshan: wav('qingshan', SCRIPT.qingshan, -40, 2, 9_000), // a noisy rural room
    shiqiao: wav('shiqiao', SCRIPT.shiqiao, -46, 3, 17_000),
  };

  const teacherClient = await srv.connect(await srv.cookieFor('teacher-wang'), 'teacher');
  await teacherClient.ok('lesson:join', { lessonId: lesson.id });
  await teacherClient.ok('lesson:start', {});
  const started = await Promise.all([
    startRtpSource(srv, { lessonId: lesson.id, as: 'teacher', client: teacherClient, audio: { file: files.teacher } }),
    startRtpSource(srv, { lessonId: lesson.id, as: { classroomId: qingshan }, audio: { file: files.qingshan } }),
    startRtpSource(srv, { lessonId: lesson.id, as: { classroomId: shiqiao }, audio: { file: files.shiqiao } }),
  ]);
  sources.push(...started);
  await Promise.all(started.map((s) => new Promise<void>((resolve) => (s.audio!.ffmpeg.exitCode !== null ? resolve() : s.audio!.ffmpeg.once('exit', () => resolve())))));
  const stopped = new Promise<void>((resolve) =>
    srv.web.recordings.on('recordingStopped', (e) => {
      if (e.lessonId === lesson.id) resolve();
    }),
  );
  await teacherClient.ok('lesson:end', {});
  await stopped;

  // Voice activity per closed audio segment, onto the lesson clock, merged per track.
  const dataDir = (srv.web.recordings as unknown as { o: { dataDir: string } }).o.dataDir;
  const audio = (await tracksOf(srv.db, lesson.id)).filter((t) => t.kind === 'audio');
  expect(audio.map((t) => t.owner).sort()).toEqual(['classroom', 'classroom', 'teacher']);
  const recTracks = await listTracks(srv.db, lesson.id);
  for (const t of audio) {
    for (const seg of await segmentsOf(srv.db, t.id)) {
      if (seg.state !== 'closed') continue;
      const found = await detectVoiceActivity(abs(dataDir, seg.path));
      await mergeVoiceActivity(srv.db, recTracks.find((r) => r.id === t.id)!, found.map(([a, b]) => [a + seg.start_ms, b + seg.start_ms]));
    }
  }

  // The script's truth on the lesson clock: each track's script shifted by where its audio began.
  const truth: SpeakerTimeline[] = audio.map((t) => {
    const spans = t.owner === 'teacher' ? SCRIPT.teacher : t.classroom_id === qingshan ? SCRIPT.qingshan : SCRIPT.shiqiao;
    return {
      trackId: t.id,
      speaker: t.owner as 'teacher' | 'classroom',
      classroomId: t.classroom_id,
      segments: spans.map(([a, b]) => [a + t.start_ms, b + t.start_ms] as Span),
    };
  });
  const rec = (await recordingOf(srv.db, lesson.id))!;
  const res = await fetch(`${srv.url}/api/research/lessons/${lesson.id}/analysis?interval=${INTERVAL}`, {
    headers: { cookie: await srv.cookieFor('researcher-zhao') },
  });
  expect(res.status).toBe(200);
  const { analysis } = (await res.json()) as { analysis: { durationMs: number; st: ReturnType<typeof analyseSt> } };
  expect(Math.abs(analysis.durationMs - (new Date(String(rec.ended_at)).getTime() - rec.clockZeroMs))).toBeLessThan(1_000);
  const expected = analyseSt(truth, analysis.durationMs, INTERVAL);
  const got = analysis.st;
  const detail = `auto ${got.samples.map((s) => s.auto).join('')} script ${expected.samples.map((s) => s.auto).join('')}`;
  expect(got.samples.length).toBe(expected.samples.length);
  expect(got.samples.length).toBeGreaterThanOrEqual(12);
  const agree = got.samples.filter((s, i) => s.auto === expected.samples[i].auto).length / got.samples.length;
  console.info(`synthetic lesson: ${got.samples.length} samples, agreement ${(agree * 100).toFixed(1)}%, Rt ${got.auto.rt.toFixed(3)} vs ${expected.auto.rt.toFixed(3)}, Ch ${got.auto.ch.toFixed(3)} vs ${expected.auto.ch.toFixed(3)}; ${detail}`);
  expect(agree, detail).toBeGreaterThanOrEqual(0.95);
  expect(Math.abs(got.auto.rt - expected.auto.rt), detail).toBeLessThanOrEqual(0.05);
  expect(Math.abs(got.auto.ch - expected.auto.ch), detail).toBeLessThanOrEqual(0.05);
  // The script really is a mixed lesson (both codes, several switches), not something trivial.
  // (Exact codes depend on where each track's audio began on the lesson clock, ~1–3 s.)
  expect(expected.auto.rt, detail).toBeGreaterThan(0.4);
  expect(expected.auto.rt, detail).toBeLessThan(0.9);
  expect(expected.auto.ch, detail).toBeGreaterThanOrEqual(0.3);
}, 300_000);
