// 师徒 mentoring as a source of a pairing's counts (activitySources.ts): a mentor pair belongs to
// the pairing of the mentor's (city) school and the mentee's (rural) school, and its activities
// derived from the records (mentoringRepo.ts: watching the other's lesson ≥ N minutes, 评课 notes,
// a co-written plan) count for that pairing. Two queries plus mentoringActivities' own four.
import type { Queryable } from '../db/db.js';
import type { MentoringActivity } from '../contract/workspace/mentors.js';
import type { PairingSchools } from './activitiesRepo.js';
import type { SourcedActivity } from './activitySources.js';
import { mentoringActivities } from './mentoringRepo.js';

function titleOf(a: MentoringActivity): string {
  const e = a.evidence;
  return e.type === 'co_plan' ? e.planTitle : e.lessonTitle;
}

export async function mentoringOfPairings(db: Queryable, pairings: readonly PairingSchools[], from: string, to: string): Promise<SourcedActivity[]> {
  if (!pairings.length) return [];
  const rows = await db.query<{ id: string; pairing_id: string }>(
    `with p(pairing_id, city, rural) as (select * from unnest($1::text[], $2::text[], $3::text[]))
     select mp.id, p.pairing_id
       from mentor_pairs mp
       join users mentor on mentor.id = mp.mentor_id
       join users mentee on mentee.id = mp.mentee_id
       join p on p.city = mentor.school_id and p.rural = mentee.school_id`,
    [pairings.map((p) => p.pairingId), pairings.map((p) => p.citySchoolId), pairings.map((p) => p.ruralSchoolId)],
  );
  if (!rows.length) return [];
  const pairingOf = new Map(rows.map((r) => [r.id, r.pairing_id]));
  const activities = await mentoringActivities(db, { pairIds: [...pairingOf.keys()], from, to });
  return activities.map((a) => ({
    pairingId: pairingOf.get(a.pairId)!,
    id: a.id,
    kind: 'mentoring' as const,
    day: a.day,
    title: titleOf(a),
    subject: a.subject ?? '',
    teacherIds: [...(a.teacherIds ?? [])],
    counts: true,
    reason: null,
  }));
}
