// 集体备课 as one piece for the web role: the hub of open documents, the HTTP routes, and
// the /plans.io socket server attached once the HTTP server exists.
import type { Server as HttpServer } from 'node:http';
import type { Router } from 'express';
import type { ServerOptions } from 'socket.io';
import type { Db } from '../db/db.js';
import { PlanHub } from './hub.js';
import { plansRouter } from './routes.js';
import { attachPlanSockets, type PlanSocketService } from './socket.js';
import type { RateLimiter } from '../auth/rateLimit.js';

export interface PlanService {
  hub: PlanHub;
  router: Router;
  /** With a Redis URL the socket server uses the Redis adapter: processes share plan rooms. */
  attach(server: HttpServer, redisUrl?: string, chatLimiter?: RateLimiter, allowRequest?: ServerOptions['allowRequest']): Promise<PlanSocketService>;
  close(): Promise<void>;
}

export function createPlanService(db: Db): PlanService {
  const hub = new PlanHub(db);
  let sockets: PlanSocketService | null = null;
  return {
    hub,
    router: plansRouter({ db, hub }),
    async attach(server, redisUrl, chatLimiter, allowRequest) {
      sockets = await attachPlanSockets(server, { db, hub, redisUrl, chatLimiter, allowRequest });
      return sockets;
    },
    async close() {
      if (sockets) await sockets.close();
      else await hub.close();
    },
  };
}
