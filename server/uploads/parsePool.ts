// Uploaded .docx / .xlsx / .csv are parsed in a small pool of worker threads (piscina), never on
// the event loop that serves live lessons: a hostile or merely huge file costs a worker's time,
// not every lesson's. The same pool generates the .docx / PDF exports of plans and 评课报告
// (renderTask.ts): one set of threads and limits for all heavy document work, so uploads and
// exports together can never take more than its threads. Each task has a time limit (the thread
// is terminated when it passes) and a heap limit (resourceLimits: V8 ends the thread instead of
// the process); both answer with a typed error. A full queue answers RATE_LIMITED rather than
// piling up work.
import { fileURLToPath } from 'node:url';
import os from 'node:os';
import { Piscina } from 'piscina';
import { AppError } from '../contract/errors.js';
import { logger } from '../contract/log.js';
import type { PmNode } from '../plans/pmSchema.js';
import { FileError, TooManyRows, type Table } from '../timetable/tableFile.js';
import type { PoolAnswer, PoolTask } from './parseTask.js';
import type { ReportData } from '../research/export/report.js';
import type { StoredState } from '../plans/store.js';
import type { BlockDiff } from '../plans/diff.js';
import type { AnnotationsExport } from './renderTask.js';
import type { ReportData as WorkspaceReportData } from '../contract/workspace/report.js';
import type { ParsedActivityRows } from '../workspace/activityImportRows.js';

const log = logger('uploads');

export const PARSE_LIMITS = {
  /** Wall time of one parse, queueing included. */
  timeoutMs: 20_000,
  /**
   * Wall time of one export or whole-plan read: longer than a parse's, since it is the user's own
   * stored work (an 850 KB plan's PDF takes ~3 s idle, over 20 s on a saturated two-core server).
   */
  exportTimeoutMs: 60_000,
  /** Added when no worker is running yet: a cold thread first loads tsx and the parsers (seconds on a busy machine). */
  coldStartMs: 30_000,
  /** The worker's V8 heap; what a parser holds of an inflated-size-checked file fits well below. */
  heapMb: 384,
  threads: Math.max(1, Math.min(2, os.availableParallelism() - 1)),
  /** Uploads and exports waiting for a free worker; beyond that the server says "try again". */
  queue: 16,
};

let pool: Piscina<PoolTask, PoolAnswer> | null = null;
/** Worker threads that have loaded and are ready (piscina's workerCreate / workerDestroy). */
let ready = 0;

function thePool(): Piscina<PoolTask, PoolAnswer> {
  if (pool) return pool;
  ready = 0;
  pool = new Piscina<PoolTask, PoolAnswer>({
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

/** Words for the log and for the user: an upload is read, an export is generated. */
function describe(task: PoolTask): { what: string; size: Record<string, number>; slow: string; big: string; busy: string; failed: string } {
  if (task.kind !== 'docx' && task.kind !== 'table' && task.kind !== 'activities') {
    const size: Record<string, number> =
      task.kind === 'planExport' || task.kind === 'planDoc'
        ? { bytes: (task.snapshot?.byteLength ?? 0) + task.updates.reduce((n, u) => n + u.byteLength, 0) }
        : task.kind === 'annotationsExport'
          ? { notes: task.list.length }
          : {};
    return {
      what: task.kind === 'planDoc' || task.kind === 'planDiff' ? task.kind : `${task.kind} ${task.format}`,
      size,
      slow: 'the document took too long to generate',
      big: 'the document needs too much memory to generate',
      busy: 'too many documents are being generated right now; try again shortly',
      failed: 'the document could not be generated',
    };
  }
  return {
    what: task.kind,
    size: { bytes: task.bytes.byteLength },
    slow: 'the file took too long to read',
    big: 'the file needs too much memory to read',
    busy: 'too many files are being read right now; try again shortly',
    failed: 'the file could not be read',
  };
}

type Done = Extract<PoolAnswer, { ok: true }>;
/** The worker found a plan's stored history invalid (renderTask.ts): repair, then ask again. */
const REPAIR = Symbol('repair');

async function run(task: PoolTask): Promise<Done | typeof REPAIR> {
  const started = Date.now();
  const d = describe(task);
  let answer: PoolAnswer;
  try {
    const p = thePool();
    const own = task.kind === 'docx' || task.kind === 'table' || task.kind === 'activities' ? PARSE_LIMITS.timeoutMs : PARSE_LIMITS.exportTimeoutMs;
    const limit = own + (ready === 0 ? PARSE_LIMITS.coldStartMs : 0);
    answer = await p.run(task, { signal: AbortSignal.timeout(limit) });
  } catch (err) {
    const e = err as Error & { code?: string };
    const ms = Date.now() - started;
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      log.warn('document task killed at its time limit', { what: d.what, ...d.size, ms });
      throw new AppError('TOO_LARGE', `${d.slow} (more than ${Math.round(ms / 1000)} s)`);
    }
    if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') {
      log.warn('document task killed at its memory limit', { what: d.what, ...d.size, ms });
      throw new AppError('TOO_LARGE', d.big);
    }
    if (e.message === 'Task queue is at limit') throw new AppError('RATE_LIMITED', d.busy);
    if (e.message === 'Terminating worker thread') throw new AppError('UNAVAILABLE', 'the server is shutting down; try again shortly');
    log.error('document task failed', { what: d.what, ...d.size, err });
    throw new AppError('INTERNAL', d.failed);
  }
  if (!answer.ok) {
    if ('repair' in answer && answer.repair) return REPAIR;
    if ('tooManyRows' in answer) throw new TooManyRows(answer.tooManyRows);
    if ('msg' in answer && answer.msg) throw new FileError(answer.msg);
    throw new AppError(answer.code, answer.message);
  }
  return answer;
}

/** A .docx → the plan document; zip budget and parse off the event loop. */
export async function parseDocxUpload(bytes: Uint8Array): Promise<{ doc: PmNode; warnings: string[]; threadId: number }> {
  const a = await run({ kind: 'docx', bytes });
  if (a === REPAIR || a.kind !== 'docx') throw new Error('parse worker answered a docx task with a table');
  return { doc: a.doc, warnings: a.warnings, threadId: a.threadId };
}

/** A CSV or .xlsx → header and rows; FileError for what the user should fix in the file. */
export async function parseTableUpload(bytes: Uint8Array, hint?: 'csv' | 'xlsx'): Promise<Table & { threadId: number }> {
  const a = await run({ kind: 'table', bytes, hint });
  if (a === REPAIR || a.kind !== 'table') throw new Error('parse worker answered a table task with a document');
  return { ...a.table, threadId: a.threadId };
}

/**
 * A school's offline-activity spreadsheet → its rows read and checked (activityImportRows.ts), off
 * the event loop; FileError for what the school should fix in the file, TooManyRows past `maxRows`.
 */
export async function parseActivityUpload(bytes: Uint8Array, hint: 'csv' | 'xlsx' | undefined, maxRows: number): Promise<ParsedActivityRows & { threadId: number }> {
  const a = await run({ kind: 'activities', bytes, hint, maxRows });
  if (a === REPAIR || a.kind !== 'activities') throw new Error('parse worker answered an activities task with something else');
  return { ...a.parsed, threadId: a.threadId };
}

/** The file's bytes from a render answer (structured clone hands back a plain Uint8Array). */
function fileOf(a: Done | typeof REPAIR): Buffer {
  if (a === REPAIR || a.kind !== 'file') throw new Error(`document worker answered an export with ${a === REPAIR ? 'a repair request' : a.kind}`);
  return Buffer.from(a.bytes.buffer, a.bytes.byteOffset, a.bytes.byteLength);
}

/**
 * A plan as stored → .docx or PDF, entirely in a worker (history → document → file). A history
 * the worker finds invalid is repaired by `repair` (the server's loadState, which needs the
 * database) and exported from that state instead.
 */
export async function renderPlanExport(
  stored: Pick<StoredState, 'snapshot' | 'updates'>,
  title: string,
  format: 'docx' | 'pdf',
  repair: () => Promise<Uint8Array>,
): Promise<Buffer> {
  const a = await run({ kind: 'planExport', format, title, snapshot: stored.snapshot, updates: stored.updates });
  if (a !== REPAIR) return fileOf(a);
  // A repaired state that is still not valid (an invalid snapshot: loadValidDoc logs it) is an error here.
  return fileOf(await run({ kind: 'planExport', format, title, snapshot: await repair(), updates: [] }));
}

/** A plan as stored (or a version's state as `snapshot`) → its ProseMirror JSON, in a worker; repaired as renderPlanExport does. */
export async function renderPlanDoc(stored: Pick<StoredState, 'snapshot' | 'updates'>, repair: () => Promise<Uint8Array>): Promise<PmNode> {
  let a = await run({ kind: 'planDoc', snapshot: stored.snapshot, updates: stored.updates });
  if (a === REPAIR) a = await run({ kind: 'planDoc', snapshot: await repair(), updates: [] });
  if (a === REPAIR || a.kind !== 'doc') throw new Error('document worker answered a plan read with something else');
  return a.doc;
}

/** A lesson's 评课 notes → CSV or ELAN .eaf text, in a worker. */
export async function renderAnnotations(task: AnnotationsExport): Promise<string> {
  const a = await run({ kind: 'annotationsExport', ...task });
  if (a === REPAIR || a.kind !== 'text') throw new Error('document worker answered a notes export with something else');
  return a.text;
}

/** Two versions of a plan → the readable diff (plans/diff.ts), in a worker. */
export async function renderPlanDiff(before: PmNode, after: PmNode): Promise<BlockDiff[]> {
  const a = await run({ kind: 'planDiff', before, after });
  if (a === REPAIR || a.kind !== 'diff') throw new Error('document worker answered a diff with something else');
  return a.blocks;
}

/** The 评课报告 → .docx or PDF in a worker. */
export async function renderReportExport(data: ReportData, format: 'docx' | 'pdf'): Promise<Buffer> {
  return fileOf(await run({ kind: 'reportExport', format, data }));
}

/** The 教共体's yearly report → .docx, .xlsx or PDF in a worker. */
export async function renderWorkspaceReport(data: WorkspaceReportData, format: 'docx' | 'xlsx' | 'pdf'): Promise<Buffer> {
  return fileOf(await run({ kind: 'workspaceReport', format, data }));
}

/** For an orderly shutdown: running parses are abandoned (their requests are ending anyway). */
export async function closeParsePool(): Promise<void> {
  const p = pool;
  pool = null;
  await p?.destroy();
}
