// Sign-in by password (staff) and by one-time device code (classroom projector PCs).
import { randomBytes } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Queryable } from '../db/db.js';
import type { Config } from '../config.js';
import type { PublicUser } from '../contract/domain.js';
import { deviceLoginBody, loginBody } from '../contract/api.js';
import { AppError } from '../contract/errors.js';
import { parse } from '../http/validate.js';
import { currentUser, requireUser } from '../http/requireUser.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { createWebLimits, type RateLimiter, type WebLimits } from './rateLimit.js';
import { redeemDeviceCode } from './deviceCodes.js';
import {
  DEVICE_COOKIE_MAX_AGE_MS,
  DEVICE_SESSION_TTL_MS,
  PASSWORD_SESSION_TTL_MS,
  SESSION_COOKIE,
  createSession,
  destroySession,
  tokenFromCookieHeader,
} from './sessions.js';
import { findUserForLogin } from './users.js';

export interface AuthRouterOptions {
  db: Queryable;
  config: Pick<Config, 'secureCookies'>;
  /** Shared through Redis by the web role (server/app.ts); in memory when absent. */
  limits?: Pick<WebLimits, 'loginUserIp' | 'loginIp' | 'loginUser' | 'device'>;
}

// Unknown usernames still pay for one scrypt, so timing does not tell which accounts exist.
let dummyHash: Promise<string> | undefined;
const getDummyHash = () => (dummyHash ??= hashPassword(randomBytes(16).toString('hex')));

export function clientIp(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

export function authRouter(opts: AuthRouterOptions): Router {
  const { db, config } = opts;
  const limits = opts.limits ?? createWebLimits();
  const router = Router();

  const cookieOptions = (req: Request, maxAge?: number) => ({
    httpOnly: true,
    sameSite: 'lax' as const,
    // Behind an HTTPS proxy (trust proxy + X-Forwarded-Proto) or on HTTPS itself: Secure by itself.
    secure: config.secureCookies ?? req.secure,
    path: '/',
    ...(maxAge === undefined ? {} : { maxAge }),
  });

  const startSession = async (req: Request, res: Response, user: PublicUser, ttlMs: number, cookieMaxAgeMs = ttlMs) => {
    // Signing in on a shared PC replaces whoever was signed in there.
    const previous = tokenFromCookieHeader(req.headers.cookie);
    if (previous) await destroySession(db, previous);
    const token = await createSession(db, user.id, ttlMs);
    res.cookie(SESSION_COOKIE, token, cookieOptions(req, cookieMaxAgeMs));
    res.json({ user });
  };

  const refuse = (res: Response): never => {
    res.setHeader('Retry-After', '600');
    throw new AppError('RATE_LIMITED', 'too many sign-in attempts; wait a few minutes and try again');
  };
  /** Takes one attempt from every limiter (all of them, so each counts); refuses if any is spent. */
  const takeAll = async (res: Response, checks: [RateLimiter, string][]) => {
    const taken = await Promise.all(checks.map(([limiter, key]) => limiter.take(key)));
    if (taken.includes(false)) refuse(res);
  };

  router.post('/api/auth/login', async (req, res) => {
    const body = parse(loginBody, req.body);
    const username = body.username.toLowerCase();
    const ip = clientIp(req);
    const userIp = `${username}\n${ip}`;
    // Counted before the password is checked (so parallel guesses cannot all slip through),
    // given back when it was right.
    await takeAll(res, [[limits.loginUserIp, userIp], [limits.loginIp, ip], [limits.loginUser, username]]);
    const found = await findUserForLogin(db, body.username);
    const ok = await verifyPassword(body.password, found?.passwordHash ?? (await getDummyHash()));
    if (!found || !found.passwordHash || !ok) throw new AppError('UNAUTHENTICATED', 'wrong username or password');
    await Promise.all([limits.loginUserIp.reset(userIp), limits.loginIp.giveBack(ip), limits.loginUser.giveBack(username)]);
    await startSession(req, res, found.user, PASSWORD_SESSION_TTL_MS);
  });

  router.post('/api/auth/device', async (req, res) => {
    const body = parse(deviceLoginBody, req.body);
    await takeAll(res, [[limits.device, clientIp(req)]]);
    const user = await redeemDeviceCode(db, body.code);
    // The server's sliding expiry decides; the cookie itself lasts as long as browsers allow.
    await startSession(req, res, user, DEVICE_SESSION_TTL_MS, DEVICE_COOKIE_MAX_AGE_MS);
  });

  router.post('/api/auth/logout', async (req, res) => {
    const token = tokenFromCookieHeader(req.headers.cookie);
    if (token) await destroySession(db, token);
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.json({ ok: true });
  });

  router.get('/api/me', requireUser(db), (_req, res) => {
    res.json({ user: currentUser(res) });
  });

  return router;
}
