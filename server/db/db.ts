// One small query interface over embedded PGlite (default) or PostgreSQL (DATABASE_URL).
import { mkdirSync } from 'node:fs';
import { MIGRATIONS } from './migrations.js';
import { logger } from '../contract/log.js';

const log = logger('db');

export type Row = Record<string, unknown>;

export interface Queryable {
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Db extends Queryable {
  /**
   * The same database for work that can wait: recording processing (planning, progress). On
   * embedded PGlite — one statement at a time, on the event loop — its statements run only when
   * no live-lesson statement is waiting, so a backlog of processing never delays a lesson's own
   * writes (lesson:end behind minutes of queued planning after a 45-minute lesson). PostgreSQL
   * runs statements side by side on its pool; there it is the same pool.
   */
  readonly background: Queryable;
  /** Runs fn in one transaction; rolls back if it throws. */
  tx<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  readonly kind: 'pglite' | 'postgres';
}

export async function openDb(opts: { databaseUrl?: string; dataDir?: string }): Promise<Db> {
  const db = opts.databaseUrl ? await openPostgres(opts.databaseUrl) : await openPglite(opts.dataDir);
  await migrate(db);
  return db;
}

async function openPglite(dataDir?: string): Promise<Db> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = new PGlite(dataDir);
  await pg.waitReady;
  // PGlite runs one statement at a time: two queues feed it, one statement (or transaction)
  // after another so transactions never interleave, the foreground queue first.
  const lanes = new StatementLanes();
  const query = async <T extends Row>(sql: string, params?: unknown[]) =>
    (await pg.query<T>(sql, params as unknown[])).rows;
  return {
    kind: 'pglite',
    query: (sql, params) => lanes.run('foreground', () => query(sql, params)),
    background: { query: (sql, params) => lanes.run('background', () => query(sql, params)) },
    tx: (fn) => lanes.run('foreground', () => pg.transaction((t) => fn({ query: async (s, p) => (await t.query(s, p as unknown[])).rows as never }))),
    close: () => lanes.run('foreground', () => pg.close()),
  };
}

type Lane = 'foreground' | 'background';

/** Runs one task at a time, every waiting foreground task before any background one. */
export class StatementLanes {
  private readonly waiting: Record<Lane, (() => Promise<void>)[]> = { foreground: [], background: [] };
  private busy = false;

  run<T>(lane: Lane, fn: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting[lane].push(() => Promise.resolve().then(fn).then(resolve, reject));
      this.pump();
    });
  }

  private pump(): void {
    if (this.busy) return;
    const next = this.waiting.foreground.shift() ?? this.waiting.background.shift();
    if (!next) return;
    this.busy = true;
    void next().finally(() => {
      this.busy = false;
      this.pump();
    });
  }
}

async function openPostgres(url: string): Promise<Db> {
  const { default: pg } = await import('pg');
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle pooled connection that PostgreSQL drops (restart, admin termination, network) emits
  // 'error' on the pool; unhandled, that would end the process. The pool replaces it on next use.
  pool.on('error', (err) => log.warn('idle PostgreSQL connection lost', { err }));
  const query: Queryable['query'] = async (sql, params) => (await pool.query(sql, params)).rows;
  return {
    kind: 'postgres',
    query,
    background: { query },
    tx: async (fn) => {
      const client = await pool.connect();
      try {
        await client.query('begin');
        const out = await fn({ query: async (s, p) => (await client.query(s, p)).rows });
        await client.query('commit');
        return out;
      } catch (err) {
        await client.query('rollback').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

/** Advisory-lock key every Tongbu process takes to serialise migrations (any fixed number; "tbmg"). */
const MIGRATION_LOCK = 0x7462_6d67;

async function migrate(db: Db): Promise<void> {
  // Several processes may start at once on one PostgreSQL: each step takes a transaction-scoped
  // advisory lock and re-checks, so exactly one process applies each migration and the others
  // wait for it. (PGlite has a single connection: nothing to race with.)
  const lock = (q: Queryable) => (db.kind === 'postgres' ? q.query('select pg_advisory_xact_lock($1)', [MIGRATION_LOCK]) : undefined);
  await db.tx(async (q) => {
    await lock(q);
    await q.query(
      'create table if not exists schema_migrations (version int primary key, applied_at timestamptz not null default now())',
    );
  });
  const done = new Set((await db.query<{ version: number }>('select version from schema_migrations')).map((r) => r.version));
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    await db.tx(async (q) => {
      await lock(q);
      if ((await q.query('select 1 from schema_migrations where version = $1', [m.version])).length > 0) return;
      for (const stmt of splitStatements(m.sql)) await q.query(stmt);
      await q.query('insert into schema_migrations (version) values ($1)', [m.version]);
    });
  }
}

/** Migrations hold plain DDL (no functions), so splitting on `;` at line end is safe. */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    // eslint-disable-next-line regexp/no-super-linear-move -- the project's own migration SQL, never user input
    .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
    .filter(Boolean);
}
