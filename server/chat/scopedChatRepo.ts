// The chat kept beside a lesson (chat_messages) and beside a plan (plan_chat_messages): the
// same columns keyed by their scope, written and paged the same way. Each side keeps its own
// message shape and events (ChatMessage with lessonId, PlanChatMessage with planId).
import type { Queryable } from '../db/db.js';
import { iso, sortableId } from '../community/sql.js';

export interface ChatScope<M> {
  table: 'chat_messages' | 'plan_chat_messages';
  /** The column naming what the chat is beside. */
  key: 'lesson_id' | 'plan_id';
  /** A row (its columns and the sender's display_name) as this side's message. */
  toMessage(row: Record<string, unknown>): M;
}

/** The columns both message shapes share (each adds its scope's id). */
export function chatFields(r: Record<string, unknown>): { id: string; userId: string; displayName: string; text: string; sentAt: string } {
  return { id: String(r.id), userId: String(r.user_id), displayName: String(r.display_name), text: String(r.text), sentAt: iso(r.sent_at) };
}

/** Stores a line (already validated) and returns it with its sender's name. */
export async function addChat<M>(db: Queryable, scope: ChatScope<M>, scopeId: string, userId: string, text: string): Promise<M> {
  // clock_timestamp, not now(): lines written in one transaction still differ in time;
  // the sortable id breaks ties where the clock is coarse.
  const rows = await db.query(
    `with ins as (
       insert into ${scope.table} (id, ${scope.key}, user_id, text, sent_at) values ($1, $2, $3, $4, clock_timestamp())
       returning id, ${scope.key}, user_id, text, sent_at)
     select ins.*, u.display_name from ins join users u on u.id = ins.user_id`,
    [sortableId(), scopeId, userId, text],
  );
  return scope.toMessage(rows[0]);
}

/** The last `limit` lines (at most 1000), oldest first. */
export async function lastChat<M>(db: Queryable, scope: ChatScope<M>, scopeId: string, limit: number): Promise<M[]> {
  const rows = await db.query(
    `select * from (
       select m.id, m.${scope.key}, m.user_id, m.text, m.sent_at, u.display_name
         from ${scope.table} m join users u on u.id = m.user_id
        where m.${scope.key} = $1 order by m.sent_at desc, m.id desc limit $2) last
      order by sent_at, id`,
    [scopeId, Math.min(limit, 1000)],
  );
  return rows.map(scope.toMessage);
}
