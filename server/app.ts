// The web process: HTTP API, the built client, health and metrics, Socket.IO and the SFU.
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import express from 'express';
import type { Config } from './config.js';
import type { Db } from './db/db.js';
import { createApiRouter, errorHandler } from './http/api.js';
import { enqueueLessonReport, reportsRouter } from './lessons/reports.js';
import type { Queues } from './jobs/queues.js';
import { WorkerPool } from '../media/WorkerPool.js';
import { createLiveService, type LiveService } from './live/socketServer.js';
import { createMetrics } from './metrics.js';
import { createPlanService, type PlanService } from './plans/service.js';
import { RecordingService } from './recordings/RecordingService.js';
import { RecordingProcessing } from './recordings/processing.js';
import { recordingsRouter } from './recordings/routes.js';
import { offlineActivitiesRouter } from './workspace/activitiesRoutes.js';
import { recordingRoom } from './recordings/socket.js';
import { logger } from './contract/log.js';
import { closeParsePool } from './uploads/parsePool.js';
import { createWebLimits } from './auth/rateLimit.js';
import { connectLimiterRedis } from './auth/limiterRedis.js';
import { securityHeaders } from './http/headers.js';
import { parseAllowedOrigins, requireSameOrigin, socketOriginCheck } from './http/origin.js';
import { metricsAccess } from './http/metricsAccess.js';
import { UserSockets } from './auth/userSockets.js';
import { usageMiddleware, usageRecorder } from './workspace/usageRecorder.js';

const log = logger('web');

export interface WebServer {
  url: string;
  port: number;
  live: LiveService;
  pool: WorkerPool;
  /** 集体备课: open plan documents, their routes and the /plans.io socket server. */
  plans: PlanService;
  recordings: RecordingService;
  /** Ordered: stop accepting, close lessons (transports, routers), then workers. */
  close(): Promise<void>;
}

export async function startWebServer(
  config: Config,
  db: Db,
  opts: { clientDir?: string; queues?: Queues; /** Shared by processes: the plans socket server's adapter. */ redisUrl?: string } = {},
): Promise<WebServer> {
  const pool = await WorkerPool.create({
    count: config.mediaWorkers,
    rtcMinPort: config.rtcMinPort,
    rtcMaxPort: config.rtcMaxPort,
    listenIp: '0.0.0.0',
    announcedIp: config.announcedIp,
  });
  let live: LiveService | null = null;
  // Rate limits shared with the other web processes through their common Redis.
  const limiterRedis = opts.redisUrl ? await connectLimiterRedis(opts.redisUrl) : undefined;
  const limits = createWebLimits(limiterRedis);
  const metrics = createMetrics({ pool: () => pool, registry: () => live?.registry ?? null });

  const app = express();
  app.disable('x-powered-by');
  // Behind a reverse proxy (TONGBU_TRUST_PROXY hops): req.ip and req.secure come from
  // X-Forwarded-For/-Proto, so session cookies are Secure behind HTTPS without configuration.
  app.set('trust proxy', trustProxyValue(config.trustProxy));
  const allowedOrigins = parseAllowedOrigins(config.allowedOrigins);
  app.use(securityHeaders());
  app.use(requireSameOrigin(allowedOrigins), errorHandler);
  app.get('/healthz', (_req, res) => {
    const workers = pool.workers.filter((w) => !w.worker.closed).length;
    res.status(workers > 0 ? 200 : 503).json({ ok: workers > 0, workers, lessons: live?.registry.all().length ?? 0 });
  });
  app.get('/metrics', metricsAccess(config.metricsToken), errorHandler, async (_req: express.Request, res: express.Response) => {
    res.type(metrics.contentType).send(await metrics.metrics());
  });
  app.use(usageMiddleware(db)); // 人次 of every module's API routes (counted after the answer; server/workspace/usageRecorder.ts)
  app.use(reportsRouter({ db, dataDir: config.dataDir }), errorHandler);
  const plans = createPlanService(db);
  app.use(plans.router, errorHandler);
  const queues = opts.queues;
  const processing = queues
    ? new RecordingProcessing({ db: db.background, queues: queues.recording, connection: queues.connection, prefix: queues.prefix, dataDir: config.dataDir })
    : null;
  app.use(recordingsRouter({ db, dataDir: config.dataDir, processing }), errorHandler);
  // Offline activities' evidence lives in the data folder (workspace/evidenceStore.ts).
  app.use(offlineActivitiesRouter({ db, dataDir: config.dataDir, minFreeBytes: config.recordingMinFreeBytes }), errorHandler);
  const userSockets = new UserSockets();
  app.use(createApiRouter({ db, config, limits, sockets: userSockets }));

  const clientDir = opts.clientDir ?? path.resolve('dist/client');
  if (existsSync(path.join(clientDir, 'index.html'))) {
    app.use(express.static(clientDir, { index: false, maxAge: '1h' }));
    // The client routes by path: every other GET gets the app shell.
    app.get(/^\/(?!api\/|socket\.io\/).*/, (_req, res) => res.sendFile(path.join(clientDir, 'index.html')));
  } else {
    log.warn('client not built; only the API is served', { clientDir });
  }

  const server = http.createServer(app);
  const recordings = new RecordingService({
    db,
    dataDir: config.dataDir,
    recorderMinPort: config.recorderMinPort,
    recorderMaxPort: config.recorderMaxPort,
    segmentMs: config.recordingSegmentMs,
    minFreeBytes: config.recordingMinFreeBytes,
    // Processing (server/recordings/processing.ts) hooks in here: onSegmentClosed, onRecordingStopped.
    onSegmentClosed: processing?.onSegmentClosed,
    onRecordingStopped: processing?.onRecordingStopped,
  });
  live = createLiveService(server, {
    recordings,
    db,
    pool,
    chatLimiter: limits.chat,
    allowRequest: socketOriginCheck(allowedOrigins),
    turn: config.turn,
    onLessonEnded: queues
      ? (lesson) => enqueueLessonReport(db, queues, lesson).catch((err) => log.error('could not queue lesson report', { err }))
      : undefined,
  });
  const planSockets = await plans.attach(server, opts.redisUrl, limits.planChat, socketOriginCheck(allowedOrigins));
  userSockets.add(live.io);
  userSockets.add(planSockets.io);
  // Revoking a device on this process drops its sockets on the others too (userSockets.ts).
  if (limiterRedis) await userSockets.connect(limiterRedis);
  if (processing) {
    const io = live.io;
    processing.onProgress((p) => io.to(recordingRoom(p.lessonId)).emit('recording:progress', p));
    await processing.start();
  }
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
    plans,
    pool,
    recordings,
    close: () =>
      (closing ??= (async () => {
        server.close();
        // Plan sockets first: the lessons' io.close() waits for every connection to end.
        await plans.close();
        await liveService.close();
        // After the lessons (their media) closed: recorders finish their segments.
        await recordings.close();
        await processing?.close();
        await usageRecorder(db).flush(); // the last seconds of visits (an ordered restart loses none)
        // Upload parses still running are abandoned: their requests are ending with the server.
        await closeParsePool();
        server.closeAllConnections();
        pool.close();
        await userSockets.close();
        limiterRedis?.disconnect();
      })()),
  };
}

/** `TONGBU_TRUST_PROXY`: a hop count ("1"), true/false, or express's names and addresses ("loopback, 10.0.0.0/8"). */
function trustProxyValue(v: string): boolean | number | string {
  if (v === 'true' || v === 'false') return v === 'true';
  return /^\d+$/.test(v) ? Number(v) : v;
}
