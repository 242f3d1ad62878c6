// A bureau's many pairings' synchronous lessons at once (issue 12). The raw records (lesson,
// classrooms, presence log) are those of activitiesRepo's syncLessonsOfPairing, for a list of
// pairings in three queries instead of three per pairing. A lesson received by two rural schools
// is a lesson of both pairings.
//
// Judging a lesson reads its whole presence log: for 60,000 lessons that is 240,000 rows, far
// beyond a dashboard's budget. So an ended lesson is judged once per pairing and its verdict kept
// (workspace_sync_verdicts, with the share it was judged by); dashboards read verdicts, grouped in
// SQL for many pairings. Only lessons not judged yet (ended since the last look) and lessons still
// live are judged from their log, each time for the live ones.
import type { Queryable } from '../db/db.js';
import { iso, isoOrNull } from '../community/sql.js';
import { addDays, schoolDayOf, schoolInstant } from '../contract/time.js';
import { parseLessonEvent } from '../contract/lessonEvents.js';
import { countedSyncLessons, type PairingSchools, type SyncLessonRecord, type SyncLessonVerdict } from './activitiesRepo.js';

/** Which lessons: all started in the period, the ended ones without a verdict at `minShare`, the live ones. */
export type LessonSelection = { kind: 'all' } | { kind: 'unjudged'; minShare: number } | { kind: 'live' };

/** Each pairing's lessons started on the Shanghai days [from, to] (every pairing has an entry). */
export async function syncLessonsOfPairings(
  db: Queryable,
  pairings: readonly PairingSchools[],
  from: string,
  to: string,
  which: LessonSelection = { kind: 'all' },
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
        and ($6 <> 'unjudged' or (l.ended_at is not null and not exists (
              select 1 from workspace_sync_verdicts v where v.lesson_id = l.id and v.pairing_id = p.pairing_id and v.min_share = $7)))
        and ($6 <> 'live' or l.ended_at is null)
      order by l.started_at, l.id`,
    [
      pairings.map((p) => p.pairingId),
      pairings.map((p) => p.citySchoolId),
      pairings.map((p) => p.ruralSchoolId),
      schoolInstant(from, 0),
      schoolInstant(addDays(to, 1), 0),
      which.kind,
      which.kind === 'unjudged' ? which.minShare : 0,
    ],
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


/** The live lessons of the pairings, judged up to now (not kept: they are still going on). */
export async function liveSyncVerdicts(db: Queryable, pairings: readonly PairingSchools[], from: string, to: string, minShare: number, nowMs: number) {
  const live = await syncLessonsOfPairings(db, pairings, from, to, { kind: 'live' });
  return pairings.flatMap((p) => countedSyncLessons(p, live.get(p.pairingId) ?? [], minShare, nowMs).map((v) => ({ pairingId: p.pairingId, ...v })));
}

/**
 * Judges the pairings' ended lessons that have no verdict at `minShare` yet and keeps the
 * verdicts: nothing but one query when every lesson is judged already.
 */
export async function judgeEndedLessons(db: Queryable, pairings: readonly PairingSchools[], from: string, to: string, minShare: number): Promise<number> {
  const unjudged = await syncLessonsOfPairings(db, pairings, from, to, { kind: 'unjudged', minShare });
  const verdicts: (SyncLessonVerdict & { pairingId: string })[] = pairings.flatMap((p) =>
    countedSyncLessons(p, unjudged.get(p.pairingId) ?? [], minShare).map((v) => ({ pairingId: p.pairingId, ...v })),
  );
  if (!verdicts.length) return 0;
  await db.query(
    `insert into workspace_sync_verdicts (lesson_id, pairing_id, day, subject, teacher_id, counts, joint_min, needed_min, min_share)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::real[], $8::real[], $9::real[])
     on conflict (lesson_id, pairing_id) do update set day = excluded.day, subject = excluded.subject, teacher_id = excluded.teacher_id,
       counts = excluded.counts, joint_min = excluded.joint_min, needed_min = excluded.needed_min, min_share = excluded.min_share, judged_at = now()`,
    [
      verdicts.map((v) => v.lesson.lessonId),
      verdicts.map((v) => v.pairingId),
      verdicts.map((v) => schoolDayOf(new Date(v.lesson.startedAt)).day),
      verdicts.map((v) => v.lesson.subject),
      verdicts.map((v) => v.lesson.teacherId),
      verdicts.map((v) => v.attendance.counts),
      verdicts.map((v) => v.attendance.jointMin),
      verdicts.map((v) => v.attendance.neededMin),
      verdicts.map(() => minShare),
    ],
  );
  return verdicts.length;
}

export interface StoredSyncVerdict {
  pairingId: string;
  lessonId: string;
  title: string;
  day: string;
  subject: string;
  teacherId: string;
  counts: boolean;
  jointMin: number;
  neededMin: number;
}

/** The kept verdicts of the pairings' lessons on [from, to] (for a pairing's page: every lesson with its figures). */
export async function storedSyncVerdicts(db: Queryable, pairingIds: readonly string[], from: string, to: string, minShare: number): Promise<StoredSyncVerdict[]> {
  const rows = await db.query(
    `select v.pairing_id, v.lesson_id, l.title, v.day, v.subject, v.teacher_id, v.counts, v.joint_min, v.needed_min
       from workspace_sync_verdicts v join lessons l on l.id = v.lesson_id
      where v.pairing_id = any($1::text[]) and v.day between $2 and $3 and v.min_share = $4
      order by v.day, v.lesson_id`,
    [pairingIds, from, to, minShare],
  );
  return rows.map((r) => ({
    pairingId: String(r.pairing_id),
    lessonId: String(r.lesson_id),
    title: String(r.title),
    day: String(r.day),
    subject: String(r.subject),
    teacherId: String(r.teacher_id),
    counts: Boolean(r.counts),
    jointMin: Number(r.joint_min),
    neededMin: Number(r.needed_min),
  }));
}

/** Counted activities grouped so that each group evaluates like its members one by one (progressRepo.groupKeyDays). */
export interface CountedGroup {
  pairingId: string;
  /** The group's earliest day: every member falls on the same side of each breakpoint and in the same month. */
  day: string;
  subject: string;
  teacherIds: string[];
  n: number;
}

/**
 * The counted verdicts of many pairings grouped by pairing, month, subject, teacher and the span
 * between consecutive `breakpoints` (days sorted; a day's span is how many breakpoints lie before
 * it): a bureau's 60,000 lessons come back as a few thousand rows.
 */
export async function countedSyncGroups(db: Queryable, pairingIds: readonly string[], from: string, to: string, minShare: number, breakpoints: readonly string[]): Promise<CountedGroup[]> {
  const rows = await db.query(
    `select v.pairing_id, min(v.day) as day, v.subject, v.teacher_id, count(*)::int as n
       from workspace_sync_verdicts v
      where v.pairing_id = any($1::text[]) and v.day between $2 and $3 and v.min_share = $4 and v.counts
      group by v.pairing_id, substr(v.day, 1, 7), v.subject, v.teacher_id,
               (select count(*) from unnest($5::text[]) b where b < v.day)`,
    [pairingIds, from, to, minShare, breakpoints],
  );
  return rows.map((r) => ({ pairingId: String(r.pairing_id), day: String(r.day), subject: String(r.subject), teacherIds: [String(r.teacher_id)], n: Number(r.n) }));
}
