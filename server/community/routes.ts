// The signed-in user's community, and classroom device set-up.
import { Router } from 'express';
import { z } from 'zod';
import type { Queryable } from '../db/db.js';
import { AppError } from '../contract/errors.js';
import { issueDeviceCode } from '../auth/deviceCodes.js';
import { listClassroomDevices, revokeClassroomDevice } from '../auth/deviceSessions.js';
import type { UserSockets } from '../auth/userSockets.js';
import type { ClassroomDevicesResponse, RevokeDeviceResponse } from '../contract/api.js';
import { communityIdOf } from '../auth/users.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { assertCanManageClassroom } from './policy.js';
import { getCommunityView } from './repo.js';

const classroomParam = z.object({ id: z.string().min(1).max(64) });

export function communityRouter({ db, sockets }: { db: Queryable; /** Live sockets to drop when a device is revoked. */ sockets?: UserSockets }): Router {
  const router = Router();
  const auth = requireUser(db);

  router.get('/api/community', auth, async (_req, res) => {
    const communityId = await communityIdOf(db, currentUser(res).id);
    // A bureau reviewer belongs to no community: their view is the workspace's (/api/workspace/org).
    if (!communityId) throw new AppError('FORBIDDEN', 'this account belongs to no community');
    res.json(await getCommunityView(db, communityId));
  });

  router.post('/api/classrooms/:id/device-code', auth, async (req, res) => {
    const { id } = parse(classroomParam, req.params);
    const user = currentUser(res);
    await assertCanManageClassroom(db, user, id);
    res.status(201).json(await issueDeviceCode(db, { classroomId: id, issuedBy: user.id }));
  });

  router.get('/api/devices', auth, async (_req, res) => {
    const body: ClassroomDevicesResponse = { devices: await listClassroomDevices(db, currentUser(res)) };
    res.json(body);
  });

  // Sign the classroom's PC out now: sessions, unredeemed codes, live sockets.
  router.delete('/api/classrooms/:id/device', auth, async (req, res) => {
    const { id } = parse(classroomParam, req.params);
    const revoked = await revokeClassroomDevice(db, currentUser(res), id);
    const body: RevokeDeviceResponse = {
      sessions: revoked.sessions,
      codes: revoked.codes,
      sockets: (await sockets?.disconnect(revoked.deviceUserIds)) ?? 0,
    };
    res.json(body);
  });

  return router;
}
