// The recording pipeline of the processing tests: a real Redis and a seeded real database for
// the file (beforeAll), and per test the processing workers, their queues and the web side's
// RecordingProcessing on a fresh queue prefix — wired as server/app.ts wires them.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { startWorkers, type WorkerHandle } from '../../workers/main.js';
import { createQueues } from '../../server/jobs/queues.js';
import { RecordingProcessing } from '../../server/recordings/processing.js';
import type { RecordingProgress } from '../../server/contract/recordings.js';
import { startTestRedis } from './redis.js';
import { seededDb, type Demo } from '../integration/api.helpers.js';

export interface PipelineEnv {
  redis: Awaited<ReturnType<typeof startTestRedis>>;
  demo: Demo;
  dataDir: string;
}

/** Registers the file's Redis, database and data folder; read them from the returned object inside tests. */
export function pipelineEnv(name: string): PipelineEnv {
  const env = {} as PipelineEnv;
  beforeAll(async () => {
    [env.redis, env.demo] = await Promise.all([startTestRedis(), seededDb()]);
    env.dataDir = mkdtempSync(path.join(os.tmpdir(), `tongbu-${name}-`));
  }, 120_000);
  afterAll(async () => {
    await env.redis?.stop();
    await env.demo?.db.close();
    if (env.dataDir) rmSync(env.dataDir, { recursive: true, force: true });
  });
  return env;
}

/** An ended lesson of 王老师's (with 青山村小学 四年级 as its classroom when `withClassroom`). */
export async function newLesson(env: PipelineEnv, title = '录制测试', opts: { withClassroom?: boolean } = {}): Promise<string> {
  const { demo } = env;
  const teacher = await demo.user('teacher-wang');
  const rows = await demo.db.query<{ id: string }>(
    `insert into lessons (id, community_id, title, subject, grade, teacher_id, host_classroom_id, scheduled_at, duration_min, state, started_at, ended_at)
     select $1, community_id, $4, '数学', 4, $2, $3, now(), 40, 'ended', now(), now() from users where id = $2 returning id`,
    [randomUUID(), teacher.id, await demo.classroomId('四年级(1)班'), title],
  );
  if (opts.withClassroom) {
    await demo.db.query('insert into lesson_classrooms (lesson_id, classroom_id) values ($1, $2)', [rows[0].id, await demo.classroomId('四年级')]);
  }
  return rows[0].id;
}

export interface Pipeline {
  prefix: string;
  processing: RecordingProcessing;
  queues: ReturnType<typeof createQueues>;
  /** Every progress the processing pushed, in order. */
  pushed: RecordingProgress[];
  close(): Promise<void>;
}

export interface PipelineOptions {
  /** false: no workers, so every job stays queued. */
  workers?: boolean;
  /** false: nothing follows progress (the processing then pushes none). */
  progress?: boolean;
}

/** Workers, queues and processing on a fresh prefix. */
export async function startPipeline(env: PipelineEnv, opts: PipelineOptions = {}): Promise<Pipeline> {
  const prefix = `t-${randomUUID()}`;
  const workers: WorkerHandle | null = opts.workers === false ? null : await startWorkers({ redisUrl: env.redis.url, dataDir: env.dataDir, prefix });
  const queues = createQueues(env.redis.url, prefix);
  const processing = new RecordingProcessing({ db: env.demo.db.background, queues: queues.recording, connection: queues.connection, prefix, dataDir: env.dataDir });
  const pushed: RecordingProgress[] = [];
  if (opts.progress !== false) processing.onProgress((p) => pushed.push(p));
  await processing.start();
  return {
    prefix,
    processing,
    queues,
    pushed,
    async close() {
      await processing.close();
      await queues.close();
      await workers?.close();
    },
  };
}

/** startPipeline, `fn`, then close — whatever `fn` does. */
export async function withPipeline(env: PipelineEnv, fn: (p: Pipeline) => Promise<void>, opts: PipelineOptions = {}): Promise<void> {
  const p = await startPipeline(env, opts);
  try {
    await fn(p);
  } finally {
    await p.close();
  }
}
