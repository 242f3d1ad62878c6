// The processing workers as separate processes (the default when the product runs all roles):
// ffmpeg-heavy jobs stay out of the web process's event loop, and a worker that crashes is
// restarted without touching live lessons. Each child is `server/main.ts --workers` pointed at
// the same Redis and data folder — exactly what another machine would run.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { logger } from '../contract/log.js';
import { backoffDelay } from '../contract/backoff.js';

/** Restarts of a worker process that died within 10 s of its start: 1 s, 2 s, 4 s, … 30 s. */
const CRASH_BACKOFF = { baseMs: 1000, maxMs: 30_000, jitter: 0 };

const log = logger('worker-processes');

export interface WorkerProcesses {
  /** No more restarts: the children are ending with us. */
  halt(): void;
  stop(): Promise<void>;
  /** Last resort of a shutdown out of time: SIGKILL every child now. */
  kill(): void;
}

export function spawnWorkerProcesses(opts: { count: number; redisUrl: string; dataDir: string; graceMs?: number }): WorkerProcesses {
  // A child's own shutdown deadline is shorter than the time we give it, so it exits by itself
  // (its own ordered shutdown, or its force-exit) before we have to SIGKILL it.
  const graceMs = opts.graceMs ?? 15_000;
  const childDeadlineS = String(Math.max(1, Math.floor((graceMs - 1000) / 1000)));
  const main = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'main.ts');
  const children = new Set<ChildProcess>();
  let stopping = false;
  // crashes = quick deaths in a row: the next start waits backoffDelay(crashes) (none at first).
  const start = (i: number, crashes = 0) => {
    const delayMs = crashes ? backoffDelay(crashes, CRASH_BACKOFF) : 0;
    setTimeout(() => {
      if (stopping) return;
      const child = spawn(process.execPath, ['--import', 'tsx', main, '--workers'], {
        env: { ...process.env, REDIS_URL: opts.redisUrl, TONGBU_DATA_DIR: opts.dataDir, TONGBU_WORKER_PROCESSES: '0', TONGBU_PARENT_IPC: '1', TONGBU_SHUTDOWN_TIMEOUT_S: childDeadlineS },
        // The IPC channel is how a worker notices that its parent is gone, even after a SIGKILL
        // (server/main.ts shuts down on 'disconnect'): no orphaned workers.
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.add(child);
      const since = Date.now();
      child.on('exit', (code, signal) => {
        children.delete(child);
        if (stopping) return;
        // A crash loop backs off; its jobs are retaken after their locks expire (stalled-job recovery).
        const next = Date.now() - since < 10_000 ? crashes + 1 : 1;
        log.error('worker process exited; restarting', { index: i, code, signal, inMs: backoffDelay(next, CRASH_BACKOFF) });
        start(i, next);
      });
    }, delayMs).unref();
  };
  for (let i = 0; i < opts.count; i++) start(i);
  return {
    halt() {
      stopping = true;
    },
    async stop() {
      stopping = true;
      await Promise.all(
        [...children].map(
          (c) =>
            new Promise<void>((resolve) => {
              // Graceful: running jobs finish; after graceMs they are killed and retaken later.
              const kill = setTimeout(() => c.kill('SIGKILL'), graceMs);
              c.once('exit', () => {
                clearTimeout(kill);
                resolve();
              });
              c.kill('SIGTERM');
            }),
        ),
      );
    },
    kill() {
      stopping = true;
      for (const c of children) c.kill('SIGKILL');
    },
  };
}
