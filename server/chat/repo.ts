// Lesson chat, kept so a replay shows what was said and a rejoining client sees recent lines.
import type { Queryable } from '../db/db.js';
import type { ChatMessage } from '../contract/domain.js';
import { LIMITS } from '../contract/events.js';
import { AppError } from '../contract/errors.js';
import { addChat, chatFields, lastChat, type ChatScope } from './scopedChatRepo.js';

const LESSON_CHAT: ChatScope<ChatMessage> = {
  table: 'chat_messages',
  key: 'lesson_id',
  toMessage: (r) => ({ ...chatFields(r), lessonId: String(r.lesson_id) }),
};

export async function addChatMessage(
  db: Queryable,
  msg: { lessonId: string; userId: string; text: string },
): Promise<ChatMessage> {
  const text = msg.text.trim();
  if (!text) throw new AppError('BAD_REQUEST', 'message is empty');
  if (text.length > LIMITS.chatTextMax) throw new AppError('BAD_REQUEST', `message is longer than ${LIMITS.chatTextMax} characters`);
  return addChat(db, LESSON_CHAT, msg.lessonId, msg.userId, text);
}

/** The last `limit` messages, oldest first. */
export async function listChatMessages(db: Queryable, lessonId: string, limit = 200): Promise<ChatMessage[]> {
  return lastChat(db, LESSON_CHAT, lessonId, Math.max(0, Math.floor(limit)));
}

export async function countChatMessages(db: Queryable, lessonId: string): Promise<number> {
  const [r] = await db.query<{ n: number }>('select count(*)::int as n from chat_messages where lesson_id = $1', [lessonId]);
  return Number(r?.n ?? 0);
}
