// Several Tongbu web processes' worth of servers for 集体备课 tests: each a real startWebServer
// (HTTP API, /plans.io, one mediasoup worker) on an ephemeral port, all sharing one database
// and one real Redis — as processes share PostgreSQL and Redis in production.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { WebServer } from '../../server/app.js';
import type { Db } from '../../server/db/db.js';
import type { DemoAccounts } from '../../server/community/seed.js';
import { ensureMediasoupWorkerBin } from './liveServer.js';
import { reservePortBlock } from './ports.js';
import { startTestRedis } from './redis.js';

export interface PlanCluster {
  db: Db;
  redisUrl: string;
  accounts: DemoAccounts;
  servers: WebServer[];
  url(i: number): string;
  /** Starts one more process-equivalent (optionally on a given port, e.g. a restart). */
  start(port?: number): Promise<WebServer>;
  cookieFor(username: string): Promise<string>;
  userId(username: string): Promise<string>;
  close(): Promise<void>;
}

export async function startPlanCluster(opts: { count: number }): Promise<PlanCluster> {
  ensureMediasoupWorkerBin();
  // Up to four servers at once, a media worker's 100 ports each, in this cluster's block.
  const portBase = reservePortBlock();
  const [{ startWebServer }, { loadConfig }, { openDb }, { seedDemo }, { createSession }, log] = await Promise.all([
    import('../../server/app.js'),
    import('../../server/config.js'),
    import('../../server/db/db.js'),
    import('../../server/community/seed.js'),
    import('../../server/auth/sessions.js'),
    import('../../server/contract/log.js'),
  ]);
  log.setLogLevel((process.env.TONGBU_TEST_LOG_LEVEL as 'warn' | undefined) ?? 'error');
  const redis = await startTestRedis();
  const db = await openDb({});
  const accounts = await seedDemo(db, { password: 'demo-pass-123' });
  if (!accounts) throw new Error('seed did nothing');
  const servers: WebServer[] = [];
  let started = 0;
  const start = async (port = 0) => {
    const base = portBase + (started++ % 4) * 100;
    const config = loadConfig({
      PORT: String(port),
      HOST: '127.0.0.1',
      TONGBU_DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'tongbu-plans-')),
      TONGBU_ANNOUNCED_IP: '127.0.0.1',
      TONGBU_MEDIA_WORKERS: '1',
      TONGBU_RTC_MIN_PORT: String(base),
      TONGBU_RTC_MAX_PORT: String(base + 99),
    });
    const web = await startWebServer(config, db, { clientDir: path.join(os.tmpdir(), 'tongbu-no-client'), redisUrl: redis.url });
    servers.push(web);
    return web;
  };
  for (let i = 0; i < opts.count; i++) await start();
  const userId = async (username: string) => {
    const rows = await db.query<{ id: string }>('select id from users where username = $1', [username]);
    if (!rows[0]) throw new Error(`no user ${username}`);
    return rows[0].id;
  };
  return {
    db,
    redisUrl: redis.url,
    accounts,
    servers,
    url: (i) => `http://127.0.0.1:${servers[i].port}`,
    start,
    userId,
    cookieFor: async (username) => `tongbu_session=${await createSession(db, await userId(username), 60 * 60 * 1000)}`,
    async close() {
      for (const s of servers) await s.close().catch(() => undefined);
      await db.close();
      await redis.stop();
    },
  };
}
