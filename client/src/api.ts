// REST client for server/contract/api.ts. Errors become RequestError with the server's message.
import type { ErrorCode } from '../../server/contract/errors.js';
import { tr, type MessageKey } from './i18n/index.js';
import { RequestError } from './requestError.js';

/** Called on any 401 (except from the login routes themselves). */
let onUnauthenticated: (() => void) | null = null;
export function setUnauthenticatedHandler(fn: (() => void) | null): void {
  onUnauthenticated = fn;
}

export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new RequestError('NETWORK', tr('error.network'), 0);
  }
  let json: unknown = null;
  try {
    json = await res.json();
  } catch {
    /* empty or not JSON */
  }
  if (!res.ok) {
    const err = (json as { error?: { code?: ErrorCode; message?: string } } | null)?.error;
    const code: ErrorCode = err?.code ?? statusCode(res.status);
    const message = err?.message || tr(`error.${code}` as MessageKey);
    if (res.status === 401 && !path.startsWith('/api/auth/')) onUnauthenticated?.();
    throw new RequestError(code, message, res.status);
  }
  return json as T;
}

function statusCode(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'BAD_REQUEST';
    case 401:
      return 'UNAUTHENTICATED';
    case 403:
      return 'FORBIDDEN';
    case 404:
      return 'NOT_FOUND';
    case 409:
      return 'CONFLICT';
    case 413:
      return 'TOO_LARGE';
    case 429:
      return 'RATE_LIMITED';
    case 503:
      return 'UNAVAILABLE';
    default:
      return 'INTERNAL';
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error && e.message) return e.message;
  return tr('error.generic');
}
