// The bureau's check (核验) over HTTP, the school's notifications, the audit log and the bureau's
// counting rule. Authorised on params before any body is read; every change writes its audit row
// (and a returned activity its notifications) in the same transaction.
import express, { Router } from 'express';
import { z } from 'zod';
import type { Db, Queryable } from '../db/db.js';
import { AppError } from '../contract/errors.js';
import { ACTIVITY_STATUSES, auditQuery, bureauSettingBody, bureauYearParam, markReadBody, reviewBody } from '../contract/workspace/activities.js';
import { inTx } from '../community/sql.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { assertBureauReviewer, assertCanReadCommunity, assertCanReview, reachOf } from './reach.js';
import { assertCanReviewActivity } from './activityAccess.js';
import { appendAudit, listAudit } from './auditRepo.js';
import { activitySnapshot, getActivity, listActivities, markReviewed } from './offlineActivitiesRepo.js';
import { listNotifications, markNotificationsRead, notifySchool, unreadCount } from './notificationsRepo.js';
import { getBureauSetting, setBureauSetting } from './offlineCountedRepo.js';

const idParam = z.object({ id: z.string().min(1).max(64) }).strict();
const queueQuery = z
  .object({
    communityId: z.string().min(1).max(64).optional(),
    status: z.enum(ACTIVITY_STATUSES).exclude(['draft']).default('submitted'),
  })
  .strict();

export function reviewRouter({ db }: { db: Db | Queryable }): Router {
  const router = Router();
  const auth = requireUser(db);
  const json = express.json({ limit: '64kb' });

  /** The reviewer's queue: their bureau's activities in one state (default: waiting for 核验), with evidence. */
  router.get('/api/workspace/review', auth, async (req, res) => {
    const q = parse(queueQuery, req.query);
    const user = currentUser(res);
    const reach = await reachOf(db, user);
    if (reach.kind !== 'bureau') throw new AppError('FORBIDDEN', "only the bureau's reviewers check activities");
    if (q.communityId) await assertCanReview(db, user, q.communityId);
    const activities = await listActivities(db, { communityIds: q.communityId ? [q.communityId] : reach.communityIds, status: q.status, excludeDrafts: true });
    res.json({ activities });
  });

  router.post('/api/workspace/activities/:id/review', auth, async (req, res, next) => {
    const { id } = parse(idParam, req.params);
    await assertCanReviewActivity(db, currentUser(res), id);
    next();
  }, json, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const user = currentUser(res);
    const { decision, comment } = parse(reviewBody, req.body);
    const activity = await inTx(db, async (q) => {
      const before = await getActivity(q, id, { forUpdate: true });
      if (!before) throw new AppError('NOT_FOUND', 'activity not found');
      if (before.status !== 'submitted') throw new AppError('CONFLICT', `the activity is ${before.status}, not waiting for a check`);
      const after = await markReviewed(q, id, { status: decision === 'accept' ? 'accepted' : 'returned', comment, reviewerId: user.id });
      await appendAudit(q, {
        actor: user,
        action: decision,
        entity: 'activity',
        entityId: id,
        communityId: after.communityId,
        before: activitySnapshot(before),
        after: activitySnapshot(after),
      });
      const params = { activityId: id, kind: after.kind, day: after.day, place: after.place, reviewer: user.displayName, ...(comment ? { comment } : {}) };
      await notifySchool(q, after, decision === 'accept' ? 'activity.accepted' : 'activity.returned', params);
      return after;
    });
    res.json({ activity });
  });

  // ---- notifications (the signed-in user's own) -----------------------------------

  router.get('/api/workspace/notifications', auth, async (_req, res) => {
    const user = currentUser(res);
    const [notifications, unread] = await Promise.all([listNotifications(db, user.id), unreadCount(db, user.id)]);
    res.json({ notifications, unread });
  });

  router.post('/api/workspace/notifications/read', auth, json, async (req, res) => {
    const user = currentUser(res);
    const { ids } = parse(markReadBody, req.body);
    res.json({ marked: await markNotificationsRead(db, user.id, ids), unread: await unreadCount(db, user.id) });
  });

  // ---- audit log ------------------------------------------------------------------

  /** A community's audit log: its admin and the bureau's reviewers (not a school's staff, not researchers). */
  router.get('/api/workspace/communities/:id/audit', auth, async (req, res) => {
    const { id } = parse(idParam, req.params);
    const q = parse(auditQuery, req.query);
    const reach = await assertCanReadCommunity(db, currentUser(res), id);
    if (reach.kind === 'community' && !reach.edit) throw new AppError('FORBIDDEN', "the audit log is for the community's admin and the bureau");
    res.json({ entries: await listAudit(db, { communityIds: [id], entityId: q.entityId, before: q.before, limit: q.limit }) });
  });

  // ---- the bureau's counting rule ------------------------------------------------------

  router.get('/api/workspace/bureaus/:id/settings/:year', auth, async (req, res) => {
    const { id, year } = parse(bureauYearParam, req.params);
    await assertBureauReviewer(db, currentUser(res), id);
    res.json({ setting: await getBureauSetting(db, id, year) });
  });

  router.post('/api/workspace/bureaus/:id/settings/:year', auth, async (req, res, next) => {
    const { id } = parse(bureauYearParam, req.params);
    await assertBureauReviewer(db, currentUser(res), id);
    next();
  }, json, async (req, res) => {
    const { id, year } = parse(bureauYearParam, req.params);
    const { acceptedOnly } = parse(bureauSettingBody, req.body);
    const user = currentUser(res);
    res.json({ setting: await inTx(db, (q) => setBureauSetting(q, user, { bureauId: id, year, acceptedOnly })) });
  });

  return router;
}
