// The live sockets of a user across both Socket.IO servers (/socket.io and /plans.io) and across
// every web process, so a revoked session ends now, not at the device's next reconnect. A socket
// authenticates once, at its handshake (socketAuth.ts): deleting the session row alone would
// leave it connected. (HTTP needs nothing of this: requireUser reads the session row on every
// request, with no cache, so every process answers 401 as soon as the row is gone.)
//
// Other processes are reached by Redis pub/sub on one channel: the lessons' server has no
// adapter (its rooms are per process and its signalling must not go through Redis), so
// fetchSockets() there sees only this process. Each process drops its own sockets and
// answers with how many; the caller waits a bounded time for the answers PUBLISH says are due.
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Server } from 'socket.io';
import type { PublicUser } from '../contract/domain.js';
import { logger } from '../contract/log.js';

const log = logger('auth.sockets');

const CHANNEL = 'tongbu:auth:drop-sockets';
/** How long a revocation waits for the other processes' counts (their sockets drop regardless). */
export const DROP_ANSWER_TIMEOUT_MS = 3000;

// Any server whose sockets carry `data.user` (both of ours do).
type AnyServer = Pick<Server, 'local'>;

type BusMessage =
  | { t: 'drop'; id: string; from: string; userIds: string[] }
  | { t: 'dropped'; id: string; to: string; n: number };

interface Pending {
  /** Answers expected: set once PUBLISH has said how many processes got the message. */
  due: number;
  answers: number;
  /** Sockets the answering processes dropped. */
  n: number;
  done: () => void;
}

export class UserSockets {
  private readonly servers: AnyServer[] = [];
  /** This process on the channel (its own messages come back to it too). */
  private readonly self = randomUUID();
  private pub: Redis | null = null;
  private sub: Redis | null = null;
  private readonly pending = new Map<string, Pending>();

  add(io: AnyServer): void {
    this.servers.push(io);
  }

  /** Joins the other web processes: `redis` publishes (no offline queue: a revocation never waits on an absent Redis); a duplicate subscribes. */
  async connect(redis: Redis): Promise<void> {
    const sub = redis.duplicate();
    let lastWarn = 0;
    sub.on('error', (err) => {
      // Reconnect attempts repeat the same error; one line a minute says it.
      if (Date.now() - lastWarn < 60_000) return;
      lastWarn = Date.now();
      log.warn('redis (socket revocation) unreachable; revocations drop this process’s sockets only', { err });
    });
    sub.on('message', (_channel: string, raw: string) => {
      this.onMessage(raw).catch((err) => log.error('socket revocation message failed', { err }));
    });
    await sub.connect();
    await sub.subscribe(CHANNEL);
    this.pub = redis;
    this.sub = sub;
  }

  /** Disconnects every socket of these users on every process; returns how many were counted. */
  async disconnect(userIds: readonly string[]): Promise<number> {
    const ids = [...new Set(userIds)];
    if (ids.length === 0) return 0;
    let n = await this.disconnectLocal(ids);
    if (this.pub) n += await this.disconnectElsewhere(this.pub, ids);
    return n;
  }

  async close(): Promise<void> {
    for (const p of this.pending.values()) p.done();
    const sub = this.sub;
    this.sub = null;
    this.pub = null;
    sub?.disconnect();
  }

  private async disconnectLocal(ids: readonly string[]): Promise<number> {
    const wanted = new Set(ids);
    let n = 0;
    for (const io of this.servers) {
      for (const s of await io.local.fetchSockets()) {
        const user = (s.data as { user?: PublicUser } | undefined)?.user;
        if (user && wanted.has(user.id)) {
          s.disconnect(true);
          n++;
        }
      }
    }
    if (n) log.info('dropped the sockets of revoked sessions', { sockets: n, users: ids.length });
    return n;
  }

  private async disconnectElsewhere(pub: Redis, userIds: string[]): Promise<number> {
    const id = randomUUID();
    let answered = 0;
    let finish = () => {};
    const all = new Promise<void>((resolve) => (finish = resolve));
    const entry: Pending = { due: Infinity, answers: 0, n: 0, done: finish };
    this.pending.set(id, entry);
    let timer: NodeJS.Timeout | undefined;
    try {
      const message: BusMessage = { t: 'drop', id, from: this.self, userIds };
      // PUBLISH answers how many subscribers got it: this process plus each other one.
      const receivers = await pub.publish(CHANNEL, JSON.stringify(message));
      entry.due = receivers - 1;
      if (entry.answers >= entry.due) finish();
      await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, DROP_ANSWER_TIMEOUT_MS)))]);
      answered = entry.n;
      if (entry.answers < entry.due) {
        log.warn('not every web process answered a socket revocation in time', { due: entry.due, timeoutMs: DROP_ANSWER_TIMEOUT_MS });
      }
    } catch (err) {
      // Redis is away: the session rows are gone (every process's HTTP answers 401, no socket
      // handshake succeeds); sockets already open on other processes stay until they reconnect.
      log.warn('could not reach the other web processes to drop revoked sockets', { err });
    } finally {
      clearTimeout(timer);
      this.pending.delete(id);
    }
    return answered;
  }

  private async onMessage(raw: string): Promise<void> {
    const m = JSON.parse(raw) as BusMessage;
    if (m.t === 'dropped') {
      const p = m.to === this.self ? this.pending.get(m.id) : undefined;
      if (!p) return;
      p.answers++;
      p.n += m.n;
      if (p.answers >= p.due) p.done();
      return;
    }
    if (m.from === this.self) return;
    const n = await this.disconnectLocal(m.userIds);
    const answer: BusMessage = { t: 'dropped', id: m.id, to: m.from, n };
    await this.pub?.publish(CHANNEL, JSON.stringify(answer));
  }
}
