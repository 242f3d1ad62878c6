// Small helpers shared by the repos: row values differ slightly between PGlite and node-postgres.
import { randomBytes } from 'node:crypto';
import type { Db, Queryable } from '../db/db.js';

/**
 * Runs fn atomically. Repos take a Queryable so callers already inside `db.tx` can pass
 * their `q` (nesting would deadlock PGlite); a plain Queryable just runs fn on it.
 */
export function inTx<T>(q: Queryable | Db, fn: (q: Queryable) => Promise<T>): Promise<T> {
  return 'tx' in q && typeof q.tx === 'function' ? q.tx(fn) : fn(q);
}

export function iso(v: unknown): string {
  return v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString();
}

export function isoOrNull(v: unknown): string | null {
  return v === null || v === undefined ? null : iso(v);
}

/** jsonb comes back parsed from both drivers; older pg setups may hand back text. */
export function json<T>(v: unknown): T {
  return (typeof v === 'string' ? JSON.parse(v) : v) as T;
}

export function isUniqueViolation(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505';
}

let lastMs = 0;
let seq = 0;

/**
 * Ids that sort in creation order within this process (time, then a counter), used as the
 * tie-break where the database clock is too coarse: PGlite's clock can give several rows
 * one timestamp. Only [0-9a-z] at fixed width, so any collation sorts them the same way.
 */
export function sortableId(): string {
  const now = Math.max(Date.now(), lastMs);
  seq = now === lastMs ? seq + 1 : 0;
  lastMs = now;
  if (seq >= 36 ** 4) {
    lastMs = now + 1;
    seq = 0;
  }
  const rand = randomBytes(8).readBigUInt64BE().toString(36).padStart(13, '0');
  return lastMs.toString(36).padStart(9, '0') + seq.toString(36).padStart(4, '0') + rand;
}

type Row = Record<string, unknown>;
/** How a column's value becomes a field's (the drivers differ in what they hand back for numbers and times). */
const CONVERT = {
  str: (v: unknown): string => String(v),
  num: (v: unknown): number => Number(v),
  strOrNull: (v: unknown): string | null => (v === null || v === undefined ? null : String(v)),
  iso,
  isoOrNull,
};
type Kind = keyof typeof CONVERT;
/** The fields of T whose type is exactly V. */
type FieldsOf<T, V> = { [P in keyof T]: [T[P]] extends [V] ? ([V] extends [T[P]] ? P : never) : never }[keyof T] & string;

/**
 * A row → T mapper for the plain columns: each listed field is read from its snake_case column
 * (`hostClassroomId` ← `host_classroom_id`) and converted by the kind it is listed under; `rest`
 * gives the fields that need more (json, enums). Repositories used to spell every field out as
 * `x: String(r.x)`, the same lines in every repo.
 */
export function rowMapper<T>(spec: { [K in Kind]?: readonly FieldsOf<T, ReturnType<(typeof CONVERT)[K]>>[] }, rest?: (r: Row) => Partial<T>): (r: Row) => T {
  const fields = (Object.keys(spec) as Kind[]).flatMap((kind) =>
    (spec[kind] ?? []).map((field) => [field, field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), CONVERT[kind]] as const),
  );
  return (r) => {
    const out: Row = {};
    for (const [field, column, convert] of fields) out[field] = convert(r[column]);
    return { ...out, ...rest?.(r) } as T;
  };
}
