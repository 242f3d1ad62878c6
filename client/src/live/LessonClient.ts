// The Socket.IO side of a live lesson: one socket (cookie-authenticated, same origin), typed
// requests with acks and a timeout, and typed server events re-emitted on `events`.
// Socket.IO keeps retrying by itself after network loss or a server restart; when it gives up
// (middleware refusal, server-side disconnect) we reconnect by hand with backoff, forever.
import { io, type Socket } from 'socket.io-client';
import type {
  ClientEventName,
  ClientPayload,
  ClientResults,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../../../server/contract/events.js';
import type { Ack } from '../../../server/contract/errors.js';
import { tr, type MessageKey } from '../i18n/index.js';
import { RequestError } from '../requestError.js';
import { Emitter } from './emitter.js';
import { reconnectDelay } from './reconnect.js';
import { LIVE_SOCKET_OPTIONS } from './socketOptions.js';

export type AppSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export type LessonClientEvents = ServerToClientEvents & {
  connected: () => void;
  disconnected: (reason: string) => void;
  /** The socket could not connect; `unauthenticated` when the server refused the session. */
  connectError: (info: { message: string; unauthenticated: boolean }) => void;
};

/** Every server→client event name (a Record so the compiler checks we list them all). */
const SERVER_EVENTS: Record<keyof ServerToClientEvents, true> = {
  'peer:joined': true,
  'peer:left': true,
  'consumer:new': true,
  'consumer:closed': true,
  'consumer:paused': true,
  'consumer:resumed': true,
  'lesson:state': true,
  'hands:updated': true,
  'stage:updated': true,
  'classroom:muted': true,
  'audio:levels': true,
  'chat:message': true,
  'quiz:pushed': true,
  'quiz:results': true,
  'media:reset': true,
  'recording:state': true,
  'recording:notice': true,
  'recording:progress': true,
  'annotation:created': true,
  'annotation:deleted': true,
  'annotation:mentioned': true,
};

interface LooseSocket {
  on(ev: string, fn: (...args: unknown[]) => void): void;
  timeout(ms: number): { emit(ev: string, payload: unknown, cb: (err: Error | null, res?: unknown) => void): void };
}

export interface LessonClientOptions {
  /** Same origin by default. */
  url?: string;
  requestTimeoutMs?: number;
}

export class LessonClient {
  readonly events = new Emitter<LessonClientEvents>();
  readonly socket: AppSocket;
  private readonly timeoutMs: number;
  private manualRetry: ReturnType<typeof setTimeout> | null = null;
  private manualAttempts = 0;
  private closed = false;

  constructor(opts: LessonClientOptions = {}) {
    this.timeoutMs = opts.requestTimeoutMs ?? 10_000;
    const socketOpts = LIVE_SOCKET_OPTIONS;
    this.socket = (opts.url ? io(opts.url, socketOpts) : io(socketOpts)) as AppSocket;

    const loose = this.socket as unknown as LooseSocket;
    for (const name of Object.keys(SERVER_EVENTS) as (keyof ServerToClientEvents)[]) {
      loose.on(name, (...args: unknown[]) => {
        (this.events.emit as (ev: string, ...a: unknown[]) => void)(name, ...args);
      });
    }

    this.socket.on('connect', () => {
      this.manualAttempts = 0;
      this.events.emit('connected');
    });
    this.socket.on('disconnect', (reason) => {
      this.events.emit('disconnected', reason);
      // 'io server disconnect' (server kicked us) and 'io client disconnect' do not auto-reconnect.
      if (reason === 'io server disconnect') this.scheduleManualReconnect();
    });
    this.socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      const text = `${err.message ?? ''} ${err.data?.code ?? ''}`;
      const unauthenticated = /UNAUTHENTICATED|unauthori[sz]ed|401/i.test(text);
      this.events.emit('connectError', { message: err.message, unauthenticated });
      // A refusal by the server's middleware is not retried by socket.io itself.
      if (!this.socket.active) this.scheduleManualReconnect();
    });
  }

  connect(): void {
    if (this.closed) return;
    if (!this.socket.connected) this.socket.connect();
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  get socketId(): string | undefined {
    return this.socket.id;
  }

  private scheduleManualReconnect(): void {
    if (this.closed || this.manualRetry) return;
    this.manualAttempts += 1;
    const delay = reconnectDelay(this.manualAttempts);
    this.manualRetry = setTimeout(() => {
      this.manualRetry = null;
      if (!this.closed && !this.socket.connected && !this.socket.active) this.socket.connect();
    }, delay);
  }

  /** Emit a client event and resolve with its ack data; reject with RequestError (never hangs). */
  request<E extends ClientEventName>(event: E, payload: ClientPayload<E>, timeoutMs = this.timeoutMs): Promise<ClientResults[E]> {
    return new Promise<ClientResults[E]>((resolve, reject) => {
      if (this.closed || !this.socket.connected) {
        reject(new RequestError('DISCONNECTED', tr('error.disconnected')));
        return;
      }
      const loose = this.socket as unknown as LooseSocket;
      loose.timeout(timeoutMs).emit(event, payload, (err, res) => {
        if (err) {
          reject(new RequestError('TIMEOUT', tr('error.timeout')));
          return;
        }
        const ack = res as Ack<ClientResults[E]> | undefined;
        if (!ack || typeof ack !== 'object' || typeof ack.ok !== 'boolean') {
          reject(new RequestError('INTERNAL', tr('error.INTERNAL')));
        } else if (ack.ok) {
          resolve(ack.data);
        } else {
          const code = ack.error?.code ?? 'INTERNAL';
          reject(new RequestError(code, ack.error?.message || tr(`error.${code}` as MessageKey)));
        }
      });
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.manualRetry) clearTimeout(this.manualRetry);
    this.manualRetry = null;
    this.socket.disconnect();
    this.socket.removeAllListeners();
    this.events.clear();
  }
}
