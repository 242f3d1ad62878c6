// Where a pairing's counted activities come from (issue 12). Each source loads the activities of
// many pairings at once — a fixed number of queries whatever their number, so a bureau's
// dashboard over hundreds of pairings is not a loop of per-pairing queries — and says for each
// whether it counts and, when not, why. The progress service takes a list of sources: offline
// activities (workspace_activities, another slice) plug in as one more.
import type { Queryable } from '../db/db.js';
import { iso, isoOrNull } from '../community/sql.js';
import { addDays, schoolDayOf, schoolInstant } from '../contract/time.js';
import { parseLessonEvent } from '../contract/lessonEvents.js';
import type { ProgressActivity } from '../contract/workspace/progress.js';
import { countedSyncLessons, type PairingSchools, type SyncLessonRecord } from './activitiesRepo.js';
import { researchSessionsOfPairings } from './researchActivities.js';

export type SourcedActivity = ProgressActivity & { pairingId: string };

export interface ActivitySource {
  name: string;
  /** The pairings' activities on the Shanghai days [from, to], counted or not. */
  load(db: Queryable, pairings: readonly PairingSchools[], from: string, to: string, nowMs: number): Promise<SourcedActivity[]>;
}

/**
 * The share of a lesson's planned length both schools must be connected together for it to
 * count. The bureau's setting once bureaus have settings; until then the demo's 60%.
 */
export const SYNC_LESSON_MIN_SHARE = 0.6;

/** Synchronous lessons of many pairings in three queries (lessons, their classrooms, their presence). */
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
    roomsOf.set(id, [...(roomsOf.get(id) ?? []), { classroomId: String(c.classroom_id), schoolId: String(c.school_id) }]);
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

export const syncLessonSource: ActivitySource = {
  name: 'sync_lessons',
  async load(db, pairings, from, to, nowMs) {
    const byPairing = await syncLessonsOfPairings(db, pairings, from, to);
    return pairings.flatMap((p) =>
      countedSyncLessons(p, byPairing.get(p.pairingId) ?? [], SYNC_LESSON_MIN_SHARE, nowMs).map(({ lesson, attendance, activity }) => ({
        pairingId: p.pairingId,
        id: lesson.lessonId,
        kind: 'sync_lesson' as const,
        day: activity?.day ?? schoolDayOf(new Date(lesson.startedAt)).day,
        title: lesson.title,
        subject: lesson.subject,
        teacherIds: [lesson.teacherId],
        counts: attendance.counts,
        reason: attendance.counts ? '' : `both schools together ${attendance.jointMin} of the ${attendance.neededMin} minutes needed`,
        attendance: { jointMin: attendance.jointMin, neededMin: attendance.neededMin },
      })),
    );
  },
};

export const researchSessionSource: ActivitySource = {
  name: 'research_sessions',
  load: (db, pairings, from, to, nowMs) => researchSessionsOfPairings(db, pairings, from, to, nowMs),
};

/** The sources counted today; offline activities join this list when they exist. */
export const DEFAULT_ACTIVITY_SOURCES: readonly ActivitySource[] = [syncLessonSource, researchSessionSource];
