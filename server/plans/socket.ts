// The /plans.io Socket.IO server: Yjs sync, cursors and chat of 集体备课. Its own server
// (not a namespace of the lessons one) for its own frame limit and its own Redis adapter:
// with Redis, editors connected to different processes share rooms.
import type { Server as HttpServer } from 'node:http';
import { HEARTBEAT } from '../live/heartbeat.js';
import { Server, type ServerOptions, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import * as Y from 'yjs';
import type { Db } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import {
  PLAN_LIMITS,
  PLAN_SOCKET_PATH,
  planClientSchemas,
  type PlanAccess,
  type PlanClientResults,
  type PlanClientToServerEvents,
  type PlanServerToClientEvents,
} from '../contract/planEvents.js';
import { cookieAuth } from '../auth/socketAuth.js';
import { capSocketsPerUser } from '../auth/socketCap.js';
import { LIMITS } from '../contract/limits.js';
import { chatLimiter as defaultChatLimiter, type RateLimiter } from '../auth/rateLimit.js';
import { ContractEdge } from '../live/edge.js';
import { logger } from '../contract/log.js';
import type { PlanHub } from './hub.js';
import { requirePlan } from './policy.js';
import { addPlanChat, listPlanChat } from './repo.js';

const log = logger('plans.io');

/** Per-connection budget: typing sends one update per keystroke plus cursor moves. */
const FLOOD_MAX = 1500;
const FLOOD_WINDOW_MS = 10_000;

type ServerEvents = {
  // base64: the Redis adapter sends server-side events as JSON.
  'plan:relay-update': (planId: string, update: string) => void;
  'plan:relay-awareness': (planId: string, update: string) => void;
};
type PlanServer = Server<PlanClientToServerEvents, PlanServerToClientEvents, ServerEvents, { user: PublicUser }>;
type PlanSocket = Socket<PlanClientToServerEvents, PlanServerToClientEvents, ServerEvents, { user: PublicUser }>;

export const planRoom = (planId: string) => `plan:${planId}`;

export interface PlanSocketService {
  io: PlanServer;
  clustered: boolean;
  close(): Promise<void>;
}

export async function attachPlanSockets(
  httpServer: HttpServer,
  deps: {
    db: Db;
    hub: PlanHub;
    redisUrl?: string;
    /** Shared through Redis by the web role. */
    chatLimiter?: RateLimiter;
    /** The handshake's Origin check (server/http/origin.ts). */
    allowRequest?: ServerOptions['allowRequest'];
  },
): Promise<PlanSocketService> {
  const { db, hub } = deps;
  const io: PlanServer = new Server(httpServer, {
    path: PLAN_SOCKET_PATH,
    maxHttpBufferSize: PLAN_LIMITS.frameBytesMax,
    ...HEARTBEAT, // the live sockets' heartbeat: a busy machine is not a lost editor
    serveClient: false,
    allowRequest: deps.allowRequest,
  });
  const redis: Redis[] = [];
  if (deps.redisUrl) {
    const pub = new Redis(deps.redisUrl, { lazyConnect: true, maxRetriesPerRequest: null });
    const sub = pub.duplicate();
    for (const r of [pub, sub]) r.on('error', (err) => log.warn('redis (plans adapter)', { err: String(err) }));
    await Promise.all([pub.connect(), sub.connect()]);
    redis.push(pub, sub);
    io.adapter(createAdapter(pub, sub, { key: 'tongbu-plans' }));
  }
  const clustered = redis.length > 0;

  hub.broadcast = {
    toRoom(planId, event, update, exceptSocketId) {
      const target = exceptSocketId ? io.to(planRoom(planId)).except(exceptSocketId) : io.to(planRoom(planId));
      target.emit(event, { planId, update });
    },
    changed(planId, what) {
      io.to(planRoom(planId)).emit('plan:changed', { planId, what });
    },
    notice(planId, notice) {
      io.to(planRoom(planId)).emit('plan:notice', { planId, notice });
    },
    relay(kind, planId, update) {
      if (!clustered) return;
      const b64 = Buffer.from(update.buffer, update.byteOffset, update.byteLength).toString('base64');
      io.serverSideEmit(kind === 'update' ? 'plan:relay-update' : 'plan:relay-awareness', planId, b64);
    },
  };
  const fromB64 = (s: unknown) => new Uint8Array(Buffer.from(String(s), 'base64'));
  io.on('plan:relay-update', (planId, update) => hub.applyRelayed(String(planId), fromB64(update)));
  io.on('plan:relay-awareness', (planId, update) => {
    try {
      hub.applyAwareness(String(planId), fromB64(update), null);
    } catch {
      // a peer process sent what it had already checked; nothing to do
    }
  });

  io.use(cookieAuth(db));
  io.use(capSocketsPerUser(LIMITS.socketsPerUserMax));

  const chatLimiter = deps.chatLimiter ?? defaultChatLimiter('plan');

  io.on('connection', (socket: PlanSocket) => {
    const user = socket.data.user;
    const joined = new Map<string, PlanAccess>();
    // Plan editors send many small edits: a larger flood budget than the live lesson's.
    const edge = new ContractEdge<typeof planClientSchemas, PlanClientResults>(
      socket,
      planClientSchemas,
      {
        max: FLOOD_MAX,
        windowMs: FLOOD_WINDOW_MS,
        // Any event bigger than the biggest update allowed is TOO_LARGE (frames up to frameBytesMax are read).
        payloadBytesMax: PLAN_LIMITS.updateBytesMax + 4096,
      },
      log.child('edge'),
    );
    const joinedAs = (planId: string): PlanAccess => {
      const access = joined.get(planId);
      if (!access) throw new AppError('CONFLICT', 'join the plan first');
      return access;
    };

    edge.on('plan:join', async ({ planId, stateVector }) => {
      const { plan, access } = await requirePlan(db, user, planId, 'comment');
      const open = await hub.get(planId);
      let update: Uint8Array;
      try {
        update = Y.encodeStateAsUpdate(open.doc, stateVector ? new Uint8Array(stateVector) : undefined);
      } catch {
        throw new AppError('BAD_REQUEST', 'malformed state vector');
      }
      joined.set(planId, access);
      hub.join(planId, socket.id);
      await socket.join(planRoom(planId));
      return {
        plan: { ...plan, phases: JSON.parse(open.phases || '[]') },
        access,
        update,
        stateVector: Y.encodeStateVector(open.doc),
        awareness: hub.awarenessState(planId),
        chat: await listPlanChat(db, planId, 100),
        notice: open.notice,
      };
    });

    edge.on('plan:leave', async ({ planId }) => {
      joined.delete(planId);
      hub.leave(planId, socket.id);
      await socket.leave(planRoom(planId));
      return null;
    });

    edge.on('plan:update', async ({ planId, update }) => {
      if (joinedAs(planId) !== 'edit') throw new AppError('FORBIDDEN', 'researchers read and comment; only the paired teachers edit');
      return hub.applyClientUpdate(planId, new Uint8Array(update), user.id, socket.id);
    }, { serial: false });

    edge.on('plan:awareness', ({ planId, update }) => {
      joinedAs(planId);
      hub.applyAwareness(planId, new Uint8Array(update), { socketId: socket.id, user });
      return null;
    }, { serial: false });

    edge.on('plan:chat', async ({ planId, text }) => {
      joinedAs(planId);
      if (!(await chatLimiter.take(user.id))) throw new AppError('RATE_LIMITED', 'too many messages; wait a moment');
      const msg = await addPlanChat(db, { planId, userId: user.id, text });
      io.to(planRoom(planId)).emit('plan:chat', msg);
      return msg;
    });

    socket.on('disconnect', () => hub.leaveAll(socket.id));
  });

  return {
    io,
    clustered,
    async close() {
      // Transports closed, not sockets "disconnected by the server": clients then reconnect
      // by themselves (to this process after a restart, or another behind the balancer).
      // Not io.close(): that waits for the shared HTTP server's 'close' (every keep-alive
      // connection gone); the web role closes the HTTP server itself.
      io.engine.close();
      await io.of('/').adapter.close();
      await hub.close();
      for (const r of redis) r.disconnect();
    },
  };
}
