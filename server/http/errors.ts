// Every failure leaves as `{ error: { code, message } }`; nothing internal reaches the client.
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { AppError, HTTP_STATUS, type ErrorCode } from '../contract/errors.js';
import { logger } from '../contract/log.js';

const log = logger('http');

export function sendError(res: Response, code: ErrorCode, message: string): void {
  res.status(HTTP_STATUS[code]).json({ error: { code, message } });
}

export function zodMessage(err: ZodError): string {
  const issue = err.issues[0];
  if (!issue) return 'invalid request';
  return issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

/** Unknown /api paths answer JSON, not the client app's HTML. */
export const apiNotFound: RequestHandler = (_req, res) => sendError(res, 'NOT_FOUND', 'no such API route');

export const errorHandler: ErrorRequestHandler = (err, req, res, next) => {
  if (res.headersSent) return next(err);
  if (err instanceof AppError) return sendError(res, err.code, err.message);
  if (err instanceof ZodError) return sendError(res, 'BAD_REQUEST', zodMessage(err));
  // body-parser errors carry a status and a type.
  const e = (err ?? {}) as { status?: unknown; statusCode?: unknown; type?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (e.type === 'entity.too.large' || status === 413) return sendError(res, 'TOO_LARGE', 'request body is too large');
  if (e.type === 'entity.parse.failed') return sendError(res, 'BAD_REQUEST', 'request body is not valid JSON');
  if (status >= 400 && status < 500) return sendError(res, 'BAD_REQUEST', 'request could not be read');
  log.error('unhandled error', { err, method: req.method, path: req.path });
  sendError(res, 'INTERNAL', 'internal error');
};
