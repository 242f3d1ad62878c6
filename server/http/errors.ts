// Every failure leaves as `{ error: { code, message } }`; nothing internal reaches the client.
// What a thrown error becomes is one rule for HTTP and sockets (apiError.ts).
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { HTTP_STATUS, type ErrorCode } from '../contract/errors.js';
import { logger } from '../contract/log.js';
import { toApiError } from './apiError.js';

const log = logger('http');

export function sendError(res: Response, code: ErrorCode, message: string): void {
  res.status(HTTP_STATUS[code]).json({ error: { code, message } });
}

/** Unknown /api paths answer JSON, not the client app's HTML. */
export const apiNotFound: RequestHandler = (_req, res) => sendError(res, 'NOT_FOUND', 'no such API route');

export const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  // body-parser's own refusals of a body carry a status and a type.
  const e = (err ?? {}) as { status?: unknown; statusCode?: unknown; type?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (e.type === 'entity.too.large' || status === 413) return sendError(res, 'TOO_LARGE', 'request body is too large');
  if (e.type === 'entity.parse.failed') return sendError(res, 'BAD_REQUEST', 'request body is not valid JSON');
  if (status >= 400 && status < 500) return sendError(res, 'BAD_REQUEST', 'request could not be read');
  const { code, message } = toApiError(err, { edge: 'http', log, fields: { method: req.method, path: req.path } });
  sendError(res, code, message);
};
