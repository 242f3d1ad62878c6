// Lesson chat, kept so a replay shows what was said and a rejoining client sees recent lines.
import type { Queryable } from '../db/db.js';
import type { ChatMessage } from '../contract/domain.js';
import { LIMITS } from '../contract/events.js';
import { AppError } from '../contract/errors.js';
import { iso, sortableId } from '../community/sql.js';

const toMessage = (r: Record<string, unknown>): ChatMessage => ({
  id: String(r.id),
  lessonId: String(r.lesson_id),
  userId: String(r.user_id),
  displayName: String(r.display_name),
  text: String(r.text),
  sentAt: iso(r.sent_at),
});

export async function addChatMessage(
  db: Queryable,
  msg: { lessonId: string; userId: string; text: string },
): Promise<ChatMessage> {
  const text = msg.text.trim();
  if (!text) throw new AppError('BAD_REQUEST', 'message is empty');
  if (text.length > LIMITS.chatTextMax) throw new AppError('BAD_REQUEST', `message is longer than ${LIMITS.chatTextMax} characters`);
  // clock_timestamp, not now(): lines written in one transaction still differ in time;
  // the sortable id breaks ties where the clock is coarse.
  const rows = await db.query(
    `with ins as (
       insert into chat_messages (id, lesson_id, user_id, text, sent_at) values ($1, $2, $3, $4, clock_timestamp())
       returning id, lesson_id, user_id, text, sent_at)
     select ins.*, u.display_name from ins join users u on u.id = ins.user_id`,
    [sortableId(), msg.lessonId, msg.userId, text],
  );
  return toMessage(rows[0]);
}

/** The last `limit` messages, oldest first. */
export async function listChatMessages(db: Queryable, lessonId: string, limit = 200): Promise<ChatMessage[]> {
  const n = Math.max(0, Math.min(Math.floor(limit), 1000));
  const rows = await db.query(
    `select * from (
       select m.id, m.lesson_id, m.user_id, m.text, m.sent_at, u.display_name
         from chat_messages m join users u on u.id = m.user_id
        where m.lesson_id = $1 order by m.sent_at desc, m.id desc limit $2) last
      order by sent_at, id`,
    [lessonId, n],
  );
  return rows.map(toMessage);
}

export async function countChatMessages(db: Queryable, lessonId: string): Promise<number> {
  const [r] = await db.query<{ n: number }>('select count(*)::int as n from chat_messages where lesson_id = $1', [lessonId]);
  return Number(r?.n ?? 0);
}
