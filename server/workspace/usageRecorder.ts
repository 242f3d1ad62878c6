// Records 人次 (visits) for the usage statistics without costing the request anything: a visit is
// counted in memory and written in batches (one upsert per flush), never awaited by a request,
// and a failed write is logged, not thrown. A visit is a user's use of a module on a terminal
// after 30 minutes away from it (web analytics' session rule): a page that fires ten API calls,
// or a replay fetching a hundred segments, is one visit, not ten or a hundred.
//
// Limits: counts are per process (two web processes each count a user who alternates between
// them, once each); what is not yet flushed when a process crashes is lost (≤ FLUSH_MS of visits).
import type { RequestHandler } from 'express';
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { logger } from '../contract/log.js';
import { schoolDayOf } from '../contract/time.js';
import { terminalOf, type UsageModule, type UsageTerminal } from '../contract/workspace/usage.js';
import { addVisits, type VisitCount } from './usageRepo.js';

const log = logger('usage');

export const USAGE_RECORDING = {
  /** Away from a module this long, the next use is a new visit. */
  gapMs: 30 * 60_000,
  /** Pending visits are written at most this long after they happen. */
  flushMs: 5_000,
  /** …or as soon as this many rows are pending. */
  maxPending: 2_000,
};

/** API path prefixes → the module the bureau's tables name. Paths outside them are not a module's use (sign-in, /api/me). */
const MODULE_PREFIXES: [string, UsageModule][] = [
  ['/api/lessons', 'sync_lesson'],
  ['/api/plans', 'collective_prep'],
  ['/api/research', 'research'],
  ['/api/recordings', 'recording'],
  ['/api/workspace', 'workspace'],
];

export function moduleOfPath(path: string): UsageModule | null {
  for (const [prefix, module] of MODULE_PREFIXES) if (path === prefix || path.startsWith(`${prefix}/`)) return module;
  return null;
}

export class UsageRecorder {
  private pending = new Map<string, VisitCount>();
  private lastSeen = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly db: Queryable) {}

  /** Counts a use; returns whether it was a new visit. Never throws, never waits. */
  visit(userId: string, module: UsageModule, terminal: UsageTerminal, nowMs = Date.now()): boolean {
    const key = `${userId}|${module}|${terminal}`;
    const last = this.lastSeen.get(key);
    this.lastSeen.set(key, nowMs);
    const day = schoolDayOf(new Date(nowMs)).day;
    if (last !== undefined && nowMs - last < USAGE_RECORDING.gapMs && schoolDayOf(new Date(last)).day === day) return false;
    const rowKey = `${key}|${day}`;
    const row = this.pending.get(rowKey);
    if (row) row.visits++;
    else this.pending.set(rowKey, { userId, module, terminal, day, visits: 1 });
    if (this.pending.size >= USAGE_RECORDING.maxPending) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), USAGE_RECORDING.flushMs);
      this.timer.unref();
    }
    return true;
  }

  /** Writes what is pending (one statement); resolves when this and every earlier write is done. Errors are logged. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const rows = [...this.pending.values()];
    this.pending.clear();
    this.forgetIdle(Date.now());
    this.writing = this.writing.then(async () => {
      if (!rows.length) return;
      try {
        await addVisits(this.db, rows);
      } catch (err) {
        log.error('could not write usage visits', { err, rows: rows.length });
      }
    });
    return this.writing;
  }

  /** Users away longer than the gap start a new visit anyway: their last-seen entries can go. */
  private forgetIdle(nowMs: number): void {
    for (const [k, at] of this.lastSeen) if (nowMs - at >= USAGE_RECORDING.gapMs) this.lastSeen.delete(k);
  }
}

// One recorder per database handle: the web process's API and its live lessons share it, and a
// test's own database gets its own.
const recorders = new WeakMap<object, UsageRecorder>();

export function usageRecorder(db: Queryable): UsageRecorder {
  let r = recorders.get(db);
  if (!r) recorders.set(db, (r = new UsageRecorder(db)));
  return r;
}

/** A live lesson's join (server/live): the user used 同步课堂 on this terminal. */
export function recordLessonJoin(db: Queryable, user: PublicUser, userAgent: string | undefined): void {
  usageRecorder(db).visit(user.id, 'sync_lesson', terminalOf(user.role, userAgent));
}

/**
 * Counts every successful API request of a module by its signed-in user, once the answer is sent
 * (res.locals.user is set by the route's requireUser by then: no query of its own).
 */
export function usageMiddleware(db: Queryable): RequestHandler {
  const recorder = usageRecorder(db);
  return (req, res, next) => {
    const module = moduleOfPath(req.path);
    if (module) {
      res.once('finish', () => {
        const user = res.locals.user as PublicUser | undefined;
        if (!user || res.statusCode >= 400) return;
        try {
          recorder.visit(user.id, module, terminalOf(user.role, req.headers['user-agent']));
        } catch (err) {
          log.error('could not count a visit', { err });
        }
      });
    }
    next();
  };
}
