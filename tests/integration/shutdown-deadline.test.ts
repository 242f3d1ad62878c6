// Shutdown with a deadline, done for real: the product's roles as OS processes against a Redis
// this test starts; Redis is killed first (as when the machine's Redis died or its host went
// away), then the product's process group gets SIGTERM, as systemd sends it. Every process must
// be gone within the configured bound, with nothing orphaned in the group.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../helpers/freePort.js';
import { mediaPortsEnv, reservePortBlock } from '../helpers/ports.js';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureMediasoupWorkerBin, waitFor } from '../helpers/liveServer.js';
import { startTestRedis } from '../helpers/redis.js';
import { startTestPostgres } from '../helpers/postgres.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DEADLINE_S = 4;
/** Process start-up and exit under a loaded 2-core machine; the bound itself is DEADLINE_S. */
const SLACK_MS = 3000;


/** Is any process of this process group still alive? */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startProduct(args: string[], env: Record<string, string>): Promise<{ child: ChildProcess; log: () => string }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-shutdown-'));
  // Own process group (detached), like a service manager's: the group is what gets the signal.
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', ...args], {
    cwd: ROOT,
    detached: true,
    env: {
      ...process.env,
      TONGBU_DATA_DIR: dataDir,
      TONGBU_SHUTDOWN_TIMEOUT_S: String(DEADLINE_S),
      TONGBU_LOG_LEVEL: 'info',
      TONGBU_ANNOUNCED_IP: '127.0.0.1',
      TONGBU_MEDIA_WORKERS: '1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout!.on('data', (d) => (log += d));
  child.stderr!.on('data', (d) => (log += d));
  cleanups.push(() => {
    if (child.pid && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });
  return { child, log: () => log };
}

/** Stops a service the product depends on, SIGTERMs the group; returns ms until the main process exited. */
async function killRedisThenTerm(child: ChildProcess, stopService: () => Promise<void>): Promise<number> {
  await stopService();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const t0 = Date.now();
  process.kill(-child.pid!, 'SIGTERM');
  // Bounded by the test's own timeout: on the old code this waits for ever (the finding).
  await exited;
  return Date.now() - t0;
}

describe('shutdown with a deadline', () => {
  it('a --workers process whose Redis is already gone exits within the bound after SIGTERM', async () => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    const { child, log } = await startProduct(['--workers'], { REDIS_URL: redis.url, TONGBU_WORKER_PROCESSES: '0' });
    await waitFor(() => log().includes('processing workers running'), 60_000, `workers up:\n${log()}`);
    const ms = await killRedisThenTerm(child, () => redis.stop());
    expect(ms, log()).toBeLessThan(DEADLINE_S * 1000 + SLACK_MS);
    expect(groupAlive(child.pid!), 'a process of the group outlived the shutdown').toBe(false);
  }, 180_000);

  it('the all-roles product (web + worker child process) whose Redis is already gone exits within the bound, no orphan', async () => {
    ensureMediasoupWorkerBin();
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    const port = await freePort();
    const { child, log } = await startProduct([], {
      REDIS_URL: redis.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      TONGBU_WORKER_PROCESSES: '1',
      ...mediaPortsEnv(reservePortBlock()),
    });
    await waitFor(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false), 90_000, `web up:\n${log()}`);
    // The worker child (same group) is up too: it says so in the shared log.
    await waitFor(() => log().includes('processing workers running'), 60_000, `worker child up:\n${log()}`);
    const ms = await killRedisThenTerm(child, () => redis.stop());
    expect(ms, log()).toBeLessThan(DEADLINE_S * 1000 + SLACK_MS);
    // The worker child and the mediasoup workers must not outlive their parent.
    await waitFor(() => !groupAlive(child.pid!), 2000, 'process group empty').catch(() => undefined);
    expect(groupAlive(child.pid!), 'a process of the group outlived the shutdown').toBe(false);
  }, 240_000);

  it('the all-roles product whose PostgreSQL and worker child are already gone exits within the bound, no orphan', async () => {
    ensureMediasoupWorkerBin();
    const [redis, pg] = await Promise.all([startTestRedis(), startTestPostgres()]);
    cleanups.push(() => redis.stop(), () => pg.stop());
    const port = await freePort();
    const { child, log } = await startProduct([], {
      REDIS_URL: redis.url,
      DATABASE_URL: pg.url,
      PORT: String(port),
      HOST: '127.0.0.1',
      TONGBU_WORKER_PROCESSES: '1',
      ...mediaPortsEnv(reservePortBlock()),
    });
    await waitFor(() => fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false), 90_000, `web up:\n${log()}`);
    await waitFor(() => log().includes('processing workers running'), 60_000, `worker child up:\n${log()}`);
    // The worker child: this product's own child running `main.ts --workers`.
    const workerPid = Number(execFileSync('pgrep', ['-P', String(child.pid), '-f', 'main.ts --workers'], { encoding: 'utf8' }).trim().split('\n')[0]);
    expect(workerPid).toBeGreaterThan(0);
    process.kill(workerPid, 'SIGKILL');
    const ms = await killRedisThenTerm(child, () => pg.stop());
    expect(ms, log()).toBeLessThan(DEADLINE_S * 1000 + SLACK_MS);
    await waitFor(() => !groupAlive(child.pid!), 2000, 'process group empty').catch(() => undefined);
    expect(groupAlive(child.pid!), 'a process of the group outlived the shutdown').toBe(false);
  }, 240_000);
});
