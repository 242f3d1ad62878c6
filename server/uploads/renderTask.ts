// What a worker of the document pool does for an export or a read of a whole plan (runs in the
// same piscina threads as the upload parses, never on the server's event loop): a plan's stored
// Yjs history → ProseMirror JSON (→ .docx or PDF), and the 评课报告 → .docx or PDF. On a plan of a
// few hundred KB each of these steps takes a second or more of CPU; here they cost a worker's
// time, not every lesson's.
// The generators are imported on first use, so a thread that only parses uploads never loads them.
import * as Y from 'yjs';
import type { ErrorCode } from '../contract/errors.js';
import type { PmNode } from '../plans/pmSchema.js';
import type { BlockDiff } from '../plans/diff.js';
import type { ReportData } from '../research/export/report.js';
import type { Annotation } from '../contract/research.js';
import type { VoiceTier } from '../research/export/voiceTiers.js';
import type { ReportData as WorkspaceReportData } from '../contract/workspace/report.js';

/** A plan as stored (snapshot + updates not yet folded in, as loadStored reads them), or a version's state as the snapshot. */
export interface PlanHistory {
  snapshot: Uint8Array | null;
  updates: Uint8Array[];
}

export type RenderTask =
  | ({ kind: 'planExport'; format: 'docx' | 'pdf'; title: string } & PlanHistory)
  /** The document as ProseMirror JSON (content, phases, versions). */
  | ({ kind: 'planDoc' } & PlanHistory)
  /** Two versions' documents → the readable diff (LCS tables: seconds on long plans). */
  | { kind: 'planDiff'; before: PmNode; after: PmNode }
  | { kind: 'reportExport'; format: 'docx' | 'pdf'; data: ReportData }
  /** A lesson's 评课 notes as CSV or ELAN (thousands of notes: a second or more of string building). */
  | ({ kind: 'annotationsExport' } & AnnotationsExport)
  /** The 教共体's yearly report (server/workspace/report/render.ts). */
  | { kind: 'workspaceReport'; format: 'docx' | 'xlsx' | 'pdf'; data: WorkspaceReportData };

export type AnnotationsExport =
  | { format: 'csv'; list: Annotation[]; voice?: VoiceTier[] }
  | { format: 'eaf'; list: Annotation[]; eaf: { mediaUrl: string; author: string }; voice?: VoiceTier[] };

export type RenderAnswer =
  | { ok: true; kind: 'file'; bytes: Uint8Array; threadId: number }
  | { ok: true; kind: 'doc'; doc: PmNode; threadId: number }
  | { ok: true; kind: 'diff'; blocks: BlockDiff[]; threadId: number }
  | { ok: true; kind: 'text'; text: string; threadId: number }
  /** `repair`: the stored history is not a valid document; the server repairs it (store.ts) and asks again. */
  | { ok: false; code: ErrorCode; message: string; repair?: boolean; threadId: number };

export function isRenderTask(task: { kind: string }): task is RenderTask {
  return task.kind === 'planExport' || task.kind === 'planDoc' || task.kind === 'planDiff' || task.kind === 'reportExport' || task.kind === 'annotationsExport' || task.kind === 'workspaceReport';
}

const REPAIR = { repair: true } as const;

/** The stored history as a plan document, or null when it is not a valid one. */
async function planJson(history: PlanHistory): Promise<PmNode | null> {
  const [{ applyStored }, { checkDocument, docToJSON }] = await Promise.all([import('../plans/store.js'), import('../plans/ydoc.js')]);
  const doc = new Y.Doc();
  try {
    applyStored(doc, history);
    try {
      // The same check as loadValidDoc's fast path; its slow path (skipping and deleting the
      // bad updates) needs the database, so that stays with the server.
      checkDocument(doc, { structureOnly: true });
    } catch {
      return null;
    }
    return docToJSON(doc);
  } finally {
    doc.destroy();
  }
}

export async function renderTask(task: RenderTask): Promise<Uint8Array | { doc: PmNode } | { blocks: BlockDiff[] } | { text: string } | typeof REPAIR> {
  if (task.kind === 'annotationsExport') {
    if (task.format === 'csv') return { text: (await import('../research/export/csv.js')).annotationsCsv(task.list, task.voice) };
    return { text: (await import('../research/export/eaf.js')).annotationsEaf(task.list, task.eaf, task.voice) };
  }
  if (task.kind === 'workspaceReport') return (await import('../workspace/report/render.js')).renderReportFile(task.data, task.format);
  if (task.kind === 'planDiff') return { blocks: (await import('../plans/diff.js')).diffDocs(task.before, task.after) };
  if (task.kind === 'planDoc' || task.kind === 'planExport') {
    const json = await planJson(task);
    if (!json) return REPAIR;
    if (task.kind === 'planDoc') return { doc: json };
    if (task.format === 'docx') return (await import('../plans/docx.js')).docToDocx(json, task.title);
    return (await import('../plans/pdf.js')).docToPdf(json, task.title);
  }
  if (task.format === 'docx') return (await import('../research/export/docx.js')).reportDocx(task.data);
  return (await import('../research/export/pdf.js')).reportPdf(task.data);
}
