// Yjs documents of plans: build, read as ProseMirror JSON, validate client updates, and
// rewrite content as an ordinary update (so live editors converge on restore and import).
import * as Y from 'yjs';
import { prosemirrorJSONToYXmlFragment, yXmlFragmentToProsemirrorJSON } from '@tiptap/y-tiptap';
import { AppError } from '../contract/errors.js';
import { PLAN_LIMITS } from '../contract/planEvents.js';
import { PLAN_FIELD, planSchema, type PmNode } from './pmSchema.js';

export function docFromUpdates(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  // One transaction, not Y.mergeUpdates: far faster on long keystroke histories.
  doc.transact(() => {
    for (const u of updates) Y.applyUpdate(doc, u);
  });
  return doc;
}

export function docToJSON(doc: Y.Doc): PmNode {
  return yXmlFragmentToProsemirrorJSON(doc.getXmlFragment(PLAN_FIELD)) as PmNode;
}

/** The whole state of a document built from ProseMirror JSON (a new plan, a version). */
export function stateFromJSON(json: PmNode): Uint8Array {
  const doc = new Y.Doc();
  prosemirrorJSONToYXmlFragment(planSchema, json, doc.getXmlFragment(PLAN_FIELD));
  return Y.encodeStateAsUpdate(doc);
}

/**
 * Makes `doc` show `json` by the smallest change (y-tiptap's structural diff) and returns that
 * change as one update, to be stored and sent like any editor's keystrokes.
 */
export function replaceContent(doc: Y.Doc, json: PmNode): Uint8Array {
  // Checked against the schema first: a bad document throws here, before anything changes.
  planSchema.nodeFromJSON(json).check();
  const before = Y.encodeStateVector(doc);
  doc.transact(() => prosemirrorJSONToYXmlFragment(planSchema, json, doc.getXmlFragment(PLAN_FIELD)), 'server');
  return Y.encodeStateAsUpdate(doc, before);
}

// Yjs type refs a ProseMirror binding writes: XmlElement and XmlText (see yjs typeRefs).
const ALLOWED_TYPE_REFS = new Set([3, 6]);

/**
 * Throws AppError unless `update` is a well-formed Yjs update that only touches the plan's
 * fragment with the kinds of content a ProseMirror binding writes. Runs on a scratch
 * document, so the stored and the live document are never touched by a bad update.
 */
export function validateUpdate(update: Uint8Array): void {
  if (update.byteLength > PLAN_LIMITS.updateBytesMax) {
    throw new AppError('TOO_LARGE', `update of ${update.byteLength} bytes is over the ${PLAN_LIMITS.updateBytesMax}-byte limit`);
  }
  let decoded: ReturnType<typeof Y.decodeUpdate>;
  try {
    decoded = Y.decodeUpdate(update);
  } catch {
    throw new AppError('BAD_REQUEST', 'malformed Yjs update');
  }
  for (const s of decoded.structs) {
    if (!(s instanceof Y.Item)) continue;
    // A decoded item names a root type by string (Yjs types say otherwise).
    const parent = s.parent as unknown;
    if (typeof parent === 'string' && parent !== PLAN_FIELD) throw new AppError('BAD_REQUEST', `update writes outside the plan (${parent.slice(0, 40)})`);
    const c = s.content;
    if (c instanceof Y.ContentDoc) throw new AppError('BAD_REQUEST', 'sub-documents are not allowed in a plan');
    if (c instanceof Y.ContentType && !ALLOWED_TYPE_REFS.has(typeRefOf(c.type))) {
      throw new AppError('BAD_REQUEST', 'update holds a kind of content a plan cannot have');
    }
    // Node and mark names the editor's schema knows: anything else the editor would drop
    // (changing the document under everyone) or fail to export.
    if (c instanceof Y.ContentType && c.type instanceof Y.XmlElement && !Object.hasOwn(planSchema.nodes, c.type.nodeName)) {
      throw new AppError('BAD_REQUEST', `a plan has no "${c.type.nodeName.slice(0, 40)}" element`);
    }
    // y-tiptap names overlapping marks "<mark>--<hash>".
    if (c instanceof Y.ContentFormat && !Object.hasOwn(planSchema.marks, c.key.split('--')[0])) {
      throw new AppError('BAD_REQUEST', `a plan has no "${c.key.slice(0, 40)}" formatting`);
    }
  }
  try {
    const scratch = new Y.Doc();
    Y.applyUpdate(scratch, update);
    scratch.destroy();
  } catch {
    throw new AppError('BAD_REQUEST', 'malformed Yjs update');
  }
}

/**
 * Throws BAD_REQUEST unless `doc` is a valid document of the editor's schema: no root type but
 * the plan's fragment holds anything, the fragment holds only the schema's block elements, and
 * its ProseMirror JSON passes the schema's `check()`. Run on a scratch copy with an update
 * applied, this is what keeps a 26-byte `getArray('default').insert(0, ['x'])` out: it decodes
 * fine, but no ProseMirror reader can open the document it makes.
 * `structureOnly`: skip the content rules (`check()`), keep what a reader needs to open it.
 */
export function checkDocument(doc: Y.Doc, opts: { structureOnly?: boolean } = {}): void {
  for (const [name, type] of doc.share) {
    if (name !== PLAN_FIELD && (type._start !== null || type._map.size > 0)) {
      throw new AppError('BAD_REQUEST', `update writes outside the plan (${name.slice(0, 40)})`);
    }
  }
  const fragment = doc.getXmlFragment(PLAN_FIELD);
  if (fragment._map.size > 0) throw new AppError('BAD_REQUEST', 'the plan itself has no attributes');
  for (const child of fragment.toArray()) {
    if (!(child instanceof Y.XmlElement) || !Object.hasOwn(planSchema.nodes, child.nodeName)) {
      throw new AppError('BAD_REQUEST', 'the plan may hold only the editor\'s elements');
    }
  }
  let node: ReturnType<typeof planSchema.nodeFromJSON>;
  try {
    node = planSchema.nodeFromJSON(docToJSON(doc));
  } catch (err) {
    throw new AppError('BAD_REQUEST', `not a readable plan document: ${String((err as Error)?.message ?? err).slice(0, 120)}`);
  }
  if (opts.structureOnly) return;
  try {
    node.check();
  } catch (err) {
    throw new ContentRuleError(`not a valid plan document: ${String((err as Error)?.message ?? err).slice(0, 120)}`);
  }
}

/**
 * checkDocument's verdict for a document that met it before `tr`, in time proportional to what
 * `tr` touched: the root's block names and the doc's content rule are walked (no conversion),
 * and only the top-level blocks that `tr` changed or inserted are converted and checked. An
 * editor's keystroke thus costs one paragraph's conversion, not the whole plan's (a full check
 * of a 1000-paragraph plan takes tens of milliseconds — per keystroke, that would stall the
 * process).
 */
export function checkTransaction(doc: Y.Doc, tr: Y.Transaction): void {
  for (const [name, type] of doc.share) {
    if (name !== PLAN_FIELD && (type._start !== null || type._map.size > 0)) {
      throw new AppError('BAD_REQUEST', `update writes outside the plan (${name.slice(0, 40)})`);
    }
  }
  const fragment = doc.getXmlFragment(PLAN_FIELD);
  if (fragment._map.size > 0) throw new AppError('BAD_REQUEST', 'the plan itself has no attributes');
  const isNew = (item: Y.Item) => item.id.clock >= (tr.beforeState.get(item.id.client) ?? 0);
  const touched = new Set<Y.XmlElement>();
  let match: ReturnType<typeof planSchema.topNodeType.contentMatch.matchType> = planSchema.topNodeType.contentMatch;
  for (const child of fragment.toArray()) {
    if (!(child instanceof Y.XmlElement) || !Object.hasOwn(planSchema.nodes, child.nodeName)) {
      throw new AppError('BAD_REQUEST', 'the plan may hold only the editor\'s elements');
    }
    match = match?.matchType(planSchema.nodes[child.nodeName]) ?? null;
    if (child._item && isNew(child._item)) touched.add(child);
  }
  for (const type of tr.changed.keys()) {
    // Climb to the top-level block holding the changed type; a deleted subtree does not count.
    let item: Y.Item | null = type._item;
    while (item && !item.deleted && item.parent !== fragment) item = item.parent instanceof Y.AbstractType ? item.parent._item : null;
    if (item && !item.deleted && item.content instanceof Y.ContentType && item.content.type instanceof Y.XmlElement) touched.add(item.content.type);
  }
  const nodes: ReturnType<typeof planSchema.nodeFromJSON>[] = [];
  for (const el of touched) {
    try {
      const json = (docToJSONOf({ toArray: () => [el] }).content ?? [])[0];
      nodes.push(planSchema.nodeFromJSON(json));
    } catch (err) {
      throw new AppError('BAD_REQUEST', `not a readable plan document: ${String((err as Error)?.message ?? err).slice(0, 120)}`);
    }
  }
  if (!match?.validEnd) throw new ContentRuleError('not a valid plan document: the blocks break the document\'s content rule');
  try {
    for (const n of nodes) n.check();
  } catch (err) {
    throw new ContentRuleError(`not a valid plan document: ${String((err as Error)?.message ?? err).slice(0, 120)}`);
  }
}

/** y-tiptap's conversion on anything with the fragment's toArray (one block, for checkTransaction). */
const docToJSONOf = (fragmentLike: { toArray(): unknown[] }): PmNode => yXmlFragmentToProsemirrorJSON(fragmentLike as Y.XmlFragment) as PmNode;

/**
 * The document reads, but breaks a content rule of the schema (say, a list item without its
 * paragraph). Concurrent edits merged by Yjs can end like this without anyone's fault; the
 * editor's binding still shows it.
 */
export class ContentRuleError extends AppError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
  }
}

export function isValidDocument(doc: Y.Doc): boolean {
  try {
    checkDocument(doc);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when the document holds structs or deletions it cannot integrate yet: an update it
 * received depends on one it never got.
 */
export function hasPending(doc: Y.Doc): boolean {
  return doc.store.pendingStructs !== null || doc.store.pendingDs !== null;
}

function typeRefOf(t: Y.AbstractType<unknown>): number {
  if (t instanceof Y.XmlElement) return 3;
  if (t instanceof Y.XmlText) return 6;
  return -1;
}
