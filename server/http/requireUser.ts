// Session check for HTTP routes; the socket layer uses userFromCookieHeader directly.
import type { RequestHandler, Response } from 'express';
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { userFromCookieHeader } from '../auth/sessions.js';

/** Puts the signed-in PublicUser on `res.locals.user`, or answers 401. */
export function requireUser(db: Queryable): RequestHandler {
  return async (req, res, next) => {
    const user = await userFromCookieHeader(db, req.headers.cookie);
    if (!user) throw new AppError('UNAUTHENTICATED', 'please sign in');
    res.locals.user = user;
    next();
  };
}

export function currentUser(res: Response): PublicUser {
  const user = res.locals.user as PublicUser | undefined;
  if (!user) throw new AppError('UNAUTHENTICATED', 'please sign in');
  return user;
}
