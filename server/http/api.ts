// All /api routes in one router. Mount it at the root: it routes full `/api/...` paths and
// leaves every other path (the client app, /healthz, /metrics) to the caller.
import express, { Router } from 'express';
import type { Db, Queryable } from '../db/db.js';
import type { Config } from '../config.js';
import type { WebLimits } from '../auth/rateLimit.js';
import type { UserSockets } from '../auth/userSockets.js';
import { authRouter } from '../auth/routes.js';
import { communityRouter } from '../community/routes.js';
import { lessonsRouter } from '../lessons/routes.js';
import { timetableRouter } from '../timetable/routes.js';
import { researchRouter } from '../research/routes.js';
import { orgRouter } from '../workspace/orgRoutes.js';
import { lessonEvidenceRouter } from '../workspace/lessonEvidenceRoutes.js';
import { mentorRouter } from '../workspace/mentorRoutes.js';
import { watchRouter } from '../workspace/watchRoutes.js';
import { reportRouter } from '../workspace/reportRoutes.js';
import { productSources } from '../workspace/report/sourcesRepo.js';
import { targetsRouter } from '../workspace/targetsRoutes.js';
import { activityImportRouter } from '../workspace/activityImportRoutes.js';
import { apiNotFound, errorHandler } from './errors.js';

export { requireUser, currentUser } from './requireUser.js';
export { errorHandler, sendError } from './errors.js';

export interface ApiRouterOptions {
  db: Db | Queryable;
  /** dataDir: where evidence files are read for the reports' evidence pack (none: the pack lists them without their bytes). */
  config: Pick<Config, 'secureCookies'> & Partial<Pick<Config, 'dataDir'>>;
  /** Sign-in limits, shared through Redis by the web role; default in memory (server/auth/rateLimit.ts). */
  limits?: WebLimits;
  /** Both Socket.IO servers' sockets, so revoking a device drops its live connections. */
  sockets?: UserSockets;
}

export function createApiRouter(opts: ApiRouterOptions): Router {
  const { db } = opts;
  const router = Router();
  router.use(activityImportRouter({ db })); // before the JSON parser: it authorises before it reads its body
  router.use('/api', express.json({ limit: '64kb' }), (_req, res, next) => {
    // Answers depend on who asks: no shared or browser cache may keep them.
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  router.use(authRouter({ db, config: opts.config, limits: opts.limits }));
  router.use(communityRouter({ db, sockets: opts.sockets }));
  router.use(lessonsRouter({ db }));
  router.use(timetableRouter({ db }));
  router.use(researchRouter({ db }));
  router.use(orgRouter({ db }));
  router.use(lessonEvidenceRouter({ db }));
  router.use(mentorRouter({ db }));
  router.use(watchRouter({ db }));
  router.use(reportRouter({ db, sources: productSources(db, opts.config.dataDir ?? null) }));
  router.use(targetsRouter({ db }));
  router.use('/api', apiNotFound);
  router.use(errorHandler);
  return router;
}
