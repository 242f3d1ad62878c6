// 师徒结对 over HTTP: the pairs the user reaches, the admin's create / edit / end, a pair's
// mentoring activities and the mentee's growth record. Every route authorises (reach.ts,
// mentorAccess.ts) before it reads a body.
import { Router } from 'express';
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { schoolDayOf } from '../contract/time.js';
import {
  endMentorPairBody,
  mentoringQuery,
  mentorPairBody,
  mentorPairPatch,
  type GrowthRecord,
  type MentorPairDetail,
} from '../contract/workspace/mentors.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { assertCanManageCommunity, communityIdsOf, reachOf } from './reach.js';
import { assertCanReadMentorPair, readsPair } from './mentorAccess.js';
import { createMentorPair, endMentorPair, listMentorCandidates, listMentorPairs, updateMentorPair } from './mentorRepo.js';
import { growthLessons, mentoringActivities } from './mentoringRepo.js';

const idParam = z.object({ id: z.string().min(1).max(64) }).strict();

export function mentorRouter({ db }: { db: Queryable }): Router {
  const router = Router();
  const auth = requireUser(db);

  router.get('/api/workspace/mentor-pairs', auth, async (_req, res) => {
    const user = currentUser(res);
    const reach = await reachOf(db, user);
    const listed = await listMentorPairs(db, { communityIds: communityIdsOf(reach), schoolId: reach.kind === 'school' ? reach.schoolId : null });
    res.json({
      pairs: listed.filter((p) => readsPair(reach, user, p)),
      // Where this user creates pairs (the community admin's community), else null.
      manageCommunityId: reach.kind === 'community' && reach.edit ? reach.communityId : null,
    });
  });

  router.get('/api/workspace/communities/:id/mentor-candidates', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    await assertCanManageCommunity(db, currentUser(res), id);
    res.json({ candidates: await listMentorCandidates(db, id) });
  });

  router.post('/api/workspace/communities/:id/mentor-pairs', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const user = currentUser(res);
    await assertCanManageCommunity(db, user, id);
    res.status(201).json({ pair: await createMentorPair(db, id, user.id, parse(mentorPairBody, req.body)) });
  });

  router.get('/api/workspace/mentor-pairs/:id', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const { pair, canManage } = await assertCanReadMentorPair(db, currentUser(res), id);
    const { minWatchMin } = parse(mentoringQuery, req.query);
    const today = schoolDayOf(new Date()).day;
    const activities = await mentoringActivities(db, { pairIds: [pair.id], from: pair.startsOn, to: today, minWatchMin });
    const body: MentorPairDetail = { pair, activities, minWatchMin, canManage };
    res.json(body);
  });

  router.patch('/api/workspace/mentor-pairs/:id', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const user = currentUser(res);
    const { pair } = await assertCanReadMentorPair(db, user, id);
    await assertCanManageCommunity(db, user, pair.communityId);
    res.json({ pair: await updateMentorPair(db, pair, parse(mentorPairPatch, req.body)) });
  });

  router.post('/api/workspace/mentor-pairs/:id/end', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const user = currentUser(res);
    const { pair } = await assertCanReadMentorPair(db, user, id);
    await assertCanManageCommunity(db, user, pair.communityId);
    const { endedOn } = parse(endMentorPairBody, req.body);
    res.json({ pair: await endMentorPair(db, pair, endedOn) });
  });

  router.get('/api/workspace/mentor-pairs/:id/growth', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const { pair } = await assertCanReadMentorPair(db, currentUser(res), id);
    const body: GrowthRecord = { pairId: pair.id, menteeId: pair.mentee.id, lessons: await growthLessons(db, pair) };
    res.json(body);
  });

  return router;
}
