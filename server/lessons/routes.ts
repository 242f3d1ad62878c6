// Timetable and scheduling of synchronous lessons.
import { Router } from 'express';
import type { Queryable } from '../db/db.js';
import { createLessonBody } from '../contract/api.js';
import { AppError } from '../contract/errors.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { lessonRoleFor } from './policy.js';
import { createLesson, getLesson, listLessonsFor } from './repo.js';
import { lessonIdParam, listLessonsQuery } from './schema.js';

export function lessonsRouter({ db }: { db: Queryable }): Router {
  const router = Router();
  const auth = requireUser(db);

  router.get('/api/lessons', auth, async (req, res) => {
    const range = parse(listLessonsQuery, req.query);
    res.json({ lessons: await listLessonsFor(db, currentUser(res), range) });
  });

  router.get('/api/lessons/:id', auth, async (req, res) => {
    const { id } = parse(lessonIdParam, req.params);
    const lesson = await getLesson(db, id);
    // Not yours and not there look the same from outside.
    if (!lesson || !(await lessonRoleFor(db, currentUser(res), lesson))) throw new AppError('NOT_FOUND', 'lesson not found');
    res.json({ lesson });
  });

  router.post('/api/lessons', auth, async (req, res) => {
    const body = parse(createLessonBody, req.body);
    res.status(201).json({ lesson: await createLesson(db, currentUser(res), body) });
  });

  return router;
}
