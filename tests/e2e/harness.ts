// Runs the real product (tsx server/main.ts --seed-demo) as a child process on its own
// data folder, so a test can stop and restart it like a school's server.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processFaultLines } from '../../server/processFaults.js';
import { releasePortBlock, reservePortBlock } from '../helpers/ports.js';

export interface DemoAccounts {
  password: string;
  users: { username: string; displayName: string; role: string }[];
  deviceCodes: { classroom: string; school: string; code: string }[];
  lessonId: string;
}

export class ProductServer {
  private child: ChildProcess | null = null;
  log = '';
  // Taken on first use, not at construction: Playwright loads every spec file in its runner
  // process (which runs no test) as well as in its worker, and a block or folder taken there
  // would be held for the whole run — with a dozen spec files, more than there are blocks.
  private base: number | null = null;
  private dir: string | null = null;

  /** `port`: the HTTP port, when the caller needs a particular one (a benchmark's proxy in front). */
  constructor(private readonly fixedPort?: number) {}

  /** This server's block of ports (tests/helpers/ports.ts): media, recorders, and its HTTP port. */
  private get portBase(): number {
    return (this.base ??= reservePortBlock());
  }

  get port(): number {
    return this.fixedPort ?? this.portBase + 450;
  }

  get dataDir(): string {
    return (this.dir ??= mkdtempSync(path.join(os.tmpdir(), 'tongbu-e2e-')));
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  demo(): DemoAccounts {
    return JSON.parse(readFileSync(path.join(this.dataDir, 'demo-accounts.json'), 'utf8'));
  }

  async start(): Promise<void> {
    // BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the product under a benchmark.
    const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/main.ts', '--seed-demo'], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      env: {
        ...process.env,
        PORT: String(this.port),
        TONGBU_DATA_DIR: this.dataDir,
        TONGBU_DEMO_PASSWORD: 'e2e-demo-password',
        TONGBU_RTC_MIN_PORT: String(this.portBase),
        TONGBU_RTC_MAX_PORT: String(this.portBase + 199),
        TONGBU_RECORDER_MIN_PORT: String(this.portBase + 200),
        TONGBU_RECORDER_MAX_PORT: String(this.portBase + 399),
        // TONGBU_E2E_LOG_LEVEL=info TONGBU_E2E_LOG=/tmp/x.log keeps the product's log for a look after the run.
        TONGBU_LOG_LEVEL: process.env.TONGBU_E2E_LOG_LEVEL ?? 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout!.on('data', (d) => (this.log += d));
    child.stderr!.on('data', (d) => (this.log += d));
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`server exited early:\n${this.log}`);
      const ok = await fetch(`${this.url}/healthz`).then((r) => r.ok).catch(() => false);
      if (ok) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`server did not become healthy:\n${this.log}`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** SIGTERM and wait: the ordered shutdown must finish by itself. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
    this.dir = null;
    if (this.base !== null) releasePortBlock(this.base);
    this.base = null;
    if (process.env.TONGBU_E2E_LOG) appendFileSync(process.env.TONGBU_E2E_LOG, this.log);
    // The product's safety net caught a rejection or an exception: a bug, whatever the test saw.
    const faults = processFaultLines(this.log);
    if (faults.length) throw new Error(`the product logged ${faults.length} unhandled rejection(s)/exception(s):\n${faults.join('\n')}`);
  }
}
