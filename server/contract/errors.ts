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

/** Thrown by handlers; the edge turns it into an error ack or HTTP status. */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
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
