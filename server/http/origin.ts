// Cross-site request refusal for state-changing HTTP requests and for Socket.IO handshakes.
// SameSite=Lax cookies already keep most cross-site POSTs unauthenticated, but not a sibling
// subdomain (same site), an old browser, or a WebSocket — which no CORS rule covers: a page
// elsewhere could open our socket with the user's cookie and act as them.
// A browser always sends Origin on cross-origin requests, on every non-GET fetch and on every
// WebSocket handshake, so: an Origin (or, without it, a Referer) must be this server's own
// (the Host the request was sent to) or one of TONGBU_ALLOWED_ORIGINS. A request with neither
// header is no browser's (curl, the tests' clients, a monitoring probe) and carries no
// ambient-authority risk; it is let through. `Origin: null` (sandboxed frame, file://) is refused.
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { AppError } from '../contract/errors.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `https://school.example:8443` → itself; anything unparsable → null. */
export function normalizeOrigin(value: string): string | null {
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
    return u.origin;
  } catch {
    return null;
  }
}

export function parseAllowedOrigins(list: string | undefined): Set<string> {
  const out = new Set<string>();
  for (const part of (list ?? '').split(',')) {
    const o = part.trim() ? normalizeOrigin(part.trim()) : null;
    if (o) out.add(o);
  }
  return out;
}

/** Whether the request comes from a page of this server (or an allowed one), or from no browser. */
export function originAllowed(headers: IncomingMessage['headers'], allowed: ReadonlySet<string>): boolean {
  const origin = typeof headers.origin === 'string' ? headers.origin : undefined;
  const referer = typeof headers.referer === 'string' ? headers.referer : undefined;
  const claimed = origin ?? referer;
  if (claimed === undefined) return true;
  const normalized = normalizeOrigin(claimed);
  if (!normalized) return false;
  if (allowed.has(normalized)) return true;
  // Same origin: the page's host:port is the one this request was addressed to. (A proxy in
  // front keeps Host, as nginx's `proxy_set_header Host $host` and Caddy do; otherwise list
  // the public origin in TONGBU_ALLOWED_ORIGINS.)
  const host = headers.host;
  return typeof host === 'string' && new URL(normalized).host === host.toLowerCase();
}

/** Express: POST/PUT/PATCH/DELETE from another origin → 403 FORBIDDEN (typed, as every API error). */
export function requireSameOrigin(allowed: ReadonlySet<string>): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method) || originAllowed(req.headers, allowed)) return next();
    next(new AppError('FORBIDDEN', 'cross-origin request refused'));
  };
}

/** Socket.IO `allowRequest` (both /socket.io and /plans.io): the handshake's Origin is checked the same way. */
export function socketOriginCheck(allowed: ReadonlySet<string>) {
  return (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void): void => {
    if (originAllowed(req.headers, allowed)) callback(null, true);
    else callback('FORBIDDEN', false);
  };
}
