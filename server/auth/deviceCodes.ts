// One-time codes that sign a classroom's projector PC in as that classroom.
import { createHash, randomInt, randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { inTx, iso, isUniqueViolation } from '../community/sql.js';
import { USER_COLUMNS, toPublicUser } from './users.js';

/** Read aloud or copied from a phone in a noisy classroom: no 0/O, 1/I/L. */
export const DEVICE_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const DEVICE_CODE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

function generateCode(): string {
  let s = '';
  for (let i = 0; i < 8; i++) s += DEVICE_CODE_ALPHABET[randomInt(DEVICE_CODE_ALPHABET.length)];
  return `${s.slice(0, 4)}-${s.slice(4)}`;
}

/** Dash, case and stray spaces are how people type it, not part of the code. */
export function normalizeDeviceCode(code: string): string {
  return code.replace(/[\s-]/g, '').toUpperCase();
}

function hashCode(code: string): string {
  return createHash('sha256').update(normalizeDeviceCode(code)).digest('hex');
}

export async function issueDeviceCode(
  db: Queryable,
  opts: { classroomId: string; issuedBy: string },
): Promise<{ code: string; expiresAt: string }> {
  const exists = await db.query('select 1 from classrooms where id = $1', [opts.classroomId]);
  if (!exists.length) throw new AppError('NOT_FOUND', 'classroom not found');
  // 31^8 codes: a clash is near impossible, but a retry costs nothing.
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = generateCode();
    const rows = await db.query<{ expires_at: unknown }>(
      `insert into device_codes (code_hash, classroom_id, issued_by, expires_at)
       values ($1, $2, $3, now() + ($4::bigint * interval '1 millisecond'))
       on conflict (code_hash) do nothing returning expires_at`,
      [hashCode(code), opts.classroomId, opts.issuedBy, DEVICE_CODE_TTL_MS],
    );
    if (rows[0]) return { code, expiresAt: iso(rows[0].expires_at) };
  }
  throw new AppError('INTERNAL', 'could not issue a device code');
}

export async function redeemDeviceCode(db: Queryable, code: string): Promise<PublicUser> {
  const normalized = normalizeDeviceCode(code);
  if (!/^[A-Z0-9]{8}$/.test(normalized)) throw new AppError('UNAUTHENTICATED', 'unknown or expired device code');
  const attempt = () =>
    inTx(db, async (q) => {
      // Marking it used in the same statement that checks it keeps two PCs from sharing one code.
      const used = await q.query<{ classroom_id: string }>(
        `update device_codes set used_at = now()
          where code_hash = $1 and used_at is null and expires_at > now() returning classroom_id`,
        [hashCode(normalized)],
      );
      const classroomId = used[0]?.classroom_id;
      if (!classroomId) throw new AppError('UNAUTHENTICATED', 'unknown, used or expired device code');
      return deviceUserFor(q, classroomId);
    });
  try {
    return await attempt();
  } catch (err) {
    // Two codes of one classroom redeemed at once: the other created the device user; use it.
    if (isUniqueViolation(err)) return attempt();
    throw err;
  }
}

async function deviceUserFor(q: Queryable, classroomId: string): Promise<PublicUser> {
  const username = `device-${classroomId}`;
  const existing = await q.query(`select ${USER_COLUMNS} from users u where u.username = $1`, [username]);
  if (existing[0]) return toPublicUser(existing[0]);
  const info = await q.query<{ school_id: string; community_id: string; classroom_name: string; school_name: string }>(
    `select c.school_id, s.community_id, c.name as classroom_name, s.name as school_name
       from classrooms c join schools s on s.id = c.school_id where c.id = $1`,
    [classroomId],
  );
  const c = info[0];
  if (!c) throw new AppError('NOT_FOUND', 'classroom not found');
  const rows = await q.query(
    `insert into users (id, community_id, school_id, classroom_id, username, display_name, role, password_hash)
     values ($1, $2, $3, $4, $5, $6, 'classroom', null)
     returning id, username, display_name, role, school_id, classroom_id`,
    [randomUUID(), c.community_id, c.school_id, classroomId, username, `${c.school_name} ${c.classroom_name}`],
  );
  return toPublicUser(rows[0]);
}
