// Opaque random session tokens; the database only ever holds their sha256, so a leaked
// backup cannot be replayed as a login.
import { createHash, randomBytes } from 'node:crypto';
import { parse as parseCookie } from 'cookie';
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { USER_COLUMNS, toPublicUser } from './users.js';

export const SESSION_COOKIE = 'tongbu_session';
export const PASSWORD_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/**
 * A projector PC has nobody at a keyboard during class: it must stay signed in — but a PC that
 * was stolen, sold or re-imaged must not stay signed in for a year. So a device session slides:
 * it ends 30 days after its last use, and every use (HTTP or socket handshake) renews it.
 * Its school admin can also end it at once (deviceSessions.ts).
 */
export const DEVICE_SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** Renewal writes at most once per this interval per session (not on every request). */
export const DEVICE_SESSION_RENEW_AFTER_MS = 60 * 60 * 1000;
/** The cookie outlives any server-side expiry (browsers cap at 400 days): the server decides. */
export const DEVICE_COOKIE_MAX_AGE_MS = 400 * 24 * 60 * 60 * 1000;

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
  const idHash = hashToken(token);
  const rows = await db.query(
    `select ${USER_COLUMNS} from sessions s join users u on u.id = s.user_id
      where s.id_hash = $1 and s.expires_at > now()`,
    [idHash],
  );
  if (!rows[0]) return null;
  const user = toPublicUser(rows[0]);
  // Device accounts have no password: every session of theirs is a device session.
  if (user.role === 'classroom') await renewDeviceSession(db, idHash);
  return user;
}

/** Sliding expiry: a used device session lasts DEVICE_SESSION_TTL_MS from now (written at most hourly). */
async function renewDeviceSession(db: Queryable, idHash: string): Promise<void> {
  await db.query(
    `update sessions set expires_at = now() + ($2::bigint * interval '1 millisecond')
      where id_hash = $1 and expires_at > now() and expires_at < now() + ($3::bigint * interval '1 millisecond')`,
    [idHash, DEVICE_SESSION_TTL_MS, DEVICE_SESSION_TTL_MS - DEVICE_SESSION_RENEW_AFTER_MS],
  );
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
