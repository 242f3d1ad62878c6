// Shared bits of the benchmarks (tests/bench/*.ts, run by `npm run bench` = infra/bench.sh):
// the machine description, result files and the table row in docs/benchmarks.md.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';

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

/**
 * One figure a benchmark's target is about. `target` is the comparison as text ("<= 500"),
 * `met` whether this run met it.
 */
export const Metric = z
  .object({
    value: z.union([z.number().finite(), z.boolean()]),
    unit: z.string().optional(),
    target: z.union([z.string(), z.number()]).optional(),
    met: z.boolean().optional(),
  })
  .strict();
export type Metric = z.infer<typeof Metric>;

/**
 * The house format of tests/bench/results/<name>.json: the figures the targets are about in
 * `metrics`, where and when they were measured, and how loaded the machine was (other work skews
 * every figure); anything else ("method", "detail", …) after them.
 */
export const BenchResult = z
  .object({
    metrics: z.record(Metric).refine((m) => Object.keys(m).length > 0, 'no metrics'),
    machine: z.string().min(1),
    date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date is not YYYY-MM-DD'),
    load: z.record(z.unknown()),
  })
  .passthrough();
export type BenchResult = z.infer<typeof BenchResult>;

export interface ResultInput {
  /** A bare number or boolean is the metric's value. */
  metrics: Record<string, number | boolean | Metric>;
  /** What the bench measured of the load while it ran (load_at_start is added). */
  load?: Record<string, unknown>;
  /** Added by writeResult, never passed. */
  machine?: never;
  date?: never;
  [extra: string]: unknown;
}

/** The house-format object for a bench's figures: machine, date and load_at_start added. */
export function houseResult(input: ResultInput): BenchResult {
  const { metrics, load, machine: _m, date: _d, ...rest } = input;
  const result = {
    metrics: Object.fromEntries(Object.entries(metrics).map(([k, v]) => [k, typeof v === 'object' ? v : { value: v }])),
    machine: machine(),
    date: today(),
    load: { load_at_start: LOAD_AT_START, ...load },
    ...rest,
  };
  const checked = BenchResult.safeParse(result);
  // Thrown with the figures in the message, so that a long run's measurement is not lost.
  if (!checked.success) throw new Error(`not a house-format result (${problems(checked.error)}): ${JSON.stringify(result)}`);
  return result;
}

/** Writes tests/bench/results/<name>.json in the house format; returns its path. */
export function writeResult(name: string, input: ResultInput): string {
  const result = houseResult(input);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

/** Reads a result file; throws naming what is not in the house format. */
export function readResult(file: string): BenchResult {
  const checked = BenchResult.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!checked.success) throw new Error(`${path.relative(ROOT, file)}: ${problems(checked.error)}`);
  return checked.data;
}

const problems = (err: z.ZodError) => err.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');

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
