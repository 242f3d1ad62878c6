// What one parse worker does with one upload (runs in a piscina worker thread, never on the
// server's event loop): zip budget first, then the parser. The same threads generate exports
// (renderTask.ts): one pool, one set of limits. Answers are plain data — the thread boundary
// structured-clones them, and an Error's class would not survive it.
import { threadId } from 'node:worker_threads';
import { AppError, type ErrorCode } from '../contract/errors.js';
import { docxToDoc } from '../plans/docx.js';
import type { PmNode } from '../plans/pmSchema.js';
import type { Msg } from '../contract/timetable.js';
import { FileError, readTable, TooManyRows, UNREADABLE_XLSX, type Table } from '../timetable/tableFile.js';
import type { ParsedActivityRows } from '../workspace/activityImportRows.js';
import { checkZip, isZip } from './zipGuard.js';
import { isRenderTask, renderTask, type RenderAnswer, type RenderTask } from './renderTask.js';

export type ParseTask =
  | { kind: 'docx'; bytes: Uint8Array }
  | { kind: 'table'; bytes: Uint8Array; hint?: 'csv' | 'xlsx' }
  /** A school's offline activities (workspace/activityImportRows.ts): the table read and every row checked, here. */
  | { kind: 'activities'; bytes: Uint8Array; hint?: 'csv' | 'xlsx'; maxRows: number };
export type PoolTask = ParseTask | RenderTask;

export type ParseAnswer =
  | { ok: true; kind: 'docx'; doc: PmNode; warnings: string[]; threadId: number }
  | { ok: true; kind: 'table'; table: Table; threadId: number }
  | { ok: true; kind: 'activities'; parsed: ParsedActivityRows; threadId: number }
  /** An activities file over its row limit: a typed answer of its own, not a message. */
  | { ok: false; code: 'TOO_LARGE'; message: string; tooManyRows: number; threadId: number }
  /** `msg`: a timetable file's own bilingual message (FileError), shown to the user as is. */
  | { ok: false; code: ErrorCode; message: string; msg?: Msg; threadId: number };
export type PoolAnswer = ParseAnswer | RenderAnswer;

export default async function poolTask(task: PoolTask): Promise<PoolAnswer> {
  try {
    if (isRenderTask(task)) {
      const out = await renderTask(task);
      if ('repair' in out) return { ok: false, code: 'CONFLICT', message: 'the stored plan needs repair', repair: true, threadId };
      if ('doc' in out) return { ok: true, kind: 'doc', doc: out.doc, threadId };
      if ('blocks' in out) return { ok: true, kind: 'diff', blocks: out.blocks, threadId };
      if ('text' in out) return { ok: true, kind: 'text', text: out.text, threadId };
      return { ok: true, kind: 'file', bytes: out, threadId };
    }
    const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.byteLength);
    if (task.kind === 'docx') {
      if (!isZip(bytes)) throw new AppError('BAD_REQUEST', 'the file is not a readable .docx');
      await checkZip(bytes);
      return { ok: true, kind: 'docx', ...(await docxToDoc(bytes)), threadId };
    }
    if (isZip(bytes)) {
      // A damaged zip is the user's file to fix (the timetable's bilingual row error); over budget stays TOO_LARGE.
      await checkZip(bytes).catch((err: unknown) => {
        throw err instanceof AppError && err.code === 'BAD_REQUEST' ? new FileError(UNREADABLE_XLSX) : err;
      });
    }
    if (task.kind === 'activities') {
      const { activityDrafts } = await import('../workspace/activityImportRows.js');
      return { ok: true, kind: 'activities', parsed: activityDrafts(await readTable(bytes, task.hint, task.maxRows)), threadId };
    }
    return { ok: true, kind: 'table', table: await readTable(bytes, task.hint), threadId };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, code: err.code, message: err.message, threadId };
    if (err instanceof TooManyRows && task.kind === 'activities') return { ok: false, code: 'TOO_LARGE', message: err.msg.en, tooManyRows: err.max, threadId };
    if (err instanceof FileError) return { ok: false, code: 'BAD_REQUEST', message: err.msg.zh, msg: err.msg, threadId };
    throw err; // a bug: the pool logs it with its stack
  }
}
