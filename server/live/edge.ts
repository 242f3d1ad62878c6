// The Socket.IO edge: every client event is validated against its contract (zod) and answered
// with a typed ack; nothing a client sends can throw past this point. One class for both
// Socket.IO servers: the live lesson's (SocketEdge) and the lesson plans' (server/plans/socket.ts).
import { ZodError, type z } from 'zod';
import { clientSchemas, type ClientResults } from '../contract/events.js';
import { AppError, type Ack, type ApiError } from '../contract/errors.js';
import { MediaError } from '../../media/MediaPeer.js';
import { logger } from '../log.js';
import type { LiveSocket } from './types.js';

const log = logger('live.edge');

/** Per-connection budget of messages; a flooding client gets RATE_LIMITED, not our CPU. */
const FLOOD_MAX = 300;
const FLOOD_WINDOW_MS = 10_000;

type Schemas = Record<string, z.ZodTypeAny>;
type Results<S extends Schemas> = { [E in keyof S]: unknown };
export type Handler<S extends Schemas, R extends Results<S>, E extends keyof S> = (payload: z.infer<S[E]>) => Promise<R[E]> | R[E];

/** What the edge needs of a Socket.IO server-side socket (either server's). */
interface EdgeSocket {
  onAny(listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function toApiError(err: unknown): ApiError {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  if (err instanceof MediaError) return { code: err.code, message: err.message };
  if (err instanceof ZodError) return { code: 'BAD_REQUEST', message: zodMessage(err) };
  // Text the database cannot store (NUL, a lone UTF-16 surrogate in JSON) came from the client.
  if (isPgDataError(err)) return { code: 'BAD_REQUEST', message: 'text contains characters that cannot be stored' };
  // mediasoup rejects bad RTP/DTLS parameters with TypeError; those are the client's fault.
  if (err instanceof TypeError || (err instanceof Error && err.name === 'UnsupportedError')) {
    return { code: 'BAD_REQUEST', message: err.message.slice(0, 200) };
  }
  log.error('unexpected handler error', { err });
  return { code: 'INTERNAL', message: 'internal error' };
}

/** SQLSTATE 22021 / 22P02 / 22P05: invalid byte sequence, invalid JSON text, untranslatable character. */
function isPgDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && ['22021', '22P02', '22P05'].includes(code);
}

function zodMessage(err: ZodError): string {
  const i = err.issues[0];
  return i ? `${i.path.join('.') || 'payload'}: ${i.message}` : 'invalid payload';
}

/** A payload over a byte limit (the contracts' own "larger than N bytes" refinement) is TOO_LARGE. */
function payloadError(err: ZodError): ApiError {
  const tooBig = err.issues[0]?.message.startsWith('larger than') ?? false;
  return { code: tooBig ? 'TOO_LARGE' : 'BAD_REQUEST', message: zodMessage(err) };
}

export class ContractEdge<S extends Schemas, R extends Results<S>> {
  private stamps: number[] = [];
  /** Handlers of one socket run one at a time, in arrival order (out-of-order safe). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly socket: EdgeSocket,
    private readonly schemas: S,
    /** Per-connection budget of messages; a flooding client gets RATE_LIMITED, not our CPU. */
    private readonly flood: { max: number; windowMs: number },
  ) {
    // Events outside the contract: answer if the client gave an ack, otherwise ignore.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      // Own keys only: `in` would also take 'constructor', 'toString'… and leave them unanswered.
      if (typeof event === 'string' && Object.hasOwn(schemas, event)) return;
      const ack = args[args.length - 1];
      if (typeof ack === 'function') ack(fail('NOT_FOUND', 'unknown event'));
    });
  }

  /**
   * `serial: false` runs the handler on arrival instead of behind the socket's earlier ones
   * (for messages whose order does not matter, such as Yjs edits).
   */
  on<E extends keyof S & string>(event: E, handler: Handler<S, R, E>, opts: { serial?: boolean } = {}): void {
    const schema = this.schemas[event];
    (this.socket as unknown as { on(e: string, l: (...a: unknown[]) => void): void }).on(event, (...args: unknown[]) => {
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as (r: Ack<unknown>) => void) : () => undefined;
      if (typeof last === 'function') args.pop();
      if (!this.allow()) return ack(fail('RATE_LIMITED', 'too many messages'));
      if (args.length !== 1) return ack(fail('BAD_REQUEST', 'expected one payload object'));
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success) return ack({ ok: false, error: payloadError(parsed.error) });
      const run = async () => {
        try {
          const data = await handler(parsed.data as z.infer<S[E]>);
          ack({ ok: true, data: data ?? null });
        } catch (err) {
          ack({ ok: false, error: toApiError(err) });
        }
      };
      if (opts.serial === false) void run();
      else this.queue = this.queue.then(run, run);
    });
  }

  private allow(): boolean {
    const now = Date.now();
    while (this.stamps.length && now - this.stamps[0] > this.flood.windowMs) this.stamps.shift();
    if (this.stamps.length >= this.flood.max) return false;
    this.stamps.push(now);
    return true;
  }
}

/** The live lesson's edge. */
export class SocketEdge extends ContractEdge<typeof clientSchemas, ClientResults> {
  constructor(socket: LiveSocket) {
    super(socket, clientSchemas, { max: FLOOD_MAX, windowMs: FLOOD_WINDOW_MS });
  }
}

function fail(code: ApiError['code'], message: string): Ack<never> {
  return { ok: false, error: { code, message } };
}
