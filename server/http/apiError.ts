// The one rule, for HTTP responses and Socket.IO acks alike, that turns a thrown error into what
// the client is told. A client error is one we decided on: an AppError (thrown by a handler, a
// repository or the media layer — media/clientInput.ts marks mediasoup's own refusals of a
// browser's parameters as such where they enter mediasoup), a payload that failed its contract,
// or text the database cannot store. Everything else is a bug: INTERNAL with a generic message,
// logged with its stack and counted, never guessed into BAD_REQUEST by its class (a TypeError
// in a handler is ours, not the client's).
import client from 'prom-client';
import { ZodError } from 'zod';
import { AppError, type ApiError } from '../contract/errors.js';
import type { Logger } from '../contract/log.js';

/** Errors that left an edge as INTERNAL; each is a bug to look up in the log. Registered by server/metrics.ts. */
export const internalErrors = new client.Counter({
  name: 'tongbu_internal_errors_total',
  help: 'Requests answered INTERNAL because a handler threw something unexpected (each is a bug; its stack is in the log)',
  labelNames: ['edge'],
  registers: [],
});

export type Edge = 'http' | 'socket';

export function toApiError(err: unknown, at: { edge: Edge; log: Logger; fields?: object }): ApiError {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  if (err instanceof ZodError) return { code: 'BAD_REQUEST', message: zodMessage(err) };
  // Text the database cannot store (NUL, a lone UTF-16 surrogate in JSON) came from the client.
  if (isPgDataError(err)) return { code: 'BAD_REQUEST', message: 'text contains characters that cannot be stored' };
  internalErrors.inc({ edge: at.edge });
  at.log.error('unexpected error; answered INTERNAL', { ...at.fields, err });
  return { code: 'INTERNAL', message: 'internal error' };
}

export function zodMessage(err: ZodError): string {
  const issue = err.issues[0];
  if (!issue) return 'invalid request';
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/** SQLSTATE 22021 / 22P02 / 22P05: invalid byte sequence, invalid JSON text, untranslatable character. */
function isPgDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['22021', '22P02', '22P05'].includes(code);
}
