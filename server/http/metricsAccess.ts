// /metrics tells anyone how many lessons run, where and on what: only for the monitoring that
// runs on this machine (loopback) or presents TONGBU_METRICS_TOKEN as `Authorization: Bearer`.
// req.ip honours `trust proxy`, so a request relayed by a local reverse proxy counts as the
// client the proxy names in X-Forwarded-For, not as loopback.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '../contract/errors.js';

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3})$/;

const digest = (s: string) => createHash('sha256').update(s).digest();

export function metricsAccess(token: string | undefined): RequestHandler {
  const expected = token ? digest(token) : null;
  return (req, _res, next) => {
    const auth = req.get('authorization') ?? '';
    const bearer = auth.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : '';
    // Equal-length digests: the comparison takes the same time whatever was sent.
    if (expected && bearer && timingSafeEqual(digest(bearer), expected)) return next();
    if (LOOPBACK.test(req.ip ?? '')) return next();
    next(new AppError(expected && bearer ? 'FORBIDDEN' : 'UNAUTHENTICATED', 'metrics need a token or a local address'));
  };
}
