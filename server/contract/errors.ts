// Typed errors carried in Socket.IO acks and HTTP responses alike.
export const ERROR_CODES = [
  'BAD_REQUEST', // payload failed validation
  'UNAUTHENTICATED', // no valid session
  'FORBIDDEN', // role or school does not allow this action
  'NOT_FOUND',
  'CONFLICT', // wrong state for this action (e.g. producing before joining)
  'RATE_LIMITED',
  'TOO_LARGE',
  'UNAVAILABLE', // media worker restarting; retry
  'INTERNAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ApiError {
  code: ErrorCode;
  message: string;
}

export type Ack<T> = { ok: true; data: T } | { ok: false; error: ApiError };

/**
 * Thrown by handlers, the media layer and repositories alike: the one error a client is told
 * about (as an error ack or an HTTP status). Anything else that reaches an edge is a bug and
 * leaves as INTERNAL (server/http/apiError.ts). `cause` keeps what it was made from for the log.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

export const HTTP_STATUS: Record<ErrorCode, number> = {
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  RATE_LIMITED: 429,
  TOO_LARGE: 413,
  UNAVAILABLE: 503,
  INTERNAL: 500,
};
