// What the report reads of a set of pairings' synchronous lessons in a year: the lessons and
// their classrooms, the event log (presence, hands, stage), the quizzes and who answered them, and
// the voice analysis where the recording has one. Seven queries whatever the number of pairings
// and lessons, so a community's or a bureau's report stays a handful of round trips.
import type { Queryable } from '../db/db.js';
import { iso, isoOrNull, json } from '../community/sql.js';
import { addDays, schoolInstant } from '../contract/time.js';
import { parseLessonEvent, type LessonEventData } from '../contract/lessonEvents.js';
import type { VoiceTrack } from '../contract/research.js';
import { VOICE_TRACK_COLUMNS, voiceTrackOf } from '../research/analysisRepo.js';
import type { PairingSchools, SyncLessonRecord } from './activitiesRepo.js';

export interface PairingLessonRecord extends SyncLessonRecord {
  teacherName: string;
  /** Every classroom of the lesson → "school classroom". */
  classroomNames: Record<string, string>;
  /** Presence, hand and stage events in time order, on the wall clock. */
  events: ({ atMs: number } & LessonEventData)[];
  quizzes: { quizId: string; answeredBy: string[] }[];
  /** The voice analysis' input, on the lesson clock; null when the lesson has none. */
  voice: { tracks: VoiceTrack[]; durationMs: number } | null;
}

const EVENT_TYPES = ['presence:join', 'presence:leave', 'hand:raise', 'stage:on', 'stage:off'];

function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

/** Each pairing's lessons started in the Shanghai days [from, to] (a lesson received by two rural schools is in both pairings). */
export async function pairingLessons(db: Queryable, pairings: readonly PairingSchools[], from: string, to: string): Promise<Map<string, PairingLessonRecord[]>> {
  const out = new Map<string, PairingLessonRecord[]>(pairings.map((p) => [p.pairingId, []]));
  if (!pairings.length) return out;
  const lessons = await db.query(
    `select p.id as pairing_id, l.id, l.title, l.subject, l.teacher_id, u.display_name as teacher_name,
            l.duration_min, l.started_at, l.ended_at
       from pairings p
       join classrooms hc on hc.school_id = p.city_school_id
       join lessons l on l.host_classroom_id = hc.id
       join users u on u.id = l.teacher_id
      where p.id = any($1::text[]) and l.started_at >= $2 and l.started_at < $3
        and exists (select 1 from lesson_classrooms lc join classrooms c on c.id = lc.classroom_id
                     where lc.lesson_id = l.id and c.school_id = p.rural_school_id)
      order by l.started_at, l.id`,
    [pairings.map((p) => p.pairingId), schoolInstant(from, 0), schoolInstant(addDays(to, 1), 0)],
  );
  if (!lessons.length) return out;
  const ids = [...new Set(lessons.map((r) => String(r.id)))];
  const [classrooms, events, quizzes, voice, clocks] = await Promise.all([
    db.query(
      `select x.lesson_id, c.id as classroom_id, c.school_id, s.name as school_name, c.name
         from (select id as lesson_id, host_classroom_id as classroom_id from lessons where id = any($1::text[])
               union all
               select lesson_id, classroom_id from lesson_classrooms where lesson_id = any($1::text[])) x
         join classrooms c on c.id = x.classroom_id join schools s on s.id = c.school_id
        order by s.kind, c.name`,
      [ids],
    ),
    db.query(
      `select lesson_id, at, type, payload from lesson_events
        where lesson_id = any($1::text[]) and type = any($2::text[]) order by lesson_id, at, id`,
      [ids, EVENT_TYPES],
    ),
    db.query(
      `select q.lesson_id, q.id as quiz_id, a.classroom_id from quizzes q left join quiz_answers a on a.quiz_id = q.id
        where q.lesson_id = any($1::text[]) order by q.created_at, q.id`,
      [ids],
    ),
    db.query(`select v.lesson_id, ${VOICE_TRACK_COLUMNS} from voice_activity v where v.lesson_id = any($1::text[]) order by v.track_id`, [ids]),
    db.query('select lesson_id, clock_zero, ended_at from recordings where lesson_id = any($1::text[])', [ids]),
  ]);
  const roomsOf = groupBy(classrooms, (r) => String(r.lesson_id));
  const eventsOf = groupBy(events, (r) => String(r.lesson_id));
  const quizRowsOf = groupBy(quizzes, (r) => String(r.lesson_id));
  const voiceOf = groupBy(voice, (r) => String(r.lesson_id));
  const clockOf = new Map(clocks.map((r) => [String(r.lesson_id), r]));

  for (const r of lessons) {
    const id = String(r.id);
    const rooms = roomsOf.get(id) ?? [];
    const all = (eventsOf.get(id) ?? []).flatMap((e) => {
      const parsed = parseLessonEvent(String(e.type), json<unknown>(e.payload));
      return parsed ? [{ atMs: Date.parse(iso(e.at)), ...parsed }] : [];
    });
    const quizMap = new Map<string, string[]>();
    for (const q of quizRowsOf.get(id) ?? []) {
      const list = quizMap.get(String(q.quiz_id)) ?? [];
      if (q.classroom_id) list.push(String(q.classroom_id));
      quizMap.set(String(q.quiz_id), list);
    }
    const startedAt = iso(r.started_at);
    const endedAt = isoOrNull(r.ended_at);
    const tracks: VoiceTrack[] = (voiceOf.get(id) ?? []).map((v) => voiceTrackOf(v, String(v.track_id)));
    out.get(String(r.pairing_id))!.push({
      lessonId: id,
      title: String(r.title),
      subject: String(r.subject),
      teacherId: String(r.teacher_id),
      teacherName: String(r.teacher_name),
      plannedMin: Number(r.duration_min),
      startedAt,
      endedAt,
      classrooms: rooms.map((c) => ({ classroomId: String(c.classroom_id), schoolId: String(c.school_id) })),
      classroomNames: Object.fromEntries(rooms.map((c) => [String(c.classroom_id), `${String(c.school_name)} ${String(c.name)}`])),
      presence: all.filter((e) => e.type === 'presence:join' || e.type === 'presence:leave'),
      events: all,
      quizzes: [...quizMap].map(([quizId, answeredBy]) => ({ quizId, answeredBy })),
      voice: tracks.length ? { tracks, durationMs: clockMs(clockOf.get(id), startedAt, endedAt, tracks) } : null,
    });
  }
  return out;
}

/**
 * The lesson clock's length as the analysis takes it (server/research/analysisRepo.ts lessonClock):
 * recording end − clock zero, else the lesson's own start/end, else the last speech.
 */
function clockMs(rec: Record<string, unknown> | undefined, startedAt: string, endedAt: string | null, tracks: VoiceTrack[]): number {
  const zero = rec ? Date.parse(iso(rec.clock_zero)) : Date.parse(startedAt);
  const endIso = rec?.ended_at ? iso(rec.ended_at) : endedAt;
  const ms = endIso ? Math.max(0, Date.parse(endIso) - zero) : 0;
  return ms || Math.max(0, ...tracks.flatMap((t) => t.segments.map((s) => s[1])));
}
