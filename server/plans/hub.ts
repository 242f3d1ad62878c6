// The plans this process holds open: one Y.Doc and one Awareness per plan with editors here.
// An update is validated, applied, sent to the plan's room (every process, through the
// Socket.IO Redis adapter) and relayed to the other processes' copies of the document, then
// appended to the database; the editor's ack waits for the append ("ack when stored": an
// unacknowledged update is sent again, see persistAndApply). The database is the truth: a
// process that opens a plan, or gets a new editor for one, folds the stored state into its
// copy, so a missed relay heals itself.
import * as Y from 'yjs';
import * as awarenessProtocol from 'y-protocols/awareness';
import type { Db } from '../db/db.js';
import type { PlanNotice, PlanPhase, PlanUpdateResult } from '../contract/planEvents.js';
import { PLAN_LIMITS } from '../contract/planEvents.js';
import { AppError } from '../contract/errors.js';
import { logger } from '../contract/log.js';
import { extractPhases } from './phases.js';
import { setPlanPhases, touchPlan } from './repo.js';
import { appendUpdates, applyStored, compact, loadStored, loadValidDoc } from './store.js';
import { checkTransaction, ContentRuleError, docToJSON, isValidDocument, validateUpdate } from './ydoc.js';
import { inBackground } from '../background.js';
import { decodeAwareness, encodeAwareness, vouchedState } from './awareness.js';
import { SingleFlight } from '../contract/singleFlight.js';

const log = logger('plans.hub');

/** Origin of an editor's update on the live document: the shadow already holds it. */
const FROM_CLIENT = Symbol('plans.client');

/**
 * Compaction after this long without an edit, or after this many updates appended by this
 * process (bursts: it shares the database with the appends, so not too often while typing).
 */
const COMPACT_EVERY = 2000;
const COMPACT_IDLE_MS = 10_000;
const PHASES_DEBOUNCE_MS = 800;
/** A plan nobody here edits stays in memory this long (a reconnecting editor finds it warm). */
const CLOSE_IDLE_MS = 60_000;

/** How the hub reaches clients and the other processes (the Socket.IO server provides it). */
export interface PlanBroadcast {
  /** To every client in the plan's room, on every process, except one socket. */
  toRoom(planId: string, event: 'plan:update' | 'plan:awareness', update: Uint8Array, exceptSocketId?: string): void;
  changed(planId: string, what: 'comments' | 'versions' | 'phases'): void;
  /** Something the plan's editors should be told (in the editor, not a toast only). */
  notice(planId: string, notice: PlanNotice): void;
  /** To the other processes' hubs (no-op with one process). */
  relay(kind: 'update' | 'awareness', planId: string, update: Uint8Array): void;
}

export interface OpenPlan {
  planId: string;
  doc: Y.Doc;
  /**
   * A copy of `doc`, kept in step with it: an editor's update is applied here first and the
   * result checked (schema, missing dependencies) before the live document or the database
   * sees it. Rebuilt from `doc` after a refusal.
   */
  shadow: Y.Doc;
  /** Stored updates skipped when the plan was opened (its editors are told). */
  notice: PlanNotice | null;
  awareness: awarenessProtocol.Awareness;
  /** Approximate stored size, for the document size limit. */
  storedBytes: number;
  appendedSinceCompact: number;
  phases: string;
  timers: { compact?: NodeJS.Timeout; phases?: NodeJS.Timeout; close?: NodeJS.Timeout };
}

export class PlanHub {
  private readonly open = new Map<string, OpenPlan>();
  private readonly opening = new SingleFlight<string, OpenPlan>();
  /** socket id → plan id → awareness client ids that socket announced. */
  private readonly members = new Map<string, Map<string, Set<number>>>();
  private closed = false;
  broadcast: PlanBroadcast = { toRoom: () => undefined, changed: () => undefined, notice: () => undefined, relay: () => undefined };
  private readonly appender: UpdateAppender;

  constructor(private readonly db: Db) {
    this.appender = new UpdateAppender(db);
  }

  get openCount(): number {
    return this.open.size;
  }

  has(planId: string): OpenPlan | undefined {
    return this.open.get(planId);
  }

  /** The plan's document, loaded or brought up to date with the database. */
  async get(planId: string): Promise<OpenPlan> {
    if (this.closed) throw new AppError('UNAVAILABLE', 'server is shutting down');
    return this.opening.run(planId, async () => {
      // Opening: the stored document checked (and repaired). Already open: only what this copy
      // lacks is folded in — updates stored since were checked by the process that stored them.
      const loaded = this.open.has(planId) ? await this.loadOpen(planId) : await loadValidDoc(this.db, planId);
      let p = this.open.get(planId);
      if (!p) {
        const doc = loaded.doc;
        const awareness = new awarenessProtocol.Awareness(doc);
        awareness.setLocalState(null);
        const created: OpenPlan = { planId, doc, shadow: copyOf(doc), notice: null, awareness, storedBytes: 0, appendedSinceCompact: 0, phases: '', timers: {} };
        // Every change of the live document reaches the shadow (an editor's is there already).
        doc.on('update', (u: Uint8Array, origin: unknown) => {
          if (origin !== FROM_CLIENT) Y.applyUpdate(created.shadow, u, origin);
        });
        p = created;
        this.open.set(planId, p);
      } else {
        // Already open: fold in what the database has and this copy lacks (a missed relay).
        Y.applyUpdate(p.doc, Y.encodeStateAsUpdate(loaded.doc, Y.encodeStateVector(p.doc)), 'db');
        loaded.doc.destroy();
      }
      p.storedBytes = loaded.bytes;
      if (loaded.skipped) {
        p.notice = { kind: 'skipped-updates', count: (p.notice?.count ?? 0) + loaded.skipped };
        this.broadcast.notice(planId, p.notice);
      }
      if (!p.phases) p.phases = JSON.stringify(safePhases(p));
      if (p.timers.close) clearTimeout(p.timers.close);
      p.timers.close = undefined;
      return p;
    });
  }

  private async loadOpen(planId: string): Promise<{ doc: Y.Doc; bytes: number; skipped: number }> {
    const stored = await loadStored(this.db, planId);
    const doc = new Y.Doc();
    applyStored(doc, stored);
    return { doc, bytes: stored.bytes, skipped: 0 };
  }

  /**
   * An editor's update: refused (doc untouched) unless the document it makes is a valid plan;
   * persisted before anyone sees it. An update that depends on something this server does not
   * have is not stored either: the answer carries the server's state vector, and the editor
   * sends everything the server lacks (the update included) in one.
   */
  async applyClientUpdate(planId: string, update: Uint8Array, userId: string, socketId: string): Promise<PlanUpdateResult> {
    validateUpdate(update);
    const p = this.open.get(planId) ?? (await this.get(planId));
    if (p.storedBytes + update.byteLength > PLAN_LIMITS.docBytesMax) {
      throw new AppError('TOO_LARGE', 'the plan has reached its size limit; split it into several plans');
    }
    if (!this.tryOnShadow(p, update)) {
      log.info('plan update lacks dependencies; editor asked to resync', { planId, userId });
      return { stored: false, stateVector: Y.encodeStateVector(p.doc) };
    }
    await this.persistAndApply(p, update, userId, socketId, FROM_CLIENT);
    return { stored: true, stateVector: Y.encodeStateVector(p.doc) };
  }

  /**
   * Applies `update` to the plan's shadow and checks the result. False: it depends on structs
   * or deletions the server lacks. Throws BAD_REQUEST when the result is no valid plan. Either
   * way the shadow is rebuilt from the live document, which stays untouched.
   */
  private tryOnShadow(p: OpenPlan, update: Uint8Array): boolean {
    const refuse = () => {
      p.shadow.destroy();
      p.shadow = copyOf(p.doc);
    };
    let tr: Y.Transaction | null = null;
    const grab = (t: Y.Transaction) => (tr = t);
    p.shadow.on('afterTransaction', grab);
    try {
      Y.applyUpdate(p.shadow, update, FROM_CLIENT);
    } catch {
      refuse();
      throw new AppError('BAD_REQUEST', 'malformed Yjs update');
    } finally {
      p.shadow.off('afterTransaction', grab);
    }
    if (!integrated(p.shadow, update)) {
      refuse();
      return false;
    }
    try {
      // Only what this update touched is converted and checked (the rest was checked before).
      if (tr) checkTransaction(p.shadow, tr);
    } catch (err) {
      refuse();
      // A content rule broken although the document reads: refused only if the document met
      // the rules before this update. Concurrent edits (here, or validated on another process)
      // can merge into such a document; refusing every later edit would freeze the plan.
      if (!(err instanceof ContentRuleError) || isValidDocument(p.shadow)) throw err;
      Y.applyUpdate(p.shadow, update, FROM_CLIENT);
    }
    return true;
  }

  /** A change made by the server itself (restore, import): same path as an editor's. */
  async applyServerUpdate(planId: string, update: Uint8Array, userId: string): Promise<void> {
    const p = this.open.get(planId) ?? (await this.get(planId));
    await this.persistAndApply(p, update, userId, undefined, 'server');
  }

  /**
   * Applied and relayed at once, acknowledged once durable. Relaying before the insert commits
   * loses nothing: until the ack the sender keeps the update and re-sends it on its next join
   * (state vectors), and so does every editor that received it.
   */
  private async persistAndApply(p: OpenPlan, update: Uint8Array, userId: string, socketId: string | undefined, origin: unknown): Promise<void> {
    try {
      Y.applyUpdate(p.doc, update, origin);
    } catch (err) {
      // Validated, yet our copy refused it: rebuild the copy from the database; store nothing.
      log.error('live document refused a validated update; reloading', { planId: p.planId, err });
      this.drop(p.planId);
      throw new AppError('BAD_REQUEST', 'malformed Yjs update');
    }
    this.broadcast.toRoom(p.planId, 'plan:update', update, socketId);
    this.broadcast.relay('update', p.planId, update);
    p.storedBytes += update.byteLength;
    p.appendedSinceCompact++;
    try {
      await this.appender.append(p.planId, update, userId);
    } catch (err) {
      // Not stored: forget our copy so the next join rebuilds it from the database and the
      // editors' resync sends the update again.
      log.error('could not store a plan update', { planId: p.planId, err });
      this.drop(p.planId);
      throw new AppError('UNAVAILABLE', 'the change could not be saved; it will be sent again on reconnect');
    }
    this.afterChange(p);
  }

  /** An update another process applied and relayed (and stores, or its editor sends again). */
  applyRelayed(planId: string, update: Uint8Array): void {
    const p = this.open.get(planId);
    if (!p) return;
    try {
      Y.applyUpdate(p.doc, update, 'relay');
      p.storedBytes += update.byteLength;
      this.schedulePhases(p);
    } catch (err) {
      log.warn('relayed update refused; reloading', { planId, err });
      this.drop(planId);
    }
  }

  /**
   * Cursors: from an editor (`from`), each state is rewritten to what the server vouches for
   * (own name, palette colour) and a client id another socket here announced is refused;
   * from another process (`from` null), already checked there.
   */
  applyAwareness(planId: string, update: Uint8Array, from: { socketId: string; user: { id: string; displayName: string } } | null): void {
    const p = this.open.get(planId);
    if (!p) return;
    let vouched = update;
    if (from) {
      const entries = decodeAwareness(update);
      const ids = this.memberIds(from.socketId, planId);
      for (const e of entries) {
        if (!ids.has(e.clientId) && this.ownerOf(planId, e.clientId, from.socketId)) {
          throw new AppError('FORBIDDEN', 'that cursor belongs to another editor');
        }
        // Removals (null) may be relayed for others (timeouts); only announced states are owned.
        if (e.state) {
          ids.add(e.clientId);
          e.state = vouchedState(e.state, from.user);
        }
      }
      vouched = encodeAwareness(entries);
    }
    try {
      awarenessProtocol.applyAwarenessUpdate(p.awareness, vouched, from?.socketId ?? 'relay');
    } catch {
      throw new AppError('BAD_REQUEST', 'malformed awareness update');
    }
    if (from) {
      this.broadcast.toRoom(planId, 'plan:awareness', vouched, from.socketId);
      this.broadcast.relay('awareness', planId, vouched);
    }
  }

  /** Another socket on this process that announced this awareness client id in the plan. */
  private ownerOf(planId: string, clientId: number, exceptSocketId: string): string | null {
    for (const [socketId, byPlan] of this.members) {
      if (socketId !== exceptSocketId && byPlan.get(planId)?.has(clientId)) return socketId;
    }
    return null;
  }

  awarenessState(planId: string): Uint8Array | null {
    const p = this.open.get(planId);
    if (!p || p.awareness.getStates().size === 0) return null;
    return awarenessProtocol.encodeAwarenessUpdate(p.awareness, [...p.awareness.getStates().keys()]);
  }

  join(planId: string, socketId: string): void {
    this.memberIds(socketId, planId);
  }

  /** The socket left the plan (or disconnected): its cursors go, and an idle plan is let go. */
  leave(planId: string, socketId: string): void {
    const byPlan = this.members.get(socketId);
    const ids = byPlan?.get(planId);
    byPlan?.delete(planId);
    if (byPlan && byPlan.size === 0) this.members.delete(socketId);
    const p = this.open.get(planId);
    if (p && ids?.size) {
      const gone = [...ids].filter((id) => p.awareness.getStates().has(id));
      if (gone.length) {
        // Encode while the states are still there, with the clocks bumped: that is "removed".
        awarenessProtocol.removeAwarenessStates(p.awareness, gone, 'server');
        const update = awarenessProtocol.encodeAwarenessUpdate(p.awareness, gone);
        this.broadcast.toRoom(planId, 'plan:awareness', update);
        this.broadcast.relay('awareness', planId, update);
      }
    }
    if (p && !this.hasMembers(planId)) {
      if (p.timers.close) clearTimeout(p.timers.close);
      p.timers.close = setTimeout(() => inBackground(log, 'plan release', () => this.release(planId), { planId }), CLOSE_IDLE_MS);
      p.timers.close.unref();
    }
  }

  leaveAll(socketId: string): void {
    for (const planId of [...(this.members.get(socketId)?.keys() ?? [])]) this.leave(planId, socketId);
  }

  private hasMembers(planId: string): boolean {
    for (const byPlan of this.members.values()) if (byPlan.has(planId)) return true;
    return false;
  }

  private memberIds(socketId: string, planId: string): Set<number> {
    let byPlan = this.members.get(socketId);
    if (!byPlan) this.members.set(socketId, (byPlan = new Map()));
    let ids = byPlan.get(planId);
    if (!ids) byPlan.set(planId, (ids = new Set()));
    return ids;
  }

  private afterChange(p: OpenPlan): void {
    this.schedulePhases(p);
    if (p.appendedSinceCompact >= COMPACT_EVERY) inBackground(log, 'plan compaction', () => this.compact(p), { planId: p.planId });
    else {
      if (p.timers.compact) clearTimeout(p.timers.compact);
      p.timers.compact = setTimeout(() => inBackground(log, 'plan compaction', () => this.compact(p), { planId: p.planId }), COMPACT_IDLE_MS);
      p.timers.compact.unref();
    }
  }

  private schedulePhases(p: OpenPlan): void {
    if (p.timers.phases) return;
    p.timers.phases = setTimeout(() => {
      p.timers.phases = undefined;
      inBackground(log, 'plan phase refresh', () => this.refreshPhases(p), { planId: p.planId });
    }, PHASES_DEBOUNCE_MS);
    p.timers.phases.unref();
  }

  /** 教学过程 phases as data, rewritten only when they changed. */
  async refreshPhases(p: OpenPlan): Promise<PlanPhase[]> {
    const phases = safePhases(p);
    const key = JSON.stringify(phases);
    try {
      if (key !== p.phases) {
        p.phases = key;
        await setPlanPhases(this.db, p.planId, phases);
        this.broadcast.changed(p.planId, 'phases');
      } else {
        await touchPlan(this.db, p.planId);
      }
    } catch (err) {
      if (!this.closed) log.warn('could not store phases', { planId: p.planId, err });
    }
    return phases;
  }

  async compact(p: OpenPlan): Promise<void> {
    if (p.timers.compact) clearTimeout(p.timers.compact);
    p.timers.compact = undefined;
    p.appendedSinceCompact = 0;
    try {
      const { snapshotBytes } = await compact(this.db, p.planId);
      if (snapshotBytes !== null) p.storedBytes = snapshotBytes;
    } catch (err) {
      // The updates are still appended: nothing is lost, the next compaction retries.
      log.warn('compaction failed', { planId: p.planId, err });
    }
  }

  private drop(planId: string): void {
    const p = this.open.get(planId);
    if (!p) return;
    for (const t of Object.values(p.timers)) if (t) clearTimeout(t);
    p.awareness.destroy();
    p.doc.destroy();
    p.shadow.destroy();
    this.open.delete(planId);
  }

  private async release(planId: string): Promise<void> {
    const p = this.open.get(planId);
    if (!p || this.hasMembers(planId)) return;
    await this.compact(p);
    if (!this.hasMembers(planId)) this.drop(planId);
  }

  /** Stores what is pending (phases, compaction) and lets every document go. */
  async close(): Promise<void> {
    await this.appender.drain();
    const all = [...this.open.values()];
    for (const p of all) {
      if (p.timers.phases) {
        clearTimeout(p.timers.phases);
        p.timers.phases = undefined;
        await this.refreshPhases(p);
      }
      if (p.appendedSinceCompact > 0) await this.compact(p);
    }
    this.closed = true;
    for (const p of all) this.drop(p.planId);
  }
}

/** A fresh document with the same state (the shadow of a live plan). */
function copyOf(doc: Y.Doc): Y.Doc {
  const copy = new Y.Doc({ gc: doc.gc });
  Y.applyUpdate(copy, Y.encodeStateAsUpdate(doc));
  return copy;
}

/**
 * True when every struct and deletion of `update` is integrated in `doc`: none waits for a
 * struct the document lacks. Measured on the update's own ids, so pending structs the document
 * already had (histories stored before this check) do not make every later update suspect.
 */
function integrated(doc: Y.Doc, update: Uint8Array): boolean {
  const sv = Y.decodeStateVector(Y.encodeStateVector(doc));
  const { structs, ds } = Y.decodeUpdate(update);
  for (const s of structs) {
    if (s instanceof Y.Skip) continue;
    if ((sv.get(s.id.client) ?? 0) < s.id.clock + s.length) return false;
  }
  for (const [client, items] of ds.clients) {
    const have = sv.get(client) ?? 0;
    for (const d of items) if (have < d.clock + d.len) return false;
  }
  return true;
}

/** The plan's phases; an unreadable document (logged) has none rather than throwing. */
function safePhases(p: OpenPlan): PlanPhase[] {
  try {
    return extractPhases(docToJSON(p.doc));
  } catch (err) {
    log.error('plan document cannot be read for its phases', { planId: p.planId, err });
    return [];
  }
}

/**
 * Appends updates in batches: whatever arrives while one insert runs goes into the next, as
 * one multi-row insert. Under load that is one round trip for many keystrokes.
 */
class UpdateAppender {
  private queue: { planId: string; update: Uint8Array; userId: string; done: (err?: unknown) => void }[] = [];
  private running = false;

  constructor(private readonly db: Db) {}

  append(planId: string, update: Uint8Array, userId: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ planId, update, userId, done: (err) => (err ? reject(err) : resolve()) });
      if (!this.running) inBackground(log, 'plan update append', () => this.flush());
    });
  }

  /** Resolves once everything queued is stored (or failed). */
  async drain(): Promise<void> {
    while (this.running || this.queue.length) await new Promise((r) => setTimeout(r, 5));
  }

  private async flush(): Promise<void> {
    this.running = true;
    while (this.queue.length) {
      const batch = this.queue.splice(0, 200);
      try {
        await appendUpdates(this.db, batch);
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err);
      }
    }
    this.running = false;
  }
}
