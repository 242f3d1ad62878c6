// Tongbu's one entry point. Several roles, chosen by flag (default: all of them):
//   --web       HTTP API, client, Socket.IO signalling and the mediasoup SFU
//   --workers   BullMQ processors (may run on other machines against the same Redis)
//   --seed-demo seed the demo community when the database is empty
// Shutdown on SIGINT/SIGTERM is ordered: stop accepting, close lessons and media workers,
// close queues, then the embedded Redis and the database.
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileSync, mkdirSync } from 'node:fs';
import { loadConfig } from './config.js';
import { openDb, type Db } from './db/db.js';
import { startEmbeddedRedis, type EmbeddedRedis } from './services/redisServer.js';
import { startWebServer, type WebServer } from './app.js';
import { seedDemo, type DemoAccounts } from './community/seed.js';
import { startWorkers, type WorkerHandle } from '../workers/main.js';
import { createQueues } from './jobs/queues.js';
import { spawnWorkerProcesses } from './services/workerProcesses.js';
import { logger, setLogLevel } from './contract/log.js';
import { runStops, type StopStep } from './services/shutdown.js';
import { installProcessFaultHandlers } from './processFaults.js';

const log = logger('main');

async function main(): Promise<void> {
  const args = new Set(process.argv.slice(2));
  const only = ['--web', '--workers'].filter((f) => args.has(f));
  const runs = (flag: string) => only.length === 0 || args.has(flag);
  const config = loadConfig();
  setLogLevel(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });

  const stops: Stops = [];
  let stopping = false;
  const shutdown = async (signal: string, code = 0) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal, deadlineMs: config.shutdownTimeoutMs });
    // Backstop: even a step that blocks past its share (services/shutdown.ts) cannot keep us alive.
    setTimeout(() => {
      log.error('shutdown deadline passed; forcing exit', { signal });
      for (const s of stops) s.kill?.();
      process.exit(code || 1);
    }, config.shutdownTimeoutMs + 500).unref();
    // Reverse order of start-up: web first (stop accepting), Redis and the database last.
    const clean = await runStops([...stops].reverse(), config.shutdownTimeoutMs);
    process.exit(clean ? code : code || 1);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  installProcessFaultHandlers(() => void shutdown('uncaughtException', 1));
  // A worker process spawned by the product (services/workerProcesses.ts): its parent died.
  if (process.send && config.parentIpc) process.on('disconnect', () => void shutdown('parent gone'));
  try {
    await start(args, runs, config, stops);
  } catch (err) {
    log.error('failed to start', { err });
    console.error(err);
    // Whatever did start (the embedded Redis above all) must not outlive us.
    await shutdown('start-up failure', 1);
  }
}

type Stops = StopStep[];

async function start(args: Set<string>, runs: (flag: string) => boolean, config: ReturnType<typeof loadConfig>, stops: Stops): Promise<void> {

  let redisUrl = config.redisUrl;
  if (!redisUrl) {
    const redis: EmbeddedRedis = await startEmbeddedRedis(config.dataDir);
    stops.push({ name: 'redis', stop: () => redis.stop(), kill: () => redis.kill() });
    redisUrl = redis.url;
  }

  let db: Db | null = null;
  if (runs('--web')) {
    db = await openDb({ databaseUrl: config.databaseUrl, dataDir: path.join(config.dataDir, 'db') });
    const opened = db;
    stops.push({ name: 'database', stop: () => opened.close() });
  }

  // Explicit --workers: this process is a worker. All roles: separate worker processes (default).
  const workerProcesses = args.has('--workers') ? 0 : config.workerProcesses;
  if (runs('--workers') && workerProcesses === 0) {
    const workers: WorkerHandle = await startWorkers({ redisUrl, dataDir: config.dataDir, lockMs: config.jobLockMs, stalledCheckMs: config.jobStalledCheckMs });
    stops.push({ name: 'workers', stop: () => workers.close() });
  } else if (runs('--workers')) {
    // Children get less time than we have, so we can still SIGKILL one that hangs.
    const graceMs = Math.max(1000, config.shutdownTimeoutMs - 2000);
    const children = spawnWorkerProcesses({ count: workerProcesses, redisUrl, dataDir: config.dataDir, graceMs });
    stops.push({ name: 'worker processes', stop: () => children.stop(), kill: () => children.kill(), halt: () => children.halt() });
  }

  let demo: DemoAccounts | null = null;
  if (db && args.has('--seed-demo')) {
    const password = config.demoPassword ?? randomBytes(6).toString('base64url');
    demo = await seedDemo(db, { password });
    if (demo) {
      const file = path.join(config.dataDir, 'demo-accounts.json');
      writeFileSync(file, JSON.stringify(demo, null, 2), { mode: 0o600 });
    }
  }

  let web: WebServer | null = null;
  if (db && runs('--web')) {
    const queues = createQueues(redisUrl);
    stops.push({ name: 'queues', stop: () => queues.close() });
    web = await startWebServer(config, db, { queues, redisUrl });
    const started = web;
    stops.push({ name: 'web', stop: () => started.close(), halt: () => started.pool.stopRespawning() });
  }

  printBanner(web, demo, config.dataDir);
}

function printBanner(web: WebServer | null, demo: DemoAccounts | null, dataDir: string): void {
  // A processing-worker process (--workers alone, e.g. spawned by the web process) says so in the log only.
  if (!web && !demo) {
    log.info('processing workers running');
    return;
  }
  const lines = ['', '同步课堂 Tongbu is running.'];
  if (web) lines.push(`  Open:     ${web.url}/`, `  Health:   ${web.url}/healthz`, `  Metrics:  ${web.url}/metrics`);
  if (demo) {
    lines.push('', `Demo community seeded. Password for every demo account: ${demo.password}`);
    for (const u of demo.users) lines.push(`  ${u.username.padEnd(16)} ${u.role.padEnd(16)} ${u.displayName}`);
    lines.push('Projector device codes (sign in on the 教室设备码 tab):');
    for (const d of demo.deviceCodes) lines.push(`  ${d.code}  ${d.school} ${d.classroom}`);
    lines.push(`(saved in ${path.join(dataDir, 'demo-accounts.json')})`);
  } else if (web) {
    lines.push(`  Demo accounts: see ${path.join(dataDir, 'demo-accounts.json')}`);
  }
  console.log(lines.join('\n') + '\n');
}

main().catch((err) => {
  log.error('failed to start', { err });
  console.error(err);
  process.exit(1);
});
