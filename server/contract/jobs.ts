// Queue names and job payloads (validated with zod where they enter a processor).
import path from 'node:path';
import { z } from 'zod';
import { lessonEventSchema } from './lessonEvents.js';

export const QUEUES = {
  lessonReport: 'lesson-report',
} as const;

export const lessonReportJob = z.object({
  lessonId: z.string().min(1).max(64),
  title: z.string().max(200),
  scheduledMin: z.number().int().min(0).max(1000),
  startedAt: z.string().datetime({ offset: true }).nullable(),
  endedAt: z.string().datetime({ offset: true }),
  receivingClassroomIds: z.array(z.string().max(64)).max(16),
  chatCount: z.number().int().min(0),
  events: z
    .array(z.object({ at: z.string() }).and(lessonEventSchema))
    .max(100_000),
});
export type LessonReportJob = z.infer<typeof lessonReportJob>;

/** Redis connection options for BullMQ from a redis:// URL. */
export function bullConnection(redisUrl: string) {
  const u = new URL(redisUrl);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    password: u.password || undefined,
    maxRetriesPerRequest: null, // required by BullMQ workers
  };
}

/** Where the lesson-report worker writes a lesson's report and the web side reads it. */
export function reportPath(dataDir: string, lessonId: string): string {
  return path.join(dataDir, 'reports', `${lessonId.replace(/[^A-Za-z0-9-]/g, '_')}.json`);
}
