// mediasoup checks what a browser sends (DTLS parameters, RTP parameters, RTP capabilities) and
// refuses it with a TypeError, or its own UnsupportedError for what it understands but cannot
// do. Only where a client's parameters enter mediasoup is that refusal the client's fault, so
// only those calls go through clientInput(): there it becomes BAD_REQUEST. The same TypeError
// from anywhere else is our bug and reaches the edge as it is (INTERNAL, logged with its stack).
import { AppError } from '../server/contract/errors.js';

export async function clientInput<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof TypeError || (err instanceof Error && err.name === 'UnsupportedError')) {
      throw new AppError('BAD_REQUEST', `${what}: ${err.message.slice(0, 200)}`, { cause: err });
    }
    throw err;
  }
}
