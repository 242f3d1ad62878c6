// The Socket.IO edge: every client event is validated against its contract (zod) and answered
// with a typed ack; nothing a client sends can throw past this point. What a handler's error
// becomes is the same rule as for HTTP (server/http/apiError.ts). One class for both
// Socket.IO servers: the live lesson's (SocketEdge) and the lesson plans' (server/plans/socket.ts).
import type { ZodError, z } from 'zod';
import { LIMITS, clientSchemas, type ClientResults } from '../contract/events.js';
import type { Ack, ApiError } from '../contract/errors.js';
import { logger, type Logger } from '../contract/log.js';
import { toApiError, zodMessage } from '../http/apiError.js';
import type { LiveSocket } from './types.js';

const liveEdgeLog = logger('live.edge');

/** Per-connection budget of messages; a flooding client gets RATE_LIMITED, not our CPU. */
const FLOOD_MAX = 300;
const FLOOD_WINDOW_MS = 10_000;

type Schemas = Record<string, z.ZodTypeAny>;
type Results<S extends Schemas> = { [E in keyof S]: unknown };
export type Handler<S extends Schemas, R extends Results<S>, E extends keyof S> = (payload: z.infer<S[E]>) => Promise<R[E]> | R[E];

/** What the edge needs of a Socket.IO server-side socket (either server's). */
interface EdgeSocket {
  onAny(listener: (event: unknown, ...args: unknown[]) => void): unknown;
  disconnect(close?: boolean): unknown;
}

export interface FloodBudget {
  /** Budget units per window; an ordinary message costs 1, a handler may charge more (`cost`). */
  max: number;
  windowMs: number;
  /** Per-event payload limit (bytes, measured before the contract parses it): larger is TOO_LARGE. */
  payloadBytesMax?: number;
}

/** A payload over a byte limit (the contracts' own "larger than N bytes" refinement) is TOO_LARGE. */
function payloadError(err: ZodError): ApiError {
  const tooBig = err.issues[0]?.message.startsWith('larger than') ?? false;
  return { code: tooBig ? 'TOO_LARGE' : 'BAD_REQUEST', message: zodMessage(err) };
}

/**
 * About the bytes a decoded Socket.IO payload took on the wire, as JSON (strings as UTF-8 with
 * quotes, binary attachments as is, a separator per item), counting only up to `limit`: linear in
 * the part it looks at, and it stops there.
 */
export function payloadBytes(value: unknown, limit: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length && total <= limit) {
    const v = stack.pop();
    if (typeof v === 'string') total += Buffer.byteLength(v) + 2;
    else if (typeof v === 'number' || typeof v === 'bigint') total += String(v).length;
    else if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) total += v.byteLength;
    else if (Array.isArray(v)) {
      // One separator per item at least: a huge array is over the limit before it is walked.
      total += 1 + v.length;
      if (total <= limit) for (const x of v) stack.push(x);
    } else if (v && typeof v === 'object') {
      total += 2;
      for (const [k, x] of Object.entries(v)) {
        total += Buffer.byteLength(k) + 4;
        stack.push(x);
      }
    } else total += 4; // true, false, null
  }
  return total;
}

export class ContractEdge<S extends Schemas, R extends Results<S>> {
  /** Spent budget in the window: [time, cost] pairs and their sum. */
  private spent: [number, number][] = [];
  private spentSum = 0;
  /** Messages refused for the budget in the window; a client that keeps going is cut off. */
  private refused: number[] = [];
  /** Handlers of one socket run one at a time, in arrival order (out-of-order safe). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly socket: EdgeSocket,
    private readonly schemas: S,
    /** Per-connection budget of messages; a flooding client gets RATE_LIMITED, not our CPU. */
    private readonly flood: FloodBudget,
    /** Where handler bugs and floods are logged: the server's own scope. */
    private readonly log: Logger = liveEdgeLog,
  ) {
    // Events outside the contract: answer if the client gave an ack, otherwise ignore. They cost
    // budget like any message: a stream of unknown names is a flood too.
    socket.onAny((event: unknown, ...args: unknown[]) => {
      // Own keys only: `in` would also take 'constructor', 'toString'… and leave them unanswered.
      if (typeof event === 'string' && Object.hasOwn(schemas, event)) return;
      const ack = args[args.length - 1];
      const allowed = this.allow(1);
      if (typeof ack === 'function') ack(allowed ? fail('NOT_FOUND', 'unknown event') : fail('RATE_LIMITED', 'too many messages'));
    });
  }

  /**
   * `serial: false` runs the handler on arrival instead of behind the socket's earlier ones
   * (for messages whose order does not matter, such as Yjs edits).
   */
  on<E extends keyof S & string>(
    event: E,
    handler: Handler<S, R, E>,
    /** `cost`: budget units of a valid message whose work grows with its payload (counted after parsing). */
    opts: { serial?: boolean; cost?: (payload: z.infer<S[E]>) => number } = {},
  ): void {
    const schema = this.schemas[event];
    (this.socket as unknown as { on(e: string, l: (...a: unknown[]) => void): void }).on(event, (...args: unknown[]) => {
      const last = args[args.length - 1];
      const ack = typeof last === 'function' ? (last as (r: Ack<unknown>) => void) : () => undefined;
      if (typeof last === 'function') args.pop();
      if (!this.allow(1)) return ack(fail('RATE_LIMITED', 'too many messages'));
      if (args.length !== 1) return ack(fail('BAD_REQUEST', 'expected one payload object'));
      // The transport's frame limit is a few times this one, so an oversized payload gets an answer
      // instead of a closed socket; it is measured before the contract looks at it.
      const maxBytes = this.flood.payloadBytesMax;
      if (maxBytes !== undefined && payloadBytes(args[0], maxBytes) > maxBytes) {
        return ack(fail('TOO_LARGE', `larger than ${maxBytes} bytes`));
      }
      const parsed = schema.safeParse(args[0]);
      if (!parsed.success) return ack({ ok: false, error: payloadError(parsed.error) });
      const extra = opts.cost ? opts.cost(parsed.data as z.infer<S[E]>) - 1 : 0;
      if (extra > 0 && !this.allow(extra)) return ack(fail('RATE_LIMITED', 'too many messages'));
      const run = async () => {
        try {
          const data = await handler(parsed.data as z.infer<S[E]>);
          ack({ ok: true, data: data ?? null });
        } catch (err) {
          ack({ ok: false, error: toApiError(err, { edge: 'socket', log: this.log, fields: { event } }) });
        }
      };
      if (opts.serial === false) void run();
      else this.queue = this.queue.then(run, run);
    });
  }

  private allow(cost: number): boolean {
    const now = Date.now();
    const { windowMs, max } = this.flood;
    while (this.spent.length && now - this.spent[0][0] > windowMs) this.spentSum -= this.spent.shift()![1];
    if (this.spentSum + cost <= max) {
      this.spent.push([now, cost]);
      this.spentSum += cost;
      return true;
    }
    // Refusals are cheap but not free: a client that sends another full budget's worth after
    // being refused is not a busy page but a flood, and is disconnected.
    while (this.refused.length && now - this.refused[0] > windowMs) this.refused.shift();
    this.refused.push(now);
    if (this.refused.length >= max) {
      this.log.warn('socket disconnected for flooding', { refused: this.refused.length, windowMs });
      this.refused = [];
      this.socket.disconnect(true);
    }
    return false;
  }
}

/** The live lesson's edge. */
export class SocketEdge extends ContractEdge<typeof clientSchemas, ClientResults> {
  constructor(socket: LiveSocket) {
    super(socket, clientSchemas, { max: FLOOD_MAX, windowMs: FLOOD_WINDOW_MS, payloadBytesMax: LIMITS.messageBytesMax });
  }
}

function fail(code: ApiError['code'], message: string): Ack<never> {
  return { ok: false, error: { code, message } };
}
