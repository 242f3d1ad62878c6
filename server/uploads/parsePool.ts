// Uploaded .docx / .xlsx / .csv are parsed in a small pool of worker threads (piscina), never on
// the event loop that serves live lessons: a hostile or merely huge file costs a worker's time,
// not every lesson's. Each parse has a time limit (the thread is terminated when it passes) and
// a heap limit (resourceLimits: V8 ends the thread instead of the process); both answer with a
// typed error. A full queue answers RATE_LIMITED rather than piling up work.
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { Piscina } from 'piscina';
import { AppError } from '../contract/errors.js';
import { logger } from '../log.js';
import type { PmNode } from '../plans/pmSchema.js';
import { FileError, type Table } from '../timetable/tableFile.js';
import type { ParseAnswer, ParseTask } from './parseTask.js';

const log = logger('uploads');

export const PARSE_LIMITS = {
  /** Wall time of one parse, queueing included. */
  timeoutMs: 20_000,
  /** Added when no worker is running yet: a cold thread first loads tsx and the parsers (seconds on a busy machine). */
  coldStartMs: 30_000,
  /** The worker's V8 heap; what a parser holds of an inflated-size-checked file fits well below. */
  heapMb: 384,
  threads: Math.max(1, Math.min(2, os.availableParallelism() - 1)),
  /** Uploads waiting for a free worker; beyond that the server says "try again". */
  queue: 16,
};

let pool: Piscina<ParseTask, ParseAnswer> | null = null;
/** Worker threads that have loaded and are ready (piscina's workerCreate / workerDestroy). */
let ready = 0;

function thePool(): Piscina<ParseTask, ParseAnswer> {
  if (pool) return pool;
  ready = 0;
  pool = new Piscina<ParseTask, ParseAnswer>({
    filename: fileURLToPath(new URL('./parseWorker.mjs', import.meta.url)),
    minThreads: 0,
    maxThreads: PARSE_LIMITS.threads,
    maxQueue: PARSE_LIMITS.queue,
    // Idle threads exit (and piscina unrefs them meanwhile): an occasional upload keeps none alive.
    idleTimeout: 60_000,
    resourceLimits: { maxOldGenerationSizeMb: PARSE_LIMITS.heapMb, maxYoungGenerationSizeMb: 32, stackSizeMb: 4 },
  });
  const p = pool;
  p.on('workerCreate', () => p === pool && ready++);
  p.on('workerDestroy', () => p === pool && (ready = Math.max(0, ready - 1)));
  // A worker's failure outside a task (an unhandled 'error' would end the process).
  p.on('error', (err: Error) => log.error('parse worker failed', { err }));
  return p;
}

async function run(task: ParseTask, what: string): Promise<Extract<ParseAnswer, { ok: true }>> {
  const started = Date.now();
  let answer: ParseAnswer;
  try {
    const p = thePool();
    const limit = PARSE_LIMITS.timeoutMs + (ready === 0 ? PARSE_LIMITS.coldStartMs : 0);
    answer = await p.run(task, { signal: AbortSignal.timeout(limit) });
  } catch (err) {
    const e = err as Error & { code?: string };
    const ms = Date.now() - started;
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      log.warn('upload parse killed at its time limit', { what, bytes: task.bytes.byteLength, ms });
      throw new AppError('TOO_LARGE', `the file took too long to read (more than ${Math.round(ms / 1000)} s)`);
    }
    if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      log.warn('upload parse killed at its memory limit', { what, bytes: task.bytes.byteLength, ms });
      throw new AppError('TOO_LARGE', 'the file needs too much memory to read');
    }
    if (e.message === 'Task queue is at limit') throw new AppError('RATE_LIMITED', 'too many files are being read right now; try again shortly');
    if (e.message === 'Terminating worker thread') throw new AppError('UNAVAILABLE', 'the server is shutting down; try again shortly');
    log.error('upload parse failed', { what, bytes: task.bytes.byteLength, err });
    throw new AppError('INTERNAL', 'the file could not be read');
  }
  if (!answer.ok) {
    if (answer.msg) throw new FileError(answer.msg);
    throw new AppError(answer.code, answer.message);
  }
  return answer;
}

/** A .docx → the plan document; zip budget and parse off the event loop. */
export async function parseDocxUpload(bytes: Uint8Array): Promise<{ doc: PmNode; warnings: string[]; threadId: number }> {
  const a = await run({ kind: 'docx', bytes }, 'docx');
  if (a.kind !== 'docx') throw new Error('parse worker answered a docx task with a table');
  return { doc: a.doc, warnings: a.warnings, threadId: a.threadId };
}

/** A CSV or .xlsx → header and rows; FileError for what the user should fix in the file. */
export async function parseTableUpload(bytes: Uint8Array, hint?: 'csv' | 'xlsx'): Promise<Table & { threadId: number }> {
  const a = await run({ kind: 'table', bytes, hint }, 'table');
  if (a.kind !== 'table') throw new Error('parse worker answered a table task with a document');
  return { ...a.table, threadId: a.threadId };
}

/** For an orderly shutdown: running parses are abandoned (their requests are ending anyway). */
export async function closeParsePool(): Promise<void> {
  const p = pool;
  pool = null;
  await p?.destroy();
}
