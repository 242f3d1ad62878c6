// The one error a request to the server rejects with, over HTTP (api.ts) or a socket (a live
// lesson's LessonClient, 评课 notes): the server's code and message, or what went wrong on the
// way — NETWORK (no answer over HTTP), TIMEOUT (no ack in time), DISCONNECTED (no socket).
import type { ErrorCode } from '../../server/contract/errors.js';

export type RequestErrorCode = ErrorCode | 'NETWORK' | 'TIMEOUT' | 'DISCONNECTED';

export class RequestError extends Error {
  constructor(
    readonly code: RequestErrorCode,
    message: string,
    /** The HTTP status; 0 for a socket request or when no response came. */
    readonly status = 0,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}
