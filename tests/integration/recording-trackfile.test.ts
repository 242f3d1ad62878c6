// Research playback that does not wait for transcoding: after the end each track's recorded
// segments are joined, copied, into one WebM (real ffmpeg, BullMQ on real Redis, the real
// database). The join goes before the backlog of per-segment transcodes, keeps a gap on the
// track's timeline, leaves an unreadable segment out, and playback is ready while transcodes
// are still queued — as on a saturated school server whose transcodes fell behind.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createQueues, startWorkers } from '../../workers/main.js';
import { RecordingProcessing } from '../../server/recordings/processing.js';
import { keys } from '../../server/recordings/planner.js';
import { trackPlaylist } from '../../server/recordings/playlists.js';
import { listOutputs, listSegments } from '../../server/recordings/processingRepo.js';
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
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-trackfile-'));
});
afterAll(async () => {
  await redis?.stop();
  await demo?.db.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function newLesson(): Promise<string> {
  const teacher = await demo.user('teacher-wang');
  const rows = await demo.db.query<{ id: string }>(
    `insert into lessons (id, community_id, title, subject, grade, teacher_id, host_classroom_id, scheduled_at, duration_min, state, started_at, ended_at)
     select $1, community_id, '回放测试', '数学', 4, $2, $3, now(), 40, 'ended', now(), now() from users where id = $2 returning id`,
    [randomUUID(), teacher.id, await demo.classroomId('四年级(1)班')],
  );
  return rows[0].id;
}

/** Packet times of a file's first stream (seconds). */
async function packetTimes(file: string): Promise<number[]> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', '0', '-show_entries', 'packet=pts_time', '-of', 'csv=p=0', file], { maxBuffer: 16 << 20 });
  // ffprobe prints a packet's side data (Opus pre-skip at each part's start) as an extra line.
  return stdout.split('\n').filter((l) => l.trim() !== '' && l !== 'N/A').map((l) => Number.parseFloat(l)).filter(Number.isFinite);
}

/** Real workers, queues and the web side's processing on a fresh queue prefix, closed after `fn`. */
async function withPipeline(fn: (p: { processing: RecordingProcessing; queues: ReturnType<typeof createQueues> }) => Promise<void>): Promise<void> {
  const prefix = `t-${randomUUID()}`;
  const workers = await startWorkers({ redisUrl: redis.url, dataDir, prefix });
  const queues = createQueues(redis.url, prefix);
  const processing = new RecordingProcessing({ db: demo.db, queues: queues.recording, connection: queues.connection, prefix, dataDir });
  await processing.start();
  try {
    await fn({ processing, queues });
  } finally {
    await processing.close();
    await queues.close();
    await workers.close();
  }
}

it('joins every track into one WebM before the transcode backlog, gaps kept and unreadable segments left out', () =>
  withPipeline(async ({ processing, queues }) => {
    const lessonId = await newLesson();
    const cam: FixtureTrack = { id: randomUUID(), kind: 'video', source: 'camera', owner: 'teacher', label: '王老师 摄像头' };
    const mic: FixtureTrack = { id: randomUUID(), kind: 'audio', source: 'mic', owner: 'teacher', label: '王老师 麦克风' };
    const rec = await fixtureRecording(demo.db, dataDir, { lessonId, tracks: [cam, mic], segMs: 2000 });
    // 24 s: the camera's segment 4 is garbage (unreadable), segments 7–8 were never recorded (the
    // source went away for 4 s); the microphone is whole. Nothing was transcoded during the
    // lesson (the machine was too busy), so all of it waits when the lesson ends.
    for (let seq = 1; seq <= 12; seq++) {
      if (seq !== 7 && seq !== 8) await rec.closeSegment(cam.id, seq, seq === 4 ? { corrupt: 'garbage' } : {});
      await rec.closeSegment(mic.id, seq);
    }
    await rec.stop(24_000);
    processing.onRecordingStopped({ lessonId });

    const ready = await waitFor(async () => {
      const pr = await processing.progress(lessonId);
      return pr?.playbackReady ? pr : null;
    }, 60_000, 'research playback');
    // Ready while most of the transcodes are still to do: it waited for none of them.
    expect(ready.segments.done).toBeLessThan(ready.segments.total / 2);

    const outs = await listOutputs(demo.db, lessonId);
    const files = outs.filter((o) => o.kind === 'trackFile');
    expect(files.map((o) => [o.trackId, o.state]).sort()).toEqual([[cam.id, 'done'], [mic.id, 'done']].sort());
    expect(files.find((o) => o.trackId === cam.id)?.meta).toMatchObject({ skipped: 1 });

    // The joins ran before the backlog: at most the two transcodes already running went first.
    const jobs = await Promise.all(outs.filter((o) => o.kind === 'track' || o.kind === 'trackFile').map((o) => queues.recording.track.getJob(o.key)));
    const firstJoin = Math.min(...jobs.filter((j) => j?.name === 'trackFile').map((j) => j!.processedOn ?? Infinity));
    const before = jobs.filter((j) => j?.name === 'track' && (j.processedOn ?? Infinity) < firstJoin);
    expect(before.length).toBeLessThanOrEqual(4);

    // The camera: copied VP8, the picture up to 6 s, nothing 6–8 s (garbage), then 8–12 s, a gap
    // 12–16 s (never recorded), then 16–24 s; on the track's timeline.
    const camFile = path.join(dataDir, recPaths.trackFile(lessonId, cam.id));
    const { stdout: codec } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', camFile]);
    expect(codec.trim()).toBe('vp8');
    const t = await packetTimes(camFile);
    const holes = t.slice(1).map((x, i) => [t[i], x]).filter(([a, b]) => b - a > 1);
    expect(holes.length).toBe(2);
    expect(holes[0][0]).toBeGreaterThan(5.5);
    expect(holes[0][1]).toBeCloseTo(8, 0);
    expect(holes[1][0]).toBeGreaterThan(11.5);
    expect(holes[1][1]).toBeCloseTo(16, 0);
    expect(t.at(-1)!).toBeGreaterThan(23.5);
    // The microphone: Opus, 24 s without a hole.
    const micFile = path.join(dataDir, recPaths.trackFile(lessonId, mic.id));
    const m = await packetTimes(micFile);
    expect(m.at(-1)!).toBeGreaterThan(23.5);
    expect(Math.max(...m.slice(1).map((x, i) => x - m[i]))).toBeLessThan(0.1);

    // The rest still finishes: every segment transcoded (the garbage one failed for good).
    await waitFor(async () => {
      const pr = await processing.progress(lessonId);
      return pr && pr.segments.done === pr.segments.total ? pr : null;
    }, 120_000, 'the transcodes');
    expect((await listOutputs(demo.db, lessonId)).find((o) => o.key === keys.track(cam.id, 4))?.state).toBe('failed');
  }), 240_000);

it("plays a camera that sends 4 frames a second to each segment's end: no gap after every segment", () =>
  withPipeline(async ({ processing, queues }) => {
    const lessonId = await newLesson();
    const cam: FixtureTrack = { id: randomUUID(), kind: 'video', source: 'camera', owner: 'teacher', label: '王老师 摄像头' };
    const rec = await fixtureRecording(demo.db, dataDir, { lessonId, tracks: [cam], segMs: 4000 });
    // A browser on a busy machine: 4 frames a second, so each segment's last frame starts 0.25 s before its end.
    for (const seq of [1, 2, 3]) {
      await rec.closeSegment(cam.id, seq, { rate: 4 });
      processing.onSegmentClosed({ lessonId, trackId: cam.id, seq });
    }
    const outs = await waitFor(async () => {
      const o = (await listOutputs(demo.db, lessonId)).filter((x) => x.kind === 'track');
      return o.length === 3 && o.every((x) => x.state === 'done') ? o : null;
    }, 60_000, 'three transcoded segments');
    for (const o of outs) expect(Number(o.meta.durationS)).toBeCloseTo(4, 1);
    const playlist = trackPlaylist(0, (await listSegments(demo.db, lessonId)).filter((g) => g.trackId === cam.id), new Map(outs.map((o) => [o.seq!, o])), false);
    expect(playlist).not.toContain('#EXT-X-GAP');
  }), 120_000);
