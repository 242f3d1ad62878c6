// The web process: HTTP API, the built client, health and metrics, Socket.IO and the SFU.
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import express from 'express';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import { createApiRouter, errorHandler } from './http/api.js';
import { enqueueLessonReport, reportsRouter } from './lessons/reports.js';
import type { Queues } from '../workers/main.js';
import { WorkerPool } from '../media/WorkerPool.js';
import { createLiveService, type LiveService } from './live/socketServer.js';
import { createMetrics } from './metrics.js';
import { logger } from './log.js';

const log = logger('web');

export interface WebServer {
  url: string;
  port: number;
  live: LiveService;
  pool: WorkerPool;
  /** Ordered: stop accepting, close lessons (transports, routers), then workers. */
  close(): Promise<void>;
}

export async function startWebServer(
  config: Config,
  db: Db,
  opts: { clientDir?: string; queues?: Queues } = {},
): Promise<WebServer> {
  const pool = await WorkerPool.create({
    count: config.mediaWorkers,
    rtcMinPort: config.rtcMinPort,
    rtcMaxPort: config.rtcMaxPort,
    listenIp: '0.0.0.0',
    announcedIp: config.announcedIp,
  });
  let live: LiveService | null = null;
  const metrics = createMetrics({ pool: () => pool, registry: () => live?.registry ?? null });

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.get('/healthz', (_req, res) => {
    const workers = pool.workers.filter((w) => !w.worker.closed).length;
    res.status(workers > 0 ? 200 : 503).json({ ok: workers > 0, workers, lessons: live?.registry.all().length ?? 0 });
  });
  app.get('/metrics', async (_req, res) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  app.use(reportsRouter({ db, dataDir: config.dataDir }), errorHandler);
  app.use(createApiRouter({ db, config }));

  const clientDir = opts.clientDir ?? path.resolve('dist/client');
  if (existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: false, maxAge: '1h' }));
    // The client routes by path: every other GET gets the app shell.
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => res.sendFile(path.join(clientDir, 'index.html')));
  } else {
    log.warn('client not built; only the API is served', { clientDir });
  }

  const server = http.createServer(app);
  const queues = opts.queues;
  live = createLiveService(server, {
    db,
    pool,
    onLessonEnded: queues
      ? (lesson) => enqueueLessonReport(db, queues, lesson).catch((err) => log.error('could not queue lesson report', { err }))
      : undefined,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  const liveService = live;
  let closing: Promise<void> | null = null;
  return {
    url: `http://localhost:${port}`,
    port,
    live: liveService,
    pool,
    close: () =>
      (closing ??= (async () => {
        server.close();
        await liveService.close();
        server.closeAllConnections();
        pool.close();
      })()),
  };
}
