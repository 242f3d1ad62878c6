// Lesson reports: queued when a lesson ends, computed by the lesson-report worker, read back
// here. The worker never touches the database, so the job carries what it needs.
import { readFile } from 'node:fs/promises';
import { Router } from 'express';
import type { Lesson } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import type { Queryable } from '../db/db.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import type { Queues } from '../jobs/queues.js';
import { reportPath } from '../contract/jobs.js';
import type { LessonReportJob } from '../contract/jobs.js';
import { countChatMessages } from '../chat/repo.js';
import { lessonRoleFor } from './policy.js';
import { getLesson, listLessonEvents } from './repo.js';
import { lessonIdParam } from './schema.js';

export async function enqueueLessonReport(db: Queryable, queues: Queues, lesson: Lesson): Promise<void> {
  const [events, chatCount] = await Promise.all([
    listLessonEvents(db, lesson.id),
    countChatMessages(db, lesson.id),
  ]);
  const job: LessonReportJob = {
    lessonId: lesson.id,
    title: lesson.title,
    scheduledMin: lesson.durationMin,
    startedAt: lesson.startedAt,
    endedAt: lesson.endedAt ?? new Date().toISOString(),
    receivingClassroomIds: lesson.receivingClassroomIds,
    chatCount,
    // Typed events as read (their ids and actors ride along; the worker's schema strips them).
    events,
  };
  // jobId = lesson id: ending twice (or a retried request) never makes two reports.
  await queues.lessonReport.add('lesson-report', job, { jobId: `report-${lesson.id}` });
}

export function reportsRouter({ db, dataDir }: { db: Queryable; dataDir: string }): Router {
  const router = Router();
  router.get('/api/lessons/:id/report', requireUser(db), async (req, res) => {
    const { id } = parse(lessonIdParam, req.params);
    const lesson = await getLesson(db, id);
    if (!lesson || !(await lessonRoleFor(db, currentUser(res), lesson))) throw new AppError('NOT_FOUND', 'lesson not found');
    const text = await readFile(reportPath(dataDir, id), 'utf8').catch(() => null);
    if (!text) throw new AppError('NOT_FOUND', lesson.state === 'ended' ? 'report not ready yet' : 'the lesson has not ended');
    res.type('json').send(text);
  });
  return router;
}
