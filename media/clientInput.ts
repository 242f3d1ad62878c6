// mediasoup checks what a browser sends (DTLS parameters, RTP parameters, RTP capabilities) and
// refuses it with a TypeError, or its own UnsupportedError for what it understands but cannot
// do. Only where a client's parameters enter mediasoup is that refusal the client's fault, so
// only those calls go through here: there it becomes BAD_REQUEST. The same TypeError from
// anywhere else is our bug and reaches the edge as it is (INTERNAL, logged with its stack).
import type { types } from 'mediasoup';
// mediasoup's own validator (not re-exported by its index; the version is pinned): the one that
// transport.consume() runs on these capabilities later, where a refusal would reach no client.
import { validateRtpCapabilities } from 'mediasoup/node/lib/ortc.js';
import { AppError } from '../server/contract/errors.js';

/** A mediasoup call that takes the client's parameters (`what`, for the message). */
export async function clientInput<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw refused(what, err);
  }
}

/** The client's RTP capabilities, checked now (media:ready, lesson:join) rather than at its first consumer. */
export function checkRtpCapabilities(caps: types.RtpCapabilities): void {
  try {
    // On a copy: the validator fills in defaults, and what we keep is what the client sent.
    validateRtpCapabilities(structuredClone(caps));
  } catch (err) {
    throw refused('rtpCapabilities', err);
  }
}

function refused(what: string, err: unknown): unknown {
  if (err instanceof TypeError || (err instanceof Error && err.name === 'UnsupportedError')) {
    return new AppError('BAD_REQUEST', `${what}: ${err.message.slice(0, 200)}`, { cause: err });
  }
  return err;
}
