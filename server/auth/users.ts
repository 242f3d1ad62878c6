// Mapping of users rows to the public shape, and the look-ups several features share.
import type { Queryable } from '../db/db.js';
import type { PublicUser, Role } from '../contract/domain.js';

export const USER_COLUMNS = 'u.id, u.username, u.display_name, u.role, u.school_id, u.classroom_id';

export function toPublicUser(r: Record<string, unknown>): PublicUser {
  return {
    id: String(r.id),
    username: String(r.username),
    displayName: String(r.display_name),
    role: r.role as Role,
    schoolId: (r.school_id as string | null) ?? null,
    classroomId: (r.classroom_id as string | null) ?? null,
  };
}

export async function getUser(db: Queryable, id: string): Promise<PublicUser | null> {
  const rows = await db.query(`select ${USER_COLUMNS} from users u where u.id = $1`, [id]);
  return rows[0] ? toPublicUser(rows[0]) : null;
}

export async function findUserForLogin(
  db: Queryable,
  username: string,
): Promise<{ user: PublicUser; passwordHash: string | null } | null> {
  const rows = await db.query(`select ${USER_COLUMNS}, u.password_hash from users u where u.username = $1`, [username]);
  const r = rows[0];
  return r ? { user: toPublicUser(r), passwordHash: (r.password_hash as string | null) ?? null } : null;
}

/** PublicUser carries no community; authorisation asks for it here. */
export async function communityIdOf(db: Queryable, userId: string): Promise<string | null> {
  const rows = await db.query<{ community_id: string }>('select community_id from users where id = $1', [userId]);
  return rows[0]?.community_id ?? null;
}
