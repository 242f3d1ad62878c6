// The activities a pairing's targets count, read from what the product itself holds (issue 12).
// Synchronous lessons: lessons hosted in one of the city school's classrooms with a rural
// school's classroom receiving, started inside the period, with their attendance (presence
// events). Whether each one counts is the contract's rule (workspace/attendance.ts), applied in
// countedSyncLessons so the report can show the figures behind every decision.
import type { Queryable } from '../db/db.js';
import { iso, isoOrNull } from '../community/sql.js';
import { addDays, schoolDayOf, schoolInstant } from '../contract/time.js';
import { parseLessonEvent, presenceIntervals, type LessonEventData } from '../contract/lessonEvents.js';
import { syncLessonAttendance, type SyncLessonAttendance } from '../contract/workspace/attendance.js';
import type { CountedActivity } from '../contract/workspace/targets.js';

export interface PairingSchools {
  pairingId: string;
  citySchoolId: string;
  ruralSchoolId: string;
}

export interface SyncLessonRecord {
  lessonId: string;
  title: string;
  subject: string;
  teacherId: string;
  plannedMin: number;
  startedAt: string;
  endedAt: string | null;
  /** Every classroom of the lesson (host and receiving) with its school. */
  classrooms: { classroomId: string; schoolId: string }[];
  /** Presence events in order, on the wall clock. */
  presence: ({ atMs: number } & LessonEventData)[];
}

export async function getPairingSchools(db: Queryable, pairingId: string): Promise<PairingSchools | null> {
  const rows = await db.query('select id, city_school_id, rural_school_id from pairings where id = $1', [pairingId]);
  const r = rows[0];
  return r ? { pairingId: String(r.id), citySchoolId: String(r.city_school_id), ruralSchoolId: String(r.rural_school_id) } : null;
}

/** The pairing's synchronous lessons started on the Shanghai days [from, to], with their presence. Three queries whatever the count. */
export async function syncLessonsOfPairing(db: Queryable, p: PairingSchools, from: string, to: string): Promise<SyncLessonRecord[]> {
  const lessons = await db.query(
    `select l.id, l.title, l.subject, l.teacher_id, l.duration_min, l.started_at, l.ended_at
       from lessons l join classrooms hc on hc.id = l.host_classroom_id
      where hc.school_id = $1 and l.started_at >= $3 and l.started_at < $4
        and exists (select 1 from lesson_classrooms lc join classrooms c on c.id = lc.classroom_id
                     where lc.lesson_id = l.id and c.school_id = $2)
      order by l.started_at, l.id`,
    [p.citySchoolId, p.ruralSchoolId, schoolInstant(from, 0), schoolInstant(addDays(to, 1), 0)],
  );
  return withPresence(db, lessons);
}

/** Given lessons' ids, the same records (for one lesson's evidence, or a report's list). */
export async function syncLessonRecords(db: Queryable, lessonIds: readonly string[]): Promise<SyncLessonRecord[]> {
  if (!lessonIds.length) return [];
  const lessons = await db.query(
    `select l.id, l.title, l.subject, l.teacher_id, l.duration_min, l.started_at, l.ended_at
       from lessons l where l.id = any($1::text[]) and l.started_at is not null order by l.started_at, l.id`,
    [[...lessonIds]],
  );
  return withPresence(db, lessons);
}

/**
 * Two more queries for all the lessons: their classrooms with schools, and their presence events.
 * One record per row, in the rows' order (a lesson read for two pairings comes twice).
 */
export async function withPresence(db: Queryable, lessons: Record<string, unknown>[]): Promise<SyncLessonRecord[]> {
  if (!lessons.length) return [];
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
  return lessons.map((r) => {
    const id = String(r.id);
    return {
      lessonId: id,
      title: String(r.title),
      subject: String(r.subject),
      teacherId: String(r.teacher_id),
      plannedMin: Number(r.duration_min),
      startedAt: iso(r.started_at),
      endedAt: isoOrNull(r.ended_at),
      classrooms: roomsOf.get(id) ?? [],
      presence: presenceOf.get(id) ?? [],
    };
  });
}

export interface SyncLessonVerdict {
  lesson: SyncLessonRecord;
  attendance: SyncLessonAttendance;
  /** The activity for target evaluation when it counts. */
  activity: CountedActivity | null;
}

/**
 * Applies the attendance rule to each lesson. A lesson still live is judged up to `nowMs`;
 * `minShare` is the bureau's share of the planned length (default 0.6 in the demo).
 */
export function countedSyncLessons(p: PairingSchools, lessons: readonly SyncLessonRecord[], minShare: number, nowMs = Date.now()): SyncLessonVerdict[] {
  return lessons.map((lesson) => {
    const start = Date.parse(lesson.startedAt);
    const end = lesson.endedAt ? Date.parse(lesson.endedAt) : nowMs;
    const intervals = presenceIntervals(lesson.presence, end);
    const attendance = syncLessonAttendance({
      plannedMin: lesson.plannedMin,
      live: [start, end],
      citySchoolId: p.citySchoolId,
      ruralSchoolId: p.ruralSchoolId,
      minShare,
      presence: lesson.classrooms.map((c) => ({ ...c, intervals: intervals.get(c.classroomId) ?? [] })),
    });
    const activity: CountedActivity | null = attendance.counts
      ? { id: lesson.lessonId, kind: 'sync_lesson', day: schoolDayOf(new Date(start)).day, subject: lesson.subject, teacherIds: [lesson.teacherId] }
      : null;
    return { lesson, attendance, activity };
  });
}
