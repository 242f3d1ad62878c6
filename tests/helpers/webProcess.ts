// One product web process (`node --import tsx server/main.ts --web`) for the tests that run
// several of them on one PostgreSQL and one Redis, as a district does: started, killed, stopped.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processFaultLines } from '../../server/processFaults.js';
import { mediaPortsEnv } from './ports.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The environment every web process of a multi-process test shares: one PostgreSQL, one Redis. */
export function sharedEnv(o: { databaseUrl: string; redisUrl: string; password: string }): Record<string, string> {
  return {
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redisUrl,
    TONGBU_DEMO_PASSWORD: o.password,
    TONGBU_ANNOUNCED_IP: '127.0.0.1',
    TONGBU_MEDIA_WORKERS: '1',
    TONGBU_WORKER_PROCESSES: '0',
    TONGBU_LOG_LEVEL: process.env.TONGBU_TEST_LOG_LEVEL ?? 'warn',
  };
}

/** A process's own media and recorder port ranges (200 ports from `min`), apart from the others'. */
export function portsEnv(min: number): Record<string, string> {
  return mediaPortsEnv(min, 100);
}

/** One product web process (`node --import tsx server/main.ts --web`), restartable on its port. */
export class WebProcess {
  readonly dataDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-plans-proc-'));
  private child: ChildProcess | null = null;
  log = '';

  constructor(
    readonly name: string,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly args: string[],
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts', '--web', ...this.args], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, PORT: String(this.port), HOST: '127.0.0.1', TONGBU_DATA_DIR: this.dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d) => (this.log += d));
    child.stderr!.on('data', (d) => (this.log += d));
    const deadline = Date.now() + 90_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${this.name} exited early:\n${this.log}`);
      if (await fetch(`${this.url}/healthz`).then((r) => r.ok, () => false)) return;
      if (Date.now() > deadline) throw new Error(`${this.name} did not become healthy:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** SIGKILL: a crash, no orderly shutdown, no final compaction. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM and wait for the product's ordered shutdown. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  private async signal(sig: NodeJS.Signals): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      child.kill(sig);
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
    const faults = processFaultLines(this.log);
    if (faults.length) throw new Error(`${this.name} logged unhandled rejection(s)/exception(s):\n${faults.join('\n')}`);
  }
}
