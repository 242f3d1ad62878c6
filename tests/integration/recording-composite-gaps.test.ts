// The composite shows what was recorded: when the teacher's camera segment is corrupt (its
// track job fails, the segment is marked), the window is drawn from the inputs that exist — a
// classroom camera fills the frame — never black where a picture was recorded. Real Redis
// (BullMQ), real ffmpeg, the real database; the frame's pixels are read back with ffmpeg.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createQueues, startWorkers } from '../../workers/main.js';
import { RecordingProcessing } from '../../server/recordings/processing.js';
import { recPaths } from '../../workers/recording/paths.js';
import { startTestRedis } from '../helpers/redis.js';
import { seededDb, type Demo } from './api.helpers.js';
import { fixtureRecording, type FixtureTrack } from '../helpers/recordingFixtures.js';
import { waitFor } from '../helpers/liveServer.js';

const run = promisify(execFile);
let redis: Awaited<ReturnType<typeof startTestRedis>>;
let demo: Demo;
let dataDir: string;
beforeAll(async () => {
  [redis, demo] = await Promise.all([startTestRedis(), seededDb()]);
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-recgap-'));
}, 120_000);
afterAll(async () => {
  await redis?.stop();
  await demo?.db.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

/** Mean and spread of a frame's luma at `atS`, scaled down to 64×36 grey. */
async function luma(file: string, atS: number): Promise<{ mean: number; range: number }> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-ss', String(atS), '-i', file, '-frames:v', '1', '-vf', 'scale=64:36,format=gray', '-f', 'rawvideo', '-'], {
    encoding: 'buffer',
    maxBuffer: 1 << 20,
  });
  const px = [...(stdout as Buffer)];
  expect(px.length).toBe(64 * 36);
  return { mean: px.reduce((a, b) => a + b, 0) / px.length, range: Math.max(...px) - Math.min(...px) };
}

it('a window whose teacher-camera segment is corrupt still shows the classroom camera that was recorded', async () => {
  const prefix = `t-${randomUUID()}`;
  const workers = await startWorkers({ redisUrl: redis.url, dataDir, prefix });
  const queues = createQueues(redis.url, prefix);
  const processing = new RecordingProcessing({ db: demo.db, queues: queues.recording, connection: queues.connection, prefix, dataDir });
  await processing.start();
  try {
    const teacher = await demo.user('teacher-wang');
    const [{ id: lessonId }] = await demo.db.query<{ id: string }>(
      `insert into lessons (id, community_id, title, subject, grade, teacher_id, host_classroom_id, scheduled_at, duration_min, state, started_at, ended_at)
       select $1, community_id, '合成画面', '数学', 4, $2, $3, now(), 40, 'ended', now(), now() from users where id = $2 returning id`,
      [randomUUID(), teacher.id, await demo.classroomId('四年级(1)班')],
    );
    const qingshan = await demo.classroomId('四年级');
    const tracks: FixtureTrack[] = [
      { id: randomUUID(), kind: 'video', source: 'camera', owner: 'teacher', label: '王老师 摄像头' },
      { id: randomUUID(), kind: 'audio', source: 'mic', owner: 'teacher', label: '王老师 麦克风' },
      // Never on stage: before, it was drawn only as the on-stage inset.
      { id: randomUUID(), kind: 'video', source: 'camera', owner: 'classroom', classroomId: qingshan, label: '青山村小学 摄像头' },
    ];
    const rec = await fixtureRecording(demo.db, dataDir, { lessonId, tracks, segMs: 10_000 });
    await rec.closeSegment(tracks[0].id, 1, { corrupt: 'garbage' });
    await rec.closeSegment(tracks[1].id, 1);
    await rec.closeSegment(tracks[2].id, 1);
    await rec.stop(10_000);
    processing.onRecordingStopped({ lessonId });
    const pr = await waitFor(async () => {
      const x = await processing.progress(lessonId);
      return x?.compositeReady ? x : null;
    }, 180_000, 'the composite');
    expect(pr.failures.map((f) => [f.kind, f.trackId])).toContainEqual(['track', tracks[0].id]);
    const mp4 = path.join(dataDir, recPaths.compositeMp4(lessonId));
    // testsrc2 (the classroom's picture) is bright and varied; black is luma 16 everywhere.
    for (const at of [1, 5, 9]) {
      const y = await luma(mp4, at);
      expect(y.range, `frame at ${at} s`).toBeGreaterThan(60);
      expect(y.mean, `frame at ${at} s`).toBeGreaterThan(30);
    }
  } finally {
    await processing.close();
    await queues.close();
    await workers.close();
  }
}, 300_000);
