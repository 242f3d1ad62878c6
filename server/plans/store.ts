// Persistence of a plan's Yjs document: every update is appended as it arrives; compaction
// folds them into the snapshot. Load = snapshot + the updates not yet folded in.
// Two processes may compact one plan at once: the snapshot row is locked, and only the
// updates actually read are deleted, so nothing appended meanwhile can be lost.
import * as Y from 'yjs';
import type { Queryable } from '../db/db.js';
import { inTx } from '../community/sql.js';
import { logger } from '../contract/log.js';
import { checkDocument } from './ydoc.js';

const log = logger('plans.store');

const bytes = (v: unknown): Uint8Array => (v instanceof Uint8Array ? v : new Uint8Array(v as ArrayBuffer));

/** Several updates (any plans) in one insert, in the given order. */
export async function appendUpdates(db: Queryable, rows: { planId: string; update: Uint8Array; userId: string | null }[]): Promise<void> {
  if (!rows.length) return;
  const params: unknown[] = [];
  const values = rows.map((r) => {
    params.push(r.planId, Buffer.from(r.update), r.userId);
    const n = params.length;
    return `($${n - 2}, $${n - 1}, $${n})`;
  });
  await db.query(`insert into plan_updates (plan_id, data, user_id) values ${values.join(', ')}`, params);
}

export interface StoredState {
  snapshot: Uint8Array | null;
  updates: Uint8Array[];
  /** Bytes stored (snapshot + pending updates). */
  bytes: number;
}

const fromB64List = (v: unknown): Uint8Array[] =>
  typeof v === 'string' && v ? v.split(',').map((b) => new Uint8Array(Buffer.from(b, 'base64'))) : [];

/**
 * Snapshot and pending updates in one round trip. The updates come as one base64 string:
 * thousands of keystroke-sized rows read several times faster that way than row by row.
 */
export async function loadStored(db: Queryable, planId: string): Promise<StoredState> {
  const rows = await db.query(
    `select (select encode(data, 'base64') from plan_snapshots where plan_id = $1) as snap,
            (select string_agg(encode(data, 'base64'), ',' order by id) from plan_updates where plan_id = $1) as ups`,
    [planId],
  );
  // The snapshot as base64 too: PGlite decodes a bytea column in JavaScript on the event loop
  // (a 1 MB snapshot: 200–400 ms); base64 decodes natively (~30 ms).
  const snap = rows[0]?.snap;
  const snapshot = typeof snap === 'string' && snap ? new Uint8Array(Buffer.from(snap, 'base64')) : null;
  const updates = fromB64List(rows[0]?.ups);
  return { snapshot, updates, bytes: (snapshot?.byteLength ?? 0) + updates.reduce((n, u) => n + u.byteLength, 0) };
}

/**
 * Applies stored updates in one transaction. (Y.mergeUpdates is far slower on long keystroke
 * histories — seconds for 20 000 updates — while applying them in one transaction takes tens of ms.)
 */
export function applyStored(doc: Y.Doc, s: Pick<StoredState, 'snapshot' | 'updates'>, origin: unknown = 'db'): void {
  doc.transact(() => {
    if (s.snapshot) Y.applyUpdate(doc, s.snapshot, origin);
    for (const u of s.updates) Y.applyUpdate(doc, u, origin);
  }, origin);
}

/** The document's full state as one update (what a version or an export starts from). */
export async function loadState(db: Queryable, planId: string): Promise<Uint8Array> {
  const { doc } = await loadValidDoc(db, planId);
  try {
    return Y.encodeStateAsUpdate(doc);
  } finally {
    doc.destroy();
  }
}

export interface ValidDoc {
  doc: Y.Doc;
  /** Bytes stored (snapshot + pending updates), for the size limit. */
  bytes: number;
  /** Stored updates left out because the document they make is not a valid plan. */
  skipped: number;
}

const STRUCTURE = { structureOnly: true };

/** Updates checked together on the slow path before falling back to one at a time. */
const REPAIR_CHUNK = 64;

/**
 * The stored document as a valid plan. Fast path: everything in one transaction, checked once.
 * A history that holds an invalid update (stored before updates were checked against the
 * schema) is replayed in chunks from the last valid state, and the offending updates are left
 * out, logged and deleted — so the plan opens, and compaction never folds them into the
 * snapshot.
 */
export async function loadValidDoc(db: Queryable, planId: string): Promise<ValidDoc> {
  const stored = await loadStored(db, planId);
  const doc = new Y.Doc();
  try {
    applyStored(doc, stored);
    // What a reader needs to open it; a content rule broken by merged concurrent edits is
    // no reason to drop anyone's update.
    checkDocument(doc, STRUCTURE);
    return { doc, bytes: stored.bytes, skipped: 0 };
  } catch (err) {
    doc.destroy();
    log.warn('stored plan history is not a valid document; replaying it update by update', { planId, err });
  }
  const rows = await db.query<{ id: string | number; data: unknown }>('select id, data from plan_updates where plan_id = $1 order by id', [planId]);
  const build = (state: Uint8Array | null, updates: Uint8Array[]): Y.Doc => {
    const d = new Y.Doc();
    d.transact(() => {
      if (state) Y.applyUpdate(d, state);
      for (const u of updates) Y.applyUpdate(d, u);
    });
    return d;
  };
  const valid = (d: Y.Doc): boolean => {
    try {
      checkDocument(d, STRUCTURE);
      return true;
    } catch {
      return false;
    }
  };
  let good: Uint8Array | null = stored.snapshot;
  if (good) {
    const snap = build(good, []);
    // Nothing older to go back to: the snapshot is what there is (logged; the editor's binding
    // drops what it cannot show).
    if (!valid(snap)) log.error('plan snapshot is not a valid document', { planId });
    snap.destroy();
  }
  const bad: string[] = [];
  let total = stored.snapshot?.byteLength ?? 0;
  const tryApply = (updates: Uint8Array[]): boolean => {
    let d: Y.Doc | null = null;
    try {
      d = build(good, updates);
      if (!valid(d)) return false;
      good = Y.encodeStateAsUpdate(d);
      return true;
    } catch {
      return false;
    } finally {
      d?.destroy();
    }
  };
  for (let i = 0; i < rows.length; i += REPAIR_CHUNK) {
    const chunk = rows.slice(i, i + REPAIR_CHUNK).map((r) => ({ id: String(r.id), update: bytes(r.data) }));
    if (tryApply(chunk.map((c) => c.update))) {
      total += chunk.reduce((n, c) => n + c.update.byteLength, 0);
      continue;
    }
    for (const c of chunk) {
      if (tryApply([c.update])) total += c.update.byteLength;
      else {
        bad.push(c.id);
        log.error('skipped an invalid stored plan update', {
          planId,
          updateId: c.id,
          bytes: c.update.byteLength,
          head: Buffer.from(c.update.subarray(0, 96)).toString('base64'),
        });
      }
    }
  }
  if (bad.length) await db.query('delete from plan_updates where plan_id = $1 and id = any($2::bigint[])', [planId, bad]);
  return { doc: build(good, []), bytes: total, skipped: bad.length };
}

export async function countPendingUpdates(db: Queryable, planId: string): Promise<number> {
  const r = await db.query<{ n: number | string }>('select count(*) as n from plan_updates where plan_id = $1', [planId]);
  return Number(r[0]?.n ?? 0);
}

/** Folds the appended updates into the snapshot; returns how many, and the snapshot's new size. */
export async function compact(db: Queryable, planId: string): Promise<{ folded: number; snapshotBytes: number | null }> {
  return inTx(db, async (q) => {
    const snap = await q.query('select data from plan_snapshots where plan_id = $1 for update', [planId]);
    const rows = await q.query(
      `select string_agg(id::text, ',' order by id) as ids, string_agg(encode(data, 'base64'), ',' order by id) as ups
         from plan_updates where plan_id = $1`,
      [planId],
    );
    const ids = typeof rows[0]?.ids === 'string' ? rows[0].ids.split(',') : [];
    if (!ids.length) return { folded: 0, snapshotBytes: null };
    const doc = new Y.Doc();
    applyStored(doc, { snapshot: snap[0] ? bytes(snap[0].data) : null, updates: fromB64List(rows[0].ups) });
    // Never fold an invalid update into the snapshot: opening the plan replays and drops it.
    try {
      checkDocument(doc, STRUCTURE);
    } catch (err) {
      doc.destroy();
      throw new Error('stored updates do not make a valid plan; left for the repair on open', { cause: err });
    }
    const state = Buffer.from(Y.encodeStateAsUpdate(doc));
    doc.destroy();
    await q.query(
      `insert into plan_snapshots (plan_id, data, merged, updated_at) values ($1, $2, $3, now())
       on conflict (plan_id) do update set data = excluded.data, merged = plan_snapshots.merged + excluded.merged, updated_at = now()`,
      [planId, state, ids.length],
    );
    // Exactly the rows read: anything appended meanwhile stays for the next compaction.
    await q.query('delete from plan_updates where plan_id = $1 and id = any($2::bigint[])', [planId, ids]);
    return { folded: ids.length, snapshotBytes: state.byteLength };
  });
}

export async function writeSnapshot(db: Queryable, planId: string, state: Uint8Array): Promise<void> {
  await db.query(
    `insert into plan_snapshots (plan_id, data) values ($1, $2)
     on conflict (plan_id) do update set data = excluded.data, updated_at = now()`,
    [planId, Buffer.from(state)],
  );
}
