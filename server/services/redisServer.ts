// The embedded Redis: spawned with the product unless REDIS_URL points elsewhere.
// AOF is on so queued jobs survive a Redis restart; its files live in the data folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { logger } from '../contract/log.js';
import { supervisedCommand } from '../../media/process.js';

const log = logger('redis');

export interface EmbeddedRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  /** Last resort of a shutdown out of time (the AOF keeps what it fsynced, at most ~1 s is lost). */
  kill(): void;
}

export async function startEmbeddedRedis(dataDir: string, opts: { port?: number } = {}): Promise<EmbeddedRedis> {
  const dir = path.join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--dir', dir,
    '--appendonly', 'yes',
    '--appendfsync', 'everysec',
    '--save', '',
    '--daemonize', 'no',
    '--protected-mode', 'yes',
    '--maxmemory-policy', 'noeviction', // BullMQ requires it
  ];
  // setpriv --pdeathsig: if the product is killed outright (SIGKILL, OOM), the kernel tells its
  // Redis to shut down cleanly (SIGTERM flushes the AOF) instead of leaving it running.
  const [cmd, ...argv] = supervisedCommand('redis-server', args, { deathSignal: 'SIGTERM' });
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err) =>
      reject(new Error(`cannot start redis-server (${err.message}); install it: apt-get install redis-server`)),
    );
    // Through setpriv a missing redis-server is exit code 127, not a spawn error.
    child.once('exit', (code) =>
      reject(new Error(code === 127 ? 'cannot start redis-server (not found); install it: apt-get install redis-server' : `redis-server exited with code ${code}`)),
    );
  });
  await Promise.race([waitForPort(port), spawnError]);
  let stopping = false;
  child.removeAllListeners('exit');
  child.on('exit', (code, signal) => {
    if (!stopping) log.error('embedded redis exited', { code, signal });
  });
  log.info('embedded redis started', { port, dir });
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: () => {
      stopping = true;
      return stopChild(child);
    },
    kill: () => {
      stopping = true;
      child.kill('SIGKILL');
    },
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM'); // redis flushes the AOF on SIGTERM
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
