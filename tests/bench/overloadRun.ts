// Shared by the overload benchmarks (recording-overload with RTP sources, recording-soak with
// browsers): Redis, a separate processing-worker process (as the product runs it), stress-ng on
// every core for a bounded time, and the recording's figures read back from the database —
// per-track coverage of the lesson, failed segments, and lesson end → research playback ready.
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Db } from '../../server/db/db.js';
import { createQueues, type Queues } from '../../workers/main.js';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../server/services/redisServer.js';
import { ROOT, round, sleep } from './lib.js';

export interface Pipeline {
  redis: EmbeddedRedis;
  queues: Queues;
  prefix: string;
  worker: ChildProcess;
  close(): Promise<void>;
}

/** Redis, the web side's queues and one worker process (server/main.ts --workers does the same). */
export async function startPipeline(dataDir: string): Promise<Pipeline> {
  const redis = await startEmbeddedRedis(dataDir);
  const prefix = `bench-${randomUUID().slice(0, 8)}`;
  const queues = createQueues(redis.url, prefix);
  // pdeathsig: the worker process dies with the benchmark, whatever ends it.
  const worker = spawn('setpriv', ['--pdeathsig', 'SIGKILL', process.execPath, '--import', 'tsx', path.join(ROOT, 'tests/helpers/recordingWorkerProcess.ts')], {
    env: { ...process.env, REDIS_URL: redis.url, TONGBU_DATA_DIR: dataDir, TONGBU_QUEUE_PREFIX: prefix, TONGBU_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    worker.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    worker.once('exit', (code) => reject(new Error(`worker process exited ${code}`)));
  });
  return {
    redis,
    queues,
    prefix,
    worker,
    async close() {
      worker.kill('SIGTERM');
      await Promise.race([new Promise((r) => worker.once('exit', r)), sleep(15_000)]);
      if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
      await queues.close();
      await redis.stop();
    },
  };
}

export interface Burner {
  cores: number;
  stop(): void;
  /** 1-minute load average samples taken while it ran. */
  loads: number[];
}

/** stress-ng on every core, bounded by --timeout so nothing outlives the benchmark. */
export function startBurner(seconds: number): Burner {
  const cores = os.availableParallelism();
  // Its own session (setsid), like other work on a shared machine: with autogroup scheduling
  // it then competes with the product's session as a whole, not with each of its processes.
  const p = spawn('setsid', ['stress-ng', '--cpu', String(cores), '--cpu-method', 'matrixprod', '--timeout', `${Math.ceil(seconds)}s`, '--quiet'], { stdio: 'ignore' });
  const loads: number[] = [];
  const t = setInterval(() => loads.push(os.loadavg()[0]), 5_000);
  p.once('exit', () => clearInterval(t));
  return {
    cores,
    loads,
    stop() {
      clearInterval(t);
      // setsid execs stress-ng (same pid); its workers follow their parent's SIGTERM.
      if (p.exitCode === null && p.signalCode === null) p.kill('SIGTERM');
    },
  };
}

export interface TrackCoverage {
  label: string;
  kind: 'audio' | 'video';
  coverage: number;
  segments: number;
  failed: number;
}

export interface RecordingFigures {
  audio_coverage: number;
  video_coverage: number;
  failed_segments: number;
  segments: number;
  tracks: TrackCoverage[];
  lesson_recorded_s: number;
}

/**
 * Coverage of a track = the seconds its transcoded segments really play (ffprobe's duration,
 * the track job's result) over the lesson's recorded length (clock zero → end). Failed and
 * missing segments, gaps and a late start all count against it.
 */
export async function figures(db: Db, lessonId: string): Promise<RecordingFigures> {
  const [rec] = await db.query<{ clock_zero: unknown; ended_at: unknown }>('select clock_zero, ended_at from recordings where lesson_id = $1', [lessonId]);
  if (!rec?.ended_at) throw new Error('recording has not ended');
  const lengthS = (new Date(String(rec.ended_at instanceof Date ? rec.ended_at.toISOString() : rec.ended_at)).getTime() -
    new Date(String(rec.clock_zero instanceof Date ? rec.clock_zero.toISOString() : rec.clock_zero)).getTime()) / 1000;
  const tracks = await db.query<{ id: string; kind: 'audio' | 'video'; label: string }>('select id, kind, label from recording_tracks where lesson_id = $1 order by label, kind', [lessonId]);
  const out: TrackCoverage[] = [];
  let failedAll = 0;
  let segAll = 0;
  for (const t of tracks) {
    const segs = await db.query<{ seq: number; state: string }>('select seq, state from recording_segments where track_id = $1', [t.id]);
    const outs = await db.query<{ seq: number; state: string; meta: unknown }>(`select seq, state, meta from recording_outputs where lesson_id = $1 and kind = 'track' and track_id = $2`, [lessonId, t.id]);
    let played = 0;
    let failed = 0;
    for (const o of outs) {
      const meta = (typeof o.meta === 'string' ? JSON.parse(o.meta) : o.meta) as { durationS?: number } | null;
      if (o.state === 'done') played += meta?.durationS ?? 0;
      if (o.state === 'failed') failed++;
    }
    failedAll += failed;
    segAll += segs.length;
    out.push({ label: t.label, kind: t.kind, coverage: round(Math.min(1, played / lengthS), 4), segments: segs.length, failed });
  }
  const min = (k: string) => round(Math.min(1, ...out.filter((t) => t.kind === k).map((t) => t.coverage)), 4);
  return { audio_coverage: min('audio'), video_coverage: min('video'), failed_segments: failedAll, segments: segAll, tracks: out, lesson_recorded_s: round(lengthS, 1) };
}

/** Checks `ok` every `everyMs` (a lesson's progress is a few queries: not every 10 ms) until true or the timeout. */
export async function poll(ok: () => Promise<boolean>, timeoutMs: number, what: string, everyMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
