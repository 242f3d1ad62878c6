// Port ranges for the servers a test starts. A media worker and its recorders need ranges of
// ports (port 0 cannot give one), and test files run at once — in this run, in other checkouts
// on the same machine, in e2e — so each process reserves whole blocks machine-wide (a lock
// folder holding its pid; a dead holder's block is taken over) instead of hard-coding ports.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Ports per block. Layout: +0..+99 a media worker, +100..+399 recorders (or more workers), +400.. TCP listeners. */
export const PORT_BLOCK = 500;
// Below Linux's ephemeral range (32768–60999): there, any outgoing connection (Chromium, a test's
// fetch, Redis) may hold a port as its local end, and a server listening on it then fails with
// EADDRINUSE (seen in CI on 58000). Above the product's default (20000–21399).
const FIRST = 22_000;
const BLOCKS = 20;
const LOCKS = path.join(os.tmpdir(), 'tongbu-test-port-blocks');
const held: string[] = [];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryLock(dir: string): boolean {
  try {
    mkdirSync(dir);
  } catch {
    const holder = Number(readFileSync(path.join(dir, 'pid'), 'utf8').trim() || NaN);
    // A block whose pid file is not written yet is being taken right now: leave it.
    if (!Number.isFinite(holder) || alive(holder)) return false;
    rmSync(dir, { recursive: true, force: true });
    return tryLock(dir);
  }
  writeFileSync(path.join(dir, 'pid'), String(process.pid));
  return true;
}

/** Reserves a block of PORT_BLOCK ports (TCP and UDP) for this process until it exits; returns its first port. */
export function reservePortBlock(): number {
  mkdirSync(LOCKS, { recursive: true });
  // Start at a random block: processes starting together mostly do not contend for the same lock.
  const start = Math.floor(Math.random() * BLOCKS);
  for (let i = 0; i < BLOCKS; i++) {
    const base = FIRST + ((start + i) % BLOCKS) * PORT_BLOCK;
    const dir = path.join(LOCKS, String(base));
    if (!tryLock(dir)) continue;
    if (!held.length) process.once('exit', () => held.forEach((d) => rmSync(d, { recursive: true, force: true })));
    held.push(dir);
    return base;
  }
  throw new Error(`all ${BLOCKS} test port blocks are held (${LOCKS})`);
}

/** Gives a block back before this process exits (a harness that stopped its server), so a
 * long-lived process — Playwright's worker runs every spec file — does not run out of blocks. */
export function releasePortBlock(base: number): void {
  const dir = path.join(LOCKS, String(base));
  const i = held.indexOf(dir);
  if (i < 0) return;
  held.splice(i, 1);
  rmSync(dir, { recursive: true, force: true });
}

/** A media worker's 100 ports from `base`, then its recorders' (what a web server's config takes). */
export function mediaPortsEnv(base: number, recorderPorts = 300): Record<string, string> {
  return {
    TONGBU_RTC_MIN_PORT: String(base),
    TONGBU_RTC_MAX_PORT: String(base + 99),
    TONGBU_RECORDER_MIN_PORT: String(base + 100),
    TONGBU_RECORDER_MAX_PORT: String(base + 99 + recorderPorts),
  };
}
