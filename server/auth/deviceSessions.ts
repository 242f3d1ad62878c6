// 教室设备: the classroom devices a school admin (or the community admin) looks after — which
// are signed in, when last used — and revocation: every session of the classroom's device
// account ends at once and its unredeemed codes are voided (a PC that was stolen or handed
// on must not come back with a code left on a sticky note). Live sockets are dropped by the
// caller (UserSockets), since this module only knows the database.
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import type { ClassroomDevice } from '../contract/api.js';
import { AppError } from '../contract/errors.js';
import { iso, isoOrNull } from '../community/sql.js';
import { assertCanManageClassroom } from '../community/policy.js';
import { DEVICE_SESSION_TTL_MS } from './sessions.js';

export async function listClassroomDevices(db: Queryable, user: PublicUser): Promise<ClassroomDevice[]> {
  if (user.role !== 'school_admin' && user.role !== 'community_admin') {
    throw new AppError('FORBIDDEN', "only a school's admin or the community admin manages classroom devices");
  }
  const rows = await db.query<{
    classroom_id: string;
    classroom_name: string;
    school_id: string;
    school_name: string;
    sessions: number | string;
    expires_at: unknown;
    pending_codes: number | string;
  }>(
    `select c.id as classroom_id, c.name as classroom_name, s.id as school_id, s.name as school_name,
            (select count(*) from sessions x join users d on d.id = x.user_id
              where d.classroom_id = c.id and d.role = 'classroom' and x.expires_at > now()) as sessions,
            (select max(x.expires_at) from sessions x join users d on d.id = x.user_id
              where d.classroom_id = c.id and d.role = 'classroom' and x.expires_at > now()) as expires_at,
            (select count(*) from device_codes k where k.classroom_id = c.id and k.used_at is null and k.expires_at > now()) as pending_codes
       from classrooms c join schools s on s.id = c.school_id
      where s.community_id = (select community_id from users where id = $1)
        and ($2::text is null or s.id = $2)
      order by s.name, c.name`,
    [user.id, user.role === 'community_admin' ? null : (user.schoolId ?? '')],
  );
  return rows.map((r) => {
    const expiresAt = isoOrNull(r.expires_at);
    return {
      classroomId: r.classroom_id,
      classroomName: r.classroom_name,
      schoolId: r.school_id,
      schoolName: r.school_name,
      sessions: Number(r.sessions),
      // expires_at = last renewal + TTL (sliding expiry, sessions.ts).
      lastUsedAt: expiresAt ? iso(new Date(Date.parse(expiresAt) - DEVICE_SESSION_TTL_MS)) : null,
      expiresAt,
      pendingCodes: Number(r.pending_codes),
    };
  });
}

/** Ends the classroom's device sessions and voids its unredeemed codes; returns the device account (for its sockets). */
export async function revokeClassroomDevice(
  db: Queryable,
  user: PublicUser,
  classroomId: string,
): Promise<{ deviceUserIds: string[]; sessions: number; codes: number }> {
  await assertCanManageClassroom(db, user, classroomId);
  const devices = await db.query<{ id: string }>(`select id from users where classroom_id = $1 and role = 'classroom'`, [classroomId]);
  const deviceUserIds = devices.map((d) => d.id);
  const ended = deviceUserIds.length
    ? await db.query('delete from sessions where user_id = any($1::text[]) returning 1', [deviceUserIds])
    : [];
  const voided = await db.query('delete from device_codes where classroom_id = $1 and used_at is null returning 1', [classroomId]);
  return { deviceUserIds, sessions: ended.length, codes: voided.length };
}
