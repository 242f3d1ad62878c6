// A bureau's many pairings' synchronous lessons at once (issue 12): the same records as
// activitiesRepo's syncLessonsOfPairing, for a list of pairings in three queries (lessons, their
// classrooms, their presence) instead of three per pairing. A lesson received by two rural
// schools is a lesson of both pairings.
import type { Queryable } from '../db/db.js';
import { iso, isoOrNull } from '../community/sql.js';
import { addDays, schoolInstant } from '../contract/time.js';
import { parseLessonEvent } from '../contract/lessonEvents.js';
import type { PairingSchools, SyncLessonRecord } from './activitiesRepo.js';

/** Each pairing's lessons started on the Shanghai days [from, to] (every pairing has an entry). */
export async function syncLessonsOfPairings(
  db: Queryable,
  pairings: readonly PairingSchools[],
  from: string,
  to: string,
): Promise<Map<string, SyncLessonRecord[]>> {
  const out = new Map<string, SyncLessonRecord[]>(pairings.map((p) => [p.pairingId, []]));
  if (!pairings.length) return out;
  const lessons = await db.query(
    `with p(pairing_id, city, rural) as (select * from unnest($1::text[], $2::text[], $3::text[]))
     select p.pairing_id, l.id, l.title, l.subject, l.teacher_id, l.duration_min, l.started_at, l.ended_at
       from p join classrooms hc on hc.school_id = p.city
       join lessons l on l.host_classroom_id = hc.id
      where l.started_at >= $4 and l.started_at < $5
        and exists (select 1 from lesson_classrooms lc join classrooms c on c.id = lc.classroom_id
                     where lc.lesson_id = l.id and c.school_id = p.rural)
      order by l.started_at, l.id`,
    [pairings.map((p) => p.pairingId), pairings.map((p) => p.citySchoolId), pairings.map((p) => p.ruralSchoolId), schoolInstant(from, 0), schoolInstant(addDays(to, 1), 0)],
  );
  if (!lessons.length) return out;
  const ids = [...new Set(lessons.map((r) => String(r.id)))];
  const classrooms = await db.query(
    `select l.id as lesson_id, c.id as classroom_id, c.school_id from lessons l join classrooms c on c.id = l.host_classroom_id where l.id = any($1::text[])
     union all
     select lc.lesson_id, c.id, c.school_id from lesson_classrooms lc join classrooms c on c.id = lc.classroom_id where lc.lesson_id = any($1::text[])`,
    [ids],
  );
  const events = await db.query(
    `select lesson_id, at, type, payload from lesson_events
      where lesson_id = any($1::text[]) and type in ('presence:join', 'presence:leave') order by lesson_id, at, id`,
    [ids],
  );
  const roomsOf = new Map<string, SyncLessonRecord['classrooms']>();
  for (const c of classrooms) {
    const id = String(c.lesson_id);
    const list = roomsOf.get(id) ?? [];
    list.push({ classroomId: String(c.classroom_id), schoolId: String(c.school_id) });
    roomsOf.set(id, list);
  }
  const presenceOf = new Map<string, SyncLessonRecord['presence']>();
  for (const e of events) {
    const parsed = parseLessonEvent(String(e.type), e.payload);
    if (!parsed) continue;
    const id = String(e.lesson_id);
    const list = presenceOf.get(id) ?? [];
    list.push({ atMs: Date.parse(iso(e.at)), ...parsed });
    presenceOf.set(id, list);
  }
  for (const r of lessons) {
    const id = String(r.id);
    out.get(String(r.pairing_id))!.push({
      lessonId: id,
      title: String(r.title),
      subject: String(r.subject),
      teacherId: String(r.teacher_id),
      plannedMin: Number(r.duration_min),
      startedAt: iso(r.started_at),
      endedAt: isoOrNull(r.ended_at),
      classrooms: roomsOf.get(id) ?? [],
      presence: presenceOf.get(id) ?? [],
    });
  }
  return out;
}

