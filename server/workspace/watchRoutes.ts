// The replay page's watch heartbeat (师徒结对 counts watching a recording): authorised exactly as
// the replay itself (no recording this user may see: 404), then the body; the repo caps what a
// beat is credited by the wall clock.
import { Router } from 'express';
import type { Queryable } from '../db/db.js';
import { AppError } from '../contract/errors.js';
import { watchBeatBody, type WatchBeatResponse } from '../contract/workspace/mentors.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { getLesson } from '../lessons/repo.js';
import { getRecording } from '../recordings/repo.js';
import { canViewRecording } from '../recordings/policy.js';
import { lessonParam } from '../recordings/schema.js';
import { addReplayBeat } from './watchRepo.js';

export function watchRouter({ db }: { db: Queryable }): Router {
  const router = Router();
  const auth = requireUser(db);

  router.post('/api/recordings/:lessonId/watch', auth, async (req, res) => {
    const { lessonId } = parse(lessonParam, req.params);
    const user = currentUser(res);
    const [lesson, rec] = await Promise.all([getLesson(db, lessonId), getRecording(db, lessonId)]);
    if (!lesson || !rec || !(await canViewRecording(db, user, lesson, rec.visibility))) throw new AppError('NOT_FOUND', 'recording not found');
    const { seconds } = parse(watchBeatBody, req.body);
    const body: WatchBeatResponse = await addReplayBeat(db, { userId: user.id, lessonId, seconds, at: new Date() });
    res.json(body);
  });

  return router;
}
