// The process-level net (server/processFaults.ts) in the real product: an unhandled promise
// rejection is logged with its stack, counted in /metrics, and the process keeps serving.
// (Before, Node's default ended the process, and with it every lesson and plan on it.)
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../helpers/freePort.js';
import { mediaPortsEnv, reservePortBlock } from '../helpers/ports.js';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureMediasoupWorkerBin, waitFor } from '../helpers/liveServer.js';
import { processFaultLines } from '../../server/processFaults.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tongbu-faults-'));


let stop: (() => Promise<void>) | null = null;
afterAll(async () => {
  await stop?.();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('process-level fault net', () => {
  it('an unhandled rejection is logged with its stack and counted, and the server keeps serving', async () => {
    ensureMediasoupWorkerBin();
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', '--import', './tests/fixtures/plant-rejection.mjs', 'server/main.ts', '--web'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        TONGBU_DATA_DIR: dataDir,
        TONGBU_ANNOUNCED_IP: '127.0.0.1',
        TONGBU_MEDIA_WORKERS: '1',
        TONGBU_WORKER_PROCESSES: '0',
        ...mediaPortsEnv(reservePortBlock()),
        TONGBU_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stdout!.on('data', (d) => (log += d));
    child.stderr!.on('data', (d) => (log += d));
    stop = () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => (clearTimeout(t), resolve()));
        child.kill('SIGTERM');
      });
    await waitFor(() => processFaultLines(log).length > 0 || child.exitCode !== null, 90_000, `the planted rejection is caught:\n${log}`);
    expect(child.exitCode, log).toBeNull();
    const [line] = processFaultLines(log);
    expect(line).toContain('planted rejection for the test');
    expect(line).toContain('plant-rejection.mjs'); // the stack, not only the message
    // Still serving, and counted.
    await new Promise((r) => setTimeout(r, 500));
    expect(child.exitCode).toBeNull();
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/^tongbu_unhandled_rejections_total 1$/m);
  }, 120_000);
});
