// Opaque random session tokens; the database only ever holds their sha256, so a leaked
// backup cannot be replayed as a login.
import { createHash, randomBytes } from 'node:crypto';
import { parse as parseCookie } from 'cookie';
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { USER_COLUMNS, toPublicUser } from './users.js';

export const SESSION_COOKIE = 'tongbu_session';
export const PASSWORD_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** A projector PC has nobody at a keyboard during class: it must stay signed in. */
export const DEVICE_SESSION_TTL_MS = 365 * 24 * 60 * 60 * 1000;

const TOKEN_MAX_LEN = 200;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSession(db: Queryable, userId: string, ttlMs: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.query(
    `insert into sessions (id_hash, user_id, expires_at) values ($1, $2, now() + ($3::bigint * interval '1 millisecond'))`,
    [hashToken(token), userId, Math.round(ttlMs)],
  );
  // Expired rows are useless; pruning on sign-in keeps the table small without a timer.
  await db.query('delete from sessions where user_id = $1 and expires_at <= now()', [userId]);
  return token;
}

export async function userFromToken(db: Queryable, token: string): Promise<PublicUser | null> {
  if (!token || token.length > TOKEN_MAX_LEN) return null;
  const rows = await db.query(
    `select ${USER_COLUMNS} from sessions s join users u on u.id = s.user_id
      where s.id_hash = $1 and s.expires_at > now()`,
    [hashToken(token)],
  );
  return rows[0] ? toPublicUser(rows[0]) : null;
}

export function tokenFromCookieHeader(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  try {
    return parseCookie(cookieHeader)[SESSION_COOKIE] || null;
  } catch {
    return null;
  }
}

export async function userFromCookieHeader(db: Queryable, cookieHeader: string | undefined): Promise<PublicUser | null> {
  const token = tokenFromCookieHeader(cookieHeader);
  return token ? userFromToken(db, token) : null;
}

export async function destroySession(db: Queryable, token: string): Promise<void> {
  if (!token || token.length > TOKEN_MAX_LEN) return;
  await db.query('delete from sessions where id_hash = $1', [hashToken(token)]);
}
