// Benchmark: recording pipeline — a synthetic 10-minute lesson (teacher camera 1280×720, teacher
// mic, one classroom camera 640×360 on stage for a while, classroom mic; 4 s WebM segments as
// the recorder writes them) is fed to the real processing — BullMQ on a real Redis, the real
// workers and ffmpeg, the real database — segment by segment as the lesson runs (at PACE× real
// time, so the benchmark stays short; a pace above 1 only makes the tail longer, never shorter).
// Measures: lesson end → research playback available and → composite MP4 ready; the composite's
// processing core-seconds per lesson second (ffmpeg's own user+system time of every window and
// the concatenation); extrapolates the tail to 45 minutes from its fixed part and the part that
// grows with the length (the concatenation).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { openDb } from '../../server/db/db.js';
import { seedDemo } from '../../server/community/seed.js';
import { RecordingProcessing } from '../../server/recordings/processing.js';
import { listOutputs } from '../../server/recordings/processingRepo.js';
import { startWorkers } from '../../workers/main.js';
import { createQueues } from '../../server/jobs/queues.js';
import { startEmbeddedRedis } from '../../server/services/redisServer.js';
import { makeSegment } from '../helpers/recordingFixtures.js';
import { updateDocRow, writeResult, LOAD_AT_START } from './lib.js';

const LESSON_S = Number(process.env.BENCH_LESSON_S ?? 600);
const SEG_S = 4;
const PACE = Number(process.env.BENCH_PACE ?? 3);

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-bench-rec-'));
  const redis = await startEmbeddedRedis(dataDir);
  const db = await openDb({});
  await seedDemo(db, { password: 'bench-password-1' });
  const [{ id: teacherId, community_id: communityId }] = await db.query<{ id: string; community_id: string }>(`select id, community_id from users where username = 'teacher-wang'`);
  const [{ id: hostRoom }] = await db.query<{ id: string }>(`select id from classrooms where name = '四年级(1)班'`);
  const [{ id: ruralRoom }] = await db.query<{ id: string }>(`select id from classrooms where name = '四年级'`);
  const lessonId = randomUUID();
  await db.query(
    `insert into lessons (id, community_id, title, subject, grade, teacher_id, host_classroom_id, scheduled_at, duration_min, state, started_at)
     values ($1, $2, 'bench', '数学', 4, $3, $4, now(), 45, 'live', now())`,
    [lessonId, communityId, teacherId, hostRoom],
  );
  await db.query('insert into lesson_classrooms values ($1, $2)', [lessonId, ruralRoom]);
  const clockZero = new Date();
  await db.query(`insert into recordings (lesson_id, state, clock_zero) values ($1, 'recording', $2)`, [lessonId, clockZero.toISOString()]);
  const tracks = [
    { id: randomUUID(), kind: 'video', source: 'camera', owner: 'teacher', classroomId: null, size: '1280x720', pattern: 'testsrc2' },
    { id: randomUUID(), kind: 'audio', source: 'mic', owner: 'teacher', classroomId: null },
    { id: randomUUID(), kind: 'video', source: 'camera', owner: 'classroom', classroomId: ruralRoom, size: '640x360', pattern: 'testsrc' },
    { id: randomUUID(), kind: 'audio', source: 'mic', owner: 'classroom', classroomId: ruralRoom },
  ] as const;
  for (const t of tracks) {
    await db.query(
      `insert into recording_tracks (id, lesson_id, kind, source, owner, classroom_id, label, codec, start_ms) values ($1, $2, $3, $4, $5, $6, $7, $8, 0)`,
      [t.id, lessonId, t.kind, t.source, t.owner, t.classroomId, `${t.owner} ${t.source}`, t.kind === 'video' ? 'VP8' : 'opus'],
    );
  }
  // The classroom is on stage for the middle third (its camera is in the composite then).
  for (const [atS, type, classroomId] of [[LESSON_S / 3, 'stage:on', ruralRoom], [(2 * LESSON_S) / 3, 'stage:off', null]] as const) {
    await db.query('insert into lesson_events (lesson_id, at, type, payload) values ($1, $2, $3, $4::jsonb)', [
      lessonId, new Date(clockZero.getTime() + atS * 1000).toISOString(), type, JSON.stringify({ classroomId }),
    ]);
  }
  // One 4 s segment per kind of track, made once (not timed); every recorded segment is a copy.
  const templates = new Map<string, string>();
  for (const t of tracks) {
    const file = path.join(dataDir, 'templates', `${t.id}.webm`);
    await makeSegment(file, t.kind, SEG_S, 'size' in t ? { size: t.size, pattern: t.pattern } : { voice: t.owner === 'teacher' ? 'cmn' : 'en-us' });
    templates.set(t.id, file);
  }

  const prefix = `bench-${randomUUID()}`;
  const workers = await startWorkers({ redisUrl: redis.url, dataDir, prefix });
  const queues = createQueues(redis.url, prefix);
  const processing = new RecordingProcessing({ db, queues: queues.recording, connection: queues.connection, prefix, dataDir });
  await processing.start();

  const segments = Math.ceil(LESSON_S / SEG_S);
  const t0 = Date.now();
  console.log(`lesson of ${LESSON_S} s fed at ${PACE}× real time: ${segments} segments per track`);
  for (let seq = 1; seq <= segments; seq++) {
    const due = t0 + (seq * SEG_S * 1000) / PACE;
    await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    for (const t of tracks) {
      const file = path.join(dataDir, 'recordings', lessonId, 'tracks', t.id, `seg-${String(seq).padStart(5, '0')}.webm`);
      mkdirSync(path.dirname(file), { recursive: true });
      copyFileSync(templates.get(t.id)!, file);
      const start = (seq - 1) * SEG_S * 1000;
      await db.query(`insert into recording_segments values ($1, $2, $3, $4, $5, 0, 'closed')`, [t.id, seq, file, start, Math.min(start + SEG_S * 1000, LESSON_S * 1000)]);
      processing.onSegmentClosed({ lessonId, trackId: t.id, seq });
    }
    if (seq % 15 === 0) {
      const outs = await listOutputs(db, lessonId);
      const behind = outs.filter((o) => o.state !== 'done' && o.state !== 'failed').length;
      console.log(`  t=${seq * SEG_S} s (lesson clock): ${behind} jobs waiting or running`);
    }
  }
  await db.query(`update recordings set state = 'stopped', ended_at = $2 where lesson_id = $1`, [lessonId, new Date(clockZero.getTime() + LESSON_S * 1000).toISOString()]);
  await db.query('update recording_tracks set end_ms = $2 where lesson_id = $1', [lessonId, LESSON_S * 1000]);
  const tEnd = Date.now();
  processing.onRecordingStopped({ lessonId });

  let playbackAt = 0;
  let compositeAt = 0;
  while (!compositeAt) {
    const p = (await processing.progress(lessonId))!;
    if (p.playbackReady && !playbackAt) playbackAt = Date.now();
    if (p.compositeReady) compositeAt = Date.now();
    if (p.failures.length) throw new Error(`processing failed: ${JSON.stringify(p.failures)}`);
    if (Date.now() - tEnd > 30 * 60_000) throw new Error('composite not ready after 30 min');
    await new Promise((r) => setTimeout(r, 200));
  }
  const outs = await listOutputs(db, lessonId);
  const cpu = (kind: string) => outs.filter((o) => o.kind === kind).reduce((n, o) => n + Number(o.meta.cpuS ?? 0), 0);
  const windowCpu = cpu('window');
  const concat = outs.find((o) => o.kind === 'composite')!;
  const playbackReadyS = (playbackAt - tEnd) / 1000;
  const compositeS = (compositeAt - tEnd) / 1000;
  // The tail: the last window (fixed size) + the concatenation (grows with the length, copy only).
  const concatJob = await queues.recording.composite.getJob(concat.key);
  const concatWallS = ((concatJob?.finishedOn ?? 0) - (concatJob?.processedOn ?? 0)) / 1000;
  const fixedS = Math.max(0, compositeS - concatWallS);
  const composite45S = fixedS + concatWallS * (2700 / LESSON_S);
  const result = {
    lesson_s: LESSON_S,
    pace: PACE,
    segment_s: SEG_S,
    playback_ready_s: round(playbackReadyS),
    composite_ready_s: round(compositeS),
    composite_ratio: round(compositeS / LESSON_S, 4),
    processing_core_s_per_lesson_s: round((windowCpu + Number(concat.meta.cpuS ?? 0)) / LESSON_S, 4),
    extrapolated_45min: { playback_ready_s: round(playbackReadyS), composite_ready_s: round(composite45S), composite_ratio: round(composite45S / 2700, 4) },
    track_core_s_per_lesson_s: round(cpu('track') / LESSON_S, 4),
    concat_wall_s: round(concatWallS, 2),
    note: `${PACE}× real-time feed (upper bound on the tail); synthetic test-pattern video`,
  };
  const { playback_ready_s, composite_ratio, processing_core_s_per_lesson_s, ...detail } = result;
  writeResult('recording-pipeline', {
    metrics: {
      playback_ready_s: { value: playback_ready_s, unit: 's', target: '<= 60', met: playback_ready_s <= 60 },
      composite_ratio: { value: composite_ratio, target: '<= 0.25', met: composite_ratio <= 0.25 },
      processing_core_s_per_lesson_s: { value: processing_core_s_per_lesson_s, unit: 'core-s per lesson s', target: '<= 0.25', met: processing_core_s_per_lesson_s <= 0.25 },
    },
    detail,
  });
  const meets = result.playback_ready_s <= 60 && result.composite_ratio <= 0.25 && result.processing_core_s_per_lesson_s <= 0.25;
  updateDocRow({
    benchmark: 'recording-pipeline',
    figures:
      `${LESSON_S / 60}-min lesson: playback **${result.playback_ready_s} s** after the end, composite MP4 **${result.composite_ready_s} s** (ratio **${result.composite_ratio}**; 45 min extrapolated ${result.extrapolated_45min.composite_ready_s} s = ${result.extrapolated_45min.composite_ratio}), ` +
      `composite **${result.processing_core_s_per_lesson_s}** core-s per lesson s (per-track playback ${result.track_core_s_per_lesson_s}) — ${meets ? 'meets target' : 'MISSES target'} (fed at ${PACE}× real time; load ${LOAD_AT_START} at start)`,
    target: 'playback ≤ 60 s after the end; composite ≤ 0.25× lesson length; ≤ 0.25 core-s per lesson s',
  });
  console.log(JSON.stringify(result, null, 2));

  await processing.close();
  await queues.close();
  await workers.close();
  await db.close();
  await redis.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

const round = (n: number, d = 1) => Math.round(n * 10 ** d) / 10 ** d;

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
