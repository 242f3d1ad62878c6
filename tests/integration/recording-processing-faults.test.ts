// Faults of the processing workers on real Redis and real ffmpeg: a worker process killed with
// SIGKILL mid-job (its ffmpeg dies with it; the job completes on the next worker, output
// complete), and Redis restarted while jobs are queued and running (none is lost).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorkers } from '../../workers/main.js';
import { createQueues } from '../../server/jobs/queues.js';
import { bullConnection } from '../../server/contract/jobs.js';
import type { WindowJob } from '../../server/contract/recordingJobs.js';
import { probeDuration } from '../../media/process.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../server/services/redisServer.js';
import { makeSegment } from '../helpers/recordingFixtures.js';
import { waitFor } from '../helpers/liveServer.js';

let dataDir: string;
const children: ChildProcess[] = [];
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-recfault-'));
  await Promise.all([
    makeSegment(path.join(dataDir, 'recordings/f/tracks/v/seg-00001.webm'), 'video', 10),
    makeSegment(path.join(dataDir, 'recordings/f/tracks/a/seg-00001.webm'), 'audio', 10),
  ]);
});
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

/** A window of `seconds` made of the same 10 s camera and mic segments, back to back. */
function windowJob(index: number, seconds: number): WindowJob {
  const n = Math.ceil(seconds / 10);
  const inputs: WindowJob['inputs'] = [];
  for (let i = 0; i < n; i++) {
    inputs.push({ role: 'teacherCam', path: 'recordings/f/tracks/v/seg-00001.webm', startMs: i * 10_000 });
    inputs.push({ role: 'audio', path: 'recordings/f/tracks/a/seg-00001.webm', startMs: i * 10_000 });
  }
  return { lessonId: 'f', index, startMs: 0, endMs: seconds * 1000, output: `recordings/f/out/composite/win-${String(index).padStart(5, '0')}.ts`, inputs, screenIntervals: [] };
}

function workerProcess(redisUrl: string, prefix: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/helpers/recordingWorkerProcess.ts'], {
    env: { ...process.env, REDIS_URL: redisUrl, TONGBU_DATA_DIR: dataDir, TONGBU_QUEUE_PREFIX: prefix, TONGBU_JOB_LOCK_MS: '3000', TONGBU_JOB_STALLED_CHECK_MS: '1000', TONGBU_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker process exited ${code}`)));
  });
}

/** The ffmpeg children of a process (nice and setpriv exec into ffmpeg: same pid). */
function ffmpegOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-x', 'ffmpeg', '-P', String(pid)]).toString().trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

it('a worker process killed with SIGKILL mid-job: its ffmpeg dies too, the job completes on the next worker, the output is complete', async () => {
  const redis = await startEmbeddedRedis(dataDir);
  const prefix = `t-${randomUUID()}`;
  const queues = createQueues(redis.url, prefix);
  const events = new QueueEvents(queues.recording.window.name, { connection: bullConnection(redis.url), prefix });
  try {
    const a = await workerProcess(redis.url, prefix);
    const job = await queues.recording.window.add('window', windowJob(0, 90), { jobId: 'window.f.0' });
    await waitFor(async () => ((await queues.recording.window.getJob(job.id!))?.progress as number) >= 10, 60_000, 'job 10 % done');
    const ffmpegPids = ffmpegOf(a.pid!);
    expect(ffmpegPids.length).toBe(1);
    a.kill('SIGKILL');
    await waitFor(() => ffmpegPids.every((p) => !existsSync(`/proc/${p}`)), 5_000, 'the killed worker’s ffmpeg to die');
    expect(await queues.recording.window.getJobState(job.id!)).toBe('active'); // locked by the dead worker until the lock expires
    await workerProcess(redis.url, prefix);
    const result = (await job.waitUntilFinished(events, 120_000)) as { durationS: number };
    expect(result.durationS).toBe(90);
    const out = path.join(dataDir, 'recordings/f/out/composite/win-00000.ts');
    expect(Math.abs((await probeDuration(out)) - 90)).toBeLessThan(0.5);
    const done = await queues.recording.window.getJob(job.id!);
    expect(done?.stalledCounter ?? 0).toBeGreaterThanOrEqual(1);
  } finally {
    await events.close();
    await queues.close();
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
    await redis.stop();
  }
}, 240_000);

it('Redis restarted during processing: no job is lost', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-redis-restart-'));
  let redis: EmbeddedRedis = await startEmbeddedRedis(dir);
  const port = redis.port;
  const prefix = `t-${randomUUID()}`;
  const workers = await startWorkers({ redisUrl: redis.url, dataDir, prefix });
  const queues = createQueues(redis.url, prefix);
  try {
    const ids: string[] = [];
    for (let i = 1; i <= 4; i++) ids.push((await queues.recording.window.add('window', windowJob(i, 20), { jobId: `window.f.${i}` })).id!);
    for (let i = 1; i <= 4; i++) {
      const kind = i % 2 ? 'video' : 'audio';
      const input = `recordings/f/tracks/${kind === 'video' ? 'v' : 'a'}/seg-00001.webm`;
      ids.push(
        (await queues.recording.track.add('track', { lessonId: 'f', trackId: `t${i}`, seq: 1, kind, input, output: `recordings/f/out/tracks/t${i}/seg-00001.ts`, offsetMs: 0 }, { jobId: `track.t${i}.1` })).id!,
      );
    }
    // Mid-way: one window finished, others waiting or running.
    await waitFor(async () => (await queues.recording.window.getJobState('window.f.1')) === 'completed', 60_000, 'first window');
    await redis.stop(); // SIGTERM: Redis writes its AOF and exits
    await new Promise((r) => setTimeout(r, 1500));
    redis = await startEmbeddedRedis(dir, { port });
    const state = async (id: string) => (id.startsWith('window') ? queues.recording.window : queues.recording.track).getJobState(id);
    await waitFor(async () => (await Promise.all(ids.map(state))).every((s) => s === 'completed'), 180_000, 'every job completed after the restart');
    for (let i = 1; i <= 4; i++) {
      expect(Math.abs((await probeDuration(path.join(dataDir, `recordings/f/out/composite/win-${String(i).padStart(5, '0')}.ts`))) - 20)).toBeLessThan(0.5);
      expect(Math.abs((await probeDuration(path.join(dataDir, `recordings/f/out/tracks/t${i}/seg-00001.ts`))) - 10)).toBeLessThan(0.5);
    }
  } finally {
    await queues.close();
    await workers.close();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
