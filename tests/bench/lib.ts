// Shared bits of the benchmarks (tests/bench/*.ts, run by `npm run bench` = infra/bench.sh):
// the machine description, result files and the table row in docs/benchmarks.md.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const RESULTS_DIR = path.join(ROOT, 'tests/bench/results');
export const DOC = path.join(ROOT, 'docs/benchmarks.md');

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
];

/** "2 cores, AMD EPYC 7B13" — `nproc` and the CPU model from /proc/cpuinfo. */
export function machine(): string {
  let model = os.cpus()[0]?.model?.trim() || 'unknown CPU';
  try {
    const m = /^model name\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m) model = m[1].trim();
  } catch {
    /* not Linux */
  }
  const n = os.availableParallelism();
  return `${n} core${n === 1 ? '' : 's'}, ${model}`;
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function writeResult(name: string, result: object): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

const TABLE_HEAD = [
  '| benchmark | figures | target | machine | date |',
  '|---|---|---|---|---|',
];

/**
 * Adds or replaces this benchmark's row in the results table of docs/benchmarks.md (the
 * prose around the table is left alone; the file is created with just the table if missing).
 */
export function updateDocRow(row: { benchmark: string; figures: string; target: string; machine?: string; date?: string }): void {
  const cells = [`\`${row.benchmark}\``, row.figures, row.target, row.machine ?? machine(), row.date ?? today()].map((c) =>
    c.replace(/\|/g, '\\|').replace(/\n/g, ' '),
  );
  const line = `| ${cells.join(' | ')} |`;
  let text = existsSync(DOC) ? readFileSync(DOC, 'utf8') : `# Benchmarks\n\n${TABLE_HEAD.join('\n')}\n`;
  const lines = text.split('\n');
  const head = lines.findIndex((l) => l.trim() === TABLE_HEAD[0]);
  if (head < 0) {
    text = `${text.trimEnd()}\n\n${TABLE_HEAD.join('\n')}\n${line}\n`;
  } else {
    let end = head + 2;
    while (end < lines.length && lines[end].startsWith('|')) end++;
    const rows = lines.slice(head + 2, end).filter((l) => !l.startsWith(`| \`${row.benchmark}\` |`));
    rows.push(line);
    rows.sort();
    lines.splice(head + 2, end - head - 2, ...rows);
    text = lines.join('\n');
  }
  mkdirSync(path.dirname(DOC), { recursive: true });
  writeFileSync(DOC, text.endsWith('\n') ? text : text + '\n');
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  // Nearest-rank percentile on a sorted sample.
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function log(name: string, ...args: unknown[]): void {
  console.log(`[bench:${name}]`, ...args);
}

/** Frees a TCP port number for a product server: any port the OS hands out. */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** The machine's 1-minute load average when this benchmark started: other work skews figures. */
export const LOAD_AT_START = Math.round(os.loadavg()[0] * 100) / 100;
