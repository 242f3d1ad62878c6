// The lesson-report processor on real Redis through BullMQ, with a unique prefix per test.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startWorkers } from '../../workers/main.js';
import { createQueues } from '../../server/jobs/queues.js';
import { bullConnection } from '../../server/contract/jobs.js';
import { reportPath } from '../../server/contract/jobs.js';
import { startTestRedis } from '../helpers/redis.js';

let redis: Awaited<ReturnType<typeof startTestRedis>>;
let dataDir: string;
beforeAll(async () => {
  redis = await startTestRedis();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-data-'));
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

it('computes a report from a queued job and rejects a malformed payload without retrying forever', async () => {
  const prefix = `t-${randomUUID()}`;
  const workers = await startWorkers({ redisUrl: redis.url, dataDir, prefix });
  const queues = createQueues(redis.url, prefix);
  const events = new QueueEvents(queues.lessonReport.name, { connection: bullConnection(redis.url), prefix });
  await events.waitUntilReady();
  try {
    const job = await queues.lessonReport.add('lesson-report', {
      lessonId: 'lesson-1',
      title: 't',
      scheduledMin: 40,
      startedAt: '2026-11-23T08:00:00.000Z',
      endedAt: '2026-11-23T08:30:00.000Z',
      receivingClassroomIds: ['A'],
      chatCount: 0,
      events: [{ at: '2026-11-23T08:10:00.000Z', type: 'stage:on', payload: { classroomId: 'A' } }],
    });
    const result = await job.waitUntilFinished(events, 20_000);
    expect(result.classrooms[0].secondsOnStage).toBe(1200);
    const onDisk = JSON.parse(readFileSync(reportPath(dataDir, 'lesson-1'), 'utf8'));
    expect(onDisk.actualMin).toBe(30);

    const bad = await queues.lessonReport.add('lesson-report', { lessonId: 42 }, { attempts: 1 });
    await expect(bad.waitUntilFinished(events, 20_000)).rejects.toThrow(/lessonId/);
  } finally {
    await events.close();
    await queues.close();
    await workers.close();
  }
});
