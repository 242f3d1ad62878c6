// Awareness (cursor) updates checked at the edge: an editor may announce only its own cursor,
// under its own name, in a colour of the fixed palette. The update is decoded, each state
// rewritten to what the server vouches for, and encoded again — so no editor can show others
// a fake name (or a 4 KB "name") next to a cursor.
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { AppError } from '../contract/errors.js';
import { PLAN_CURSOR_COLOURS, planCursorColour } from '../contract/planEvents.js';

/** Most awareness entries one update may carry (one per tab of the editor is the norm). */
const ENTRIES_MAX = 16;

export interface AwarenessEntry {
  clientId: number;
  clock: number;
  /** null: the state is removed. */
  state: Record<string, unknown> | null;
}

export function decodeAwareness(update: Uint8Array): AwarenessEntry[] {
  try {
    const d = decoding.createDecoder(update);
    const n = decoding.readVarUint(d);
    if (n > ENTRIES_MAX) throw new AppError('BAD_REQUEST', 'too many awareness states in one update');
    const out: AwarenessEntry[] = [];
    for (let i = 0; i < n; i++) {
      const clientId = decoding.readVarUint(d);
      const clock = decoding.readVarUint(d);
      const state: unknown = JSON.parse(decoding.readVarString(d));
      if (state !== null && (typeof state !== 'object' || Array.isArray(state))) throw new AppError('BAD_REQUEST', 'an awareness state is an object');
      out.push({ clientId, clock, state: state as Record<string, unknown> | null });
    }
    if (decoding.hasContent(d)) throw new AppError('BAD_REQUEST', 'trailing bytes after the awareness states');
    return out;
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError('BAD_REQUEST', 'malformed awareness update');
  }
}

export function encodeAwareness(entries: AwarenessEntry[]): Uint8Array {
  const e = encoding.createEncoder();
  encoding.writeVarUint(e, entries.length);
  for (const x of entries) {
    encoding.writeVarUint(e, x.clientId);
    encoding.writeVarUint(e, x.clock);
    encoding.writeVarString(e, JSON.stringify(x.state));
  }
  return encoding.toUint8Array(e);
}

/**
 * The state as the server lets it through: `user` is the sender's own name and a palette
 * colour (theirs unless they picked another from the palette); `cursor` (y-prosemirror's
 * relative positions) is kept when it has that shape; nothing else is relayed.
 */
export function vouchedState(state: Record<string, unknown>, user: { id: string; displayName: string }): Record<string, unknown> {
  const claimed = state.user as { color?: unknown } | undefined;
  const color = typeof claimed?.color === 'string' && (PLAN_CURSOR_COLOURS as readonly string[]).includes(claimed.color) ? claimed.color : planCursorColour(user.id);
  const out: Record<string, unknown> = { user: { name: user.displayName, color } };
  const cursor = state.cursor as { anchor?: unknown; head?: unknown } | null | undefined;
  if (cursor === null) out.cursor = null;
  else if (cursor && typeof cursor === 'object' && isObject(cursor.anchor) && isObject(cursor.head)) out.cursor = { anchor: cursor.anchor, head: cursor.head };
  return out;
}

const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
