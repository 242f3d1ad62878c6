// The recording processors on real Redis (BullMQ), real ffmpeg and the real database: a 30 s
// lesson is processed segment by segment while it "runs", then finished after it stops; a
// corrupt segment fails clearly after its retries while everything else still plays;
// cancellation kills ffmpeg.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import { QueueEvents } from 'bullmq';
import { expect, it } from 'vitest';
import { bullConnection } from '../../server/contract/jobs.js';
import { keys } from '../../server/recordings/planner.js';
import { listOutputs } from '../../server/recordings/processingRepo.js';
import { recPaths } from '../../server/contract/recordingPaths.js';
import { cancelChannel } from '../../server/contract/recordingJobs.js';
import { newLesson, pipelineEnv, startPipeline } from '../helpers/recordingPipeline.js';
import { fixtureRecording, makeSegment, type FixtureTrack } from '../helpers/recordingFixtures.js';
import { waitFor } from '../helpers/liveServer.js';
import { Redis } from 'ioredis';

const run = promisify(execFile);
const env = pipelineEnv('rec');

async function duration(file: string): Promise<number> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file]);
  return Number.parseFloat(stdout);
}

it('processes a 30 s lesson segment by segment while it runs and finishes after the end', async () => {
  const p = await startPipeline(env);
  try {
    const lessonId = await newLesson(env, '录制测试', { withClassroom: true });
    const qingshan = await env.demo.classroomId('四年级');
    const tracks: FixtureTrack[] = [
      { id: randomUUID(), kind: 'video', source: 'camera', owner: 'teacher', label: '王老师 摄像头' },
      { id: randomUUID(), kind: 'audio', source: 'mic', owner: 'teacher', label: '王老师 麦克风' },
      { id: randomUUID(), kind: 'video', source: 'camera', owner: 'classroom', classroomId: qingshan, label: '青山村小学 摄像头' },
      { id: randomUUID(), kind: 'audio', source: 'mic', owner: 'classroom', classroomId: qingshan, label: '青山村小学 麦克风' },
    ];
    const rec = await fixtureRecording(env.demo.db, env.dataDir, { lessonId, tracks, segMs: 10_000 });
    await rec.event(0, 'lesson:start');
    await rec.event(5_000, 'stage:on', { classroomId: qingshan });
    await rec.event(15_000, 'stage:off', { classroomId: null });

    // During the lesson: every closed segment is processed at once.
    for (const t of tracks) await rec.closeSegment(t.id, 1);
    for (const t of tracks) p.processing.onSegmentClosed({ lessonId, trackId: t.id, seq: 1 });
    await waitFor(async () => (await listOutputs(env.demo.db, lessonId)).filter((o) => o.kind === 'track' && o.state === 'done').length === 4, 60_000, 'first segments');
    expect((await listOutputs(env.demo.db, lessonId)).some((o) => o.kind === 'window')).toBe(false); // 10 s < one 30 s window
    for (const seq of [2, 3]) {
      for (const t of tracks) await rec.closeSegment(t.id, seq);
      for (const t of tracks) p.processing.onSegmentClosed({ lessonId, trackId: t.id, seq });
    }
    // The first composite window is rendered before the lesson ends.
    await waitFor(async () => (await listOutputs(env.demo.db, lessonId)).find((o) => o.key === keys.window(lessonId, 0))?.state === 'done', 90_000, 'window 0');

    await rec.stop(30_000);
    p.processing.onRecordingStopped({ lessonId });
    const done = await waitFor(async () => {
      const pr = await p.processing.progress(lessonId);
      const outs = await listOutputs(env.demo.db, lessonId);
      return pr?.compositeReady && pr.playbackReady && outs.every((o) => o.state === 'done') && outs.some((o) => o.kind === 'peaks') && outs.some((o) => o.kind === 'thumbnails') && outs.some((o) => o.kind === 'attribution') ? pr : null;
    }, 120_000, 'composite, thumbnails, peaks and attribution');
    expect(done.percent).toBe(100);
    expect(done.failures).toEqual([]);

    // Every track plays 30 s; its playlist is complete.
    const outs = await listOutputs(env.demo.db, lessonId);
    for (const t of tracks) {
      const files = [1, 2, 3].map((seq) => path.join(env.dataDir, recPaths.trackChunk(lessonId, t.id, seq)));
      const joined = path.join(env.dataDir, `${t.id}.ts`);
      await run('ffmpeg', ['-v', 'error', '-y', '-i', `concat:${files.join('|')}`, '-c', 'copy', joined]);
      expect(Math.abs((await duration(joined)) - 30)).toBeLessThan(1);
    }
    expect(Math.abs((await duration(path.join(env.dataDir, recPaths.compositeMp4(lessonId)))) - 30)).toBeLessThan(0.5);
    const { stdout: streams } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', path.join(env.dataDir, recPaths.compositeMp4(lessonId))]);
    expect(streams.trim().split('\n').sort()).toEqual(['aac', 'h264']);
    const thumbs = outs.find((o) => o.kind === 'thumbnails')!;
    expect(thumbs.meta).toMatchObject({ count: 3, columns: 3, rows: 1 });
    const { stdout: size } = await run('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path.join(env.dataDir, recPaths.thumbnails(lessonId))]);
    expect(size.trim()).toBe('480,90');
    const peaks = JSON.parse(readFileSync(path.join(env.dataDir, recPaths.peaks(lessonId)), 'utf8')) as { peaks: number[] };
    expect(Math.abs(peaks.peaks.length - 300)).toBeLessThan(5);
    expect(Math.max(...peaks.peaks)).toBeGreaterThan(0.12); // the voices are in the mix
    expect(Math.min(...peaks.peaks.slice(5, 290))).toBeLessThan(0.05); // and their pauses too

    // Voice activity per microphone, on the lesson clock: speech for 2 s of every 3 s.
    const vad = await env.demo.db.query<{ track_id: string; speaker: string; segments: [number, number][] }>('select track_id, speaker, segments from voice_activity where lesson_id = $1', [lessonId]);
    expect(vad.map((v) => v.speaker).sort()).toEqual(['classroom', 'teacher']);
    for (const v of vad) {
      const segs = typeof v.segments === 'string' ? JSON.parse(v.segments) : v.segments;
      expect(segs.length).toBeGreaterThanOrEqual(5);
      const spoken = segs.reduce((n: number, [a, b]: [number, number]) => n + b - a, 0);
      expect(spoken).toBeGreaterThan(8_000);
      expect(spoken).toBeLessThan(24_000);
      expect(segs.some(([a]: [number, number]) => a >= 20_000)).toBe(true); // third segment shifted onto the clock
    }
    // Attribution ran once all voice activity was in: every track has its attributed speech,
    // inside its raw voice activity (attribution only removes).
    const attributed = await env.demo.db.query<{ segments: unknown; attributed: unknown }>('select segments, attributed from voice_activity where lesson_id = $1', [lessonId]);
    const js = (x: unknown) => (typeof x === 'string' ? JSON.parse(x) : x) as [number, number][];
    for (const v of attributed) {
      expect(v.attributed).not.toBeNull();
      const raw = js(v.segments);
      for (const [a, b] of js(v.attributed)) expect(raw.some(([x, y]) => x <= a && b <= y)).toBe(true);
    }
    // Progress was pushed while it ran, ending at 100 %.
    expect(p.pushed.length).toBeGreaterThan(2);
    expect(p.pushed.at(-1)!.percent).toBe(100);
  } finally {
    await p.close();
  }
}, 300_000);

it('fails a corrupt segment clearly after its retries, marks it, and processes everything else', async () => {
  const p = await startPipeline(env);
  try {
    const lessonId = await newLesson(env, '录制测试', { withClassroom: true });
    const tracks: FixtureTrack[] = [
      { id: randomUUID(), kind: 'video', source: 'camera', owner: 'teacher', label: 'teacher camera' },
      { id: randomUUID(), kind: 'audio', source: 'mic', owner: 'teacher', label: 'teacher mic' },
    ];
    const rec = await fixtureRecording(env.demo.db, env.dataDir, { lessonId, tracks, segMs: 5_000 });
    await rec.closeSegment(tracks[0].id, 1);
    await rec.closeSegment(tracks[0].id, 2, { corrupt: 'truncate' });
    await rec.closeSegment(tracks[1].id, 1);
    await rec.closeSegment(tracks[1].id, 2, { corrupt: 'garbage' });
    await rec.stop(10_000);
    p.processing.onRecordingStopped({ lessonId });
    const pr = await waitFor(async () => {
      const x = await p.processing.progress(lessonId);
      // Analysis runs last (its own niced queue): its failure may follow the composite.
      return x?.compositeReady && x.failures.filter((f) => f.kind === 'track').length === 2 && x.failures.some((f) => f.kind === 'vad') ? x : null;
    }, 120_000, 'two failures, the analysis failure and a composite');
    const byTrack = new Map(pr.failures.filter((f) => f.kind === 'track').map((f) => [f.trackId, f]));
    // The detector cannot read the garbage either; it says so for that segment only.
    expect(pr.failures.filter((f) => f.kind === 'vad').map((f) => f.seq)).toEqual([2]);
    expect(byTrack.get(tracks[0].id)).toMatchObject({ kind: 'track', seq: 2, attempts: 3 });
    expect(byTrack.get(tracks[0].id)!.error).toMatch(/segment 2 (is )?(truncated or corrupt|unreadable)/);
    expect(byTrack.get(tracks[1].id)!.error).toMatch(/segment 2 is unreadable.*Invalid data/);
    // What users see names the cause, not the server's paths or ids.
    for (const f of pr.failures) expect(f.error).not.toMatch(new RegExp(`${env.dataDir}|${tracks[0].id}|${tracks[1].id}|${lessonId}`));
    const states = await env.demo.db.query<{ seq: number; state: string }>('select seq, state from recording_segments where track_id = $1 order by seq', [tracks[0].id]);
    expect(states.map((s) => s.state)).toEqual(['closed', 'corrupt']);
    // The good segments play; the composite covers the whole lesson without the bad ones.
    expect(existsSync(path.join(env.dataDir, recPaths.trackChunk(lessonId, tracks[0].id, 1)))).toBe(true);
    expect(Math.abs((await duration(path.join(env.dataDir, recPaths.compositeMp4(lessonId)))) - 10)).toBeLessThan(0.5);
    expect(pr.playbackReady).toBe(true);

    // Retry queues it again (it fails again: the file is still bad).
    const before = Date.now();
    await p.processing.retry(lessonId, byTrack.get(tracks[0].id)!.key);
    const again = await waitFor(async () => {
      const o = (await listOutputs(env.demo.db, lessonId)).find((x) => x.key === byTrack.get(tracks[0].id)!.key);
      return o?.state === 'failed' ? o : null;
    }, 60_000, 'retried job to fail again');
    expect(Date.now() - before).toBeGreaterThan(3000); // it really ran its retries with backoff
    expect(again.error).toMatch(/truncated or corrupt|unreadable/);
  } finally {
    await p.close();
  }
}, 300_000);

it('cancelling a job kills its ffmpeg and does not retry it', async () => {
  const p = await startPipeline(env);
  const pub = new Redis(env.redis.url);
  const events = new QueueEvents(p.queues.recording.window.name, { connection: bullConnection(env.redis.url), prefix: p.prefix });
  await events.waitUntilReady();
  try {
    const seg = path.join(env.dataDir, 'recordings', 'cancel', 'tracks', 't', 'seg-00001.webm');
    await makeSegment(seg, 'video', 5);
    const output = 'recordings/cancel/out/composite/win-00000.ts';
    // A long window (10 min, one short input) takes long enough to cancel midway.
    const job = await p.queues.recording.window.add('window', {
      lessonId: 'cancel', index: 0, startMs: 0, endMs: 600_000, output, screenIntervals: [],
      inputs: [{ role: 'teacherCam', path: 'recordings/cancel/tracks/t/seg-00001.webm', startMs: 0 }],
    }, { jobId: 'window.cancel.0' });
    await waitFor(async () => ((await p.queues.recording.window.getJob(job.id!))?.progress as number) > 0, 30_000, 'job to make progress');
    const ffmpegRunning = () => {
      try {
        return execFileSync('pgrep', ['-f', 'recordings/cancel/out/composite']).toString().trim().length > 0;
      } catch {
        return false;
      }
    };
    expect(ffmpegRunning()).toBe(true);
    await pub.publish(cancelChannel(p.prefix), `${p.queues.recording.window.name}|${job.id}|test`);
    await expect(job.waitUntilFinished(events, 20_000)).rejects.toThrow(/cancelled/);
    expect(ffmpegRunning()).toBe(false);
    const fresh = await p.queues.recording.window.getJob(job.id!);
    expect(fresh?.attemptsMade).toBe(1);
    expect(readdirSync(path.join(env.dataDir, 'recordings/cancel/out/composite'))).toEqual([]); // no half file left
  } finally {
    await events.close();
    pub.disconnect();
    await p.close();
  }
}, 120_000);
