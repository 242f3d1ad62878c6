// A bureau's many pairings' synchronous lessons at once (issue 12). The raw records (lesson,
// classrooms, presence log) are those of activitiesRepo's syncLessonsOfPairing, for a list of
// pairings in three queries instead of three per pairing. A lesson received by two rural schools
// is a lesson of both pairings.
//
// Judging a lesson reads its whole presence log: for 60,000 lessons that is 240,000 rows, far
// beyond a dashboard's budget. So an ended lesson is judged once per pairing and its verdict kept
// (workspace_sync_verdicts, with the share it was judged by); dashboards read verdicts, grouped in
// SQL for many pairings. A trigger queues each lesson as it ends (workspace_judge_queue); the
// next look judges the queue, so finding what is new costs one query whatever the history. Live
// lessons are judged from their log at each look.
import type { Queryable } from '../db/db.js';
import { inTx } from '../community/sql.js';
import { addDays, schoolDayOf, schoolInstant } from '../contract/time.js';
import { countedSyncLessons, withPresence, type PairingSchools, type SyncLessonRecord, type SyncLessonVerdict } from './activitiesRepo.js';

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
  // One static filter per selection, so the planner sees it (a parameter in an OR would hide it).
  const filter = {
    all: '',
    unjudged: `and l.ended_at is not null
        and not exists (select 1 from workspace_sync_verdicts v where v.lesson_id = l.id and v.pairing_id = p.pairing_id and v.min_share = $6)`,
    live: 'and l.ended_at is null',
  }[which.kind];
  const lessons = await db.query(
    `with p(pairing_id, city, rural) as (select * from unnest($1::text[], $2::text[], $3::text[]))
     select p.pairing_id, l.id, l.title, l.subject, l.teacher_id, l.duration_min, l.started_at, l.ended_at
       from p join classrooms hc on hc.school_id = p.city
       join lessons l on l.host_classroom_id = hc.id
      where l.started_at >= $4 and l.started_at < $5 ${filter}
        and exists (select 1 from lesson_classrooms lc join classrooms c on c.id = lc.classroom_id
                     where lc.lesson_id = l.id and c.school_id = p.rural)
      order by l.started_at, l.id`,
    [
      pairings.map((p) => p.pairingId),
      pairings.map((p) => p.citySchoolId),
      pairings.map((p) => p.ruralSchoolId),
      schoolInstant(from, 0),
      schoolInstant(addDays(to, 1), 0),
      ...(which.kind === 'unjudged' ? [which.minShare] : []),
    ],
  );
  for (const r of await recordsOf(db, lessons)) out.get(r.pairingId)!.push(r.record);
  return out;
}

/** Lesson rows (with the pairing they are read for) with their classrooms and presence: two queries. */
async function recordsOf(db: Queryable, lessons: Record<string, unknown>[]): Promise<{ pairingId: string; record: SyncLessonRecord }[]> {
  const records = await withPresence(db, lessons);
  return lessons.map((r, i) => ({ pairingId: String(r.pairing_id), record: records[i] }));
}

async function keepVerdicts(db: Queryable, verdicts: readonly (SyncLessonVerdict & { pairingId: string })[], minShare: number): Promise<void> {
  if (!verdicts.length) return;
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
}

/**
 * Judges the lessons queued when they ended (workspace_judge_queue, filled by a trigger on
 * lessons) for every pairing they are a lesson of, keeps the verdicts and empties the queue:
 * one query when nothing ended since the last look, whatever the number of lessons.
 */
export async function judgeQueuedLessons(db: Queryable, minShare: number): Promise<number> {
  const queued = await db.query<{ lesson_id: string }>('select lesson_id from workspace_judge_queue order by queued_at, lesson_id limit 5000');
  if (!queued.length) return 0;
  const ids = queued.map((r) => r.lesson_id);
  const lessons = await db.query(
    `select p.id as pairing_id, p.city_school_id, p.rural_school_id, l.id, l.title, l.subject, l.teacher_id, l.duration_min, l.started_at, l.ended_at
       from lessons l join classrooms hc on hc.id = l.host_classroom_id
       join pairings p on p.city_school_id = hc.school_id
      where l.id = any($1::text[]) and l.started_at is not null and l.ended_at is not null
        and exists (select 1 from lesson_classrooms lc join classrooms c on c.id = lc.classroom_id
                     where lc.lesson_id = l.id and c.school_id = p.rural_school_id)`,
    [ids],
  );
  const schoolsOf = new Map(lessons.map((r) => [String(r.pairing_id), { pairingId: String(r.pairing_id), citySchoolId: String(r.city_school_id), ruralSchoolId: String(r.rural_school_id) }]));
  const verdicts = (await recordsOf(db, lessons)).map(({ pairingId, record }) => ({ pairingId, ...countedSyncLessons(schoolsOf.get(pairingId)!, [record], minShare)[0] }));
  await inTx(db, async (q) => {
    await keepVerdicts(q, verdicts, minShare);
    await q.query('delete from workspace_judge_queue where lesson_id = any($1::text[])', [ids]);
  });
  // More than one batch waiting (the first look after the migration): judge the rest too.
  return verdicts.length + (queued.length === 5000 ? await judgeQueuedLessons(db, minShare) : 0);
}

/** The live lessons of the pairings, judged up to now (not kept: they are still going on). */
export async function liveSyncVerdicts(db: Queryable, pairings: readonly PairingSchools[], from: string, to: string, minShare: number, nowMs: number) {
  const live = await syncLessonsOfPairings(db, pairings, from, to, { kind: 'live' });
  return pairings.flatMap((p) => countedSyncLessons(p, live.get(p.pairingId) ?? [], minShare, nowMs).map((v) => ({ pairingId: p.pairingId, ...v })));
}

/**
 * Judges the pairings' ended lessons that have no verdict at `minShare` yet and keeps the
 * verdicts. It looks at every lesson of the pairings in the period (a pairing's page: a few
 * hundred), so it also finds what the queue cannot: a pairing made after its schools' lessons
 * were judged, a share changed since.
 */
export async function judgeEndedLessons(db: Queryable, pairings: readonly PairingSchools[], from: string, to: string, minShare: number): Promise<number> {
  const unjudged = await syncLessonsOfPairings(db, pairings, from, to, { kind: 'unjudged', minShare });
  const verdicts: (SyncLessonVerdict & { pairingId: string })[] = pairings.flatMap((p) =>
    countedSyncLessons(p, unjudged.get(p.pairingId) ?? [], minShare).map((v) => ({ pairingId: p.pairingId, ...v })),
  );
  await keepVerdicts(db, verdicts, minShare);
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
 * The day after each breakpoint: width_bucket counts the bounds on or before a day, and "the
 * day after b is on or before d" is "b is before d" — the strict side evaluation needs.
 */
export function afterEach(breakpoints: readonly string[]): string[] {
  return breakpoints.map((b) => addDays(b, 1));
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
      group by v.pairing_id, substr(v.day, 1, 7), v.subject, v.teacher_id, width_bucket(v.day, $5::text[])`,
    [pairingIds, from, to, minShare, afterEach(breakpoints)],
  );
  return rows.map((r) => ({ pairingId: String(r.pairing_id), day: String(r.day), subject: String(r.subject), teacherIds: [String(r.teacher_id)], n: Number(r.n) }));
}
