// What the replay page reads beside the processing state: the lesson's chat, its classrooms,
// the recording's gaps and each track's detected speech, each on the lesson clock.
import type { Queryable } from '../db/db.js';
import type { ReplayChatMessage, ReplayInfo, ReplayVoiceActivity } from '../contract/recordings.js';
import { iso, json } from '../community/sql.js';

/** The lesson's chat in order, each message at its offset from `clockZeroMs` (epoch ms). */
export async function listChatOnClock(db: Queryable, lessonId: string, clockZeroMs: number): Promise<ReplayChatMessage[]> {
  const rows = await db.query(
    `select m.sent_at, m.text, u.display_name from chat_messages m join users u on u.id = m.user_id
      where m.lesson_id = $1 order by m.sent_at, m.id`,
    [lessonId],
  );
  return rows.map((r) => ({ atMs: Date.parse(iso(r.sent_at)) - clockZeroMs, userName: String(r.display_name), text: String(r.text) }));
}

/** The host classroom and every receiving one, by name. */
export function listLessonClassrooms(db: Queryable, lessonId: string, hostClassroomId: string): Promise<{ id: string; name: string }[]> {
  return db.query<{ id: string; name: string }>(
    `select c.id, c.name from classrooms c
      where c.id = $2 or c.id in (select classroom_id from lesson_classrooms where lesson_id = $1) order by c.name`,
    [lessonId, hostClassroomId],
  );
}

export async function listGaps(db: Queryable, lessonId: string): Promise<ReplayInfo['gaps']> {
  const rows = await db.query('select track_id, from_ms, to_ms, reason from recording_gaps where lesson_id = $1 order by from_ms', [lessonId]);
  return rows.map((r) => ({ trackId: (r.track_id as string | null) ?? null, fromMs: Number(r.from_ms), toMs: Number(r.to_ms), reason: String(r.reason) }));
}

export async function listVoiceActivity(db: Queryable, lessonId: string): Promise<ReplayVoiceActivity[]> {
  const rows = await db.query('select track_id, speaker, classroom_id, segments from voice_activity where lesson_id = $1', [lessonId]);
  return rows.map((r) => ({
    trackId: String(r.track_id),
    speaker: r.speaker as ReplayVoiceActivity['speaker'],
    classroomId: (r.classroom_id as string | null) ?? null,
    segments: json<[number, number][]>(r.segments),
  }));
}
