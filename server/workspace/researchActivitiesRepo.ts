// 网络研修 as counted activities (issue 12): a research session held for a pairing counts when it
// took place — its time has passed and its minutes or conclusions were written (a session with
// nothing recorded is a plan, not a record) — with members of both schools: its research group
// has staff of the pairing's city school and of its rural school. Sessions record no attendance
// list, so the group's membership stands for who took part (known limit, docs/workspace.md).
import type { Queryable } from '../db/db.js';
import { addDays, schoolDayOf, schoolInstant } from '../contract/time.js';
import { iso } from '../community/sql.js';
import type { ActivityKind } from '../contract/workspace/targets.js';
import type { SessionKind } from '../contract/research.js';
import type { PairingSchools } from './activitiesRepo.js';
import { afterEach, type CountedGroup } from './syncLessonsRepo.js';
import type { NotCountedReason, ProgressActivity } from '../contract/workspace/progress.js';

export const SESSION_ACTIVITY_KIND: Record<SessionKind, ActivityKind> = {
  planning: 'collective_prep',
  diagnosis: 'teaching_diagnosis',
  thematic: 'thematic_research',
};

/** One pairing's research session with the verdict on whether it counts. */
export interface ResearchSessionActivity extends ProgressActivity {
  pairingId: string;
}

/**
 * The research sessions of the pairings held on the Shanghai days [from, to], each judged, in one
 * query whatever the number of pairings. `nowMs`: sessions scheduled after it have not taken place.
 */
export async function researchSessionsOfPairings(
  db: Queryable,
  pairings: readonly PairingSchools[],
  from: string,
  to: string,
  nowMs = Date.now(),
): Promise<ResearchSessionActivity[]> {
  if (!pairings.length) return [];
  const rows = await db.query(
    `with p(pairing_id, city, rural) as (select * from unnest($1::text[], $2::text[], $3::text[]))
     select s.id, s.pairing_id, s.kind, s.title, s.scheduled_at, s.created_by, g.subject,
            (s.minutes <> '' or s.conclusions <> '') as recorded,
            exists (select 1 from research_group_members m join users u on u.id = m.user_id where m.group_id = s.group_id and u.school_id = p.city) as with_city,
            exists (select 1 from research_group_members m join users u on u.id = m.user_id where m.group_id = s.group_id and u.school_id = p.rural) as with_rural,
            array(select m.user_id from research_group_members m where m.group_id = s.group_id and m.role = 'lead' order by m.user_id) as leads
       from p join research_sessions s on s.pairing_id = p.pairing_id
       join research_groups g on g.id = s.group_id
      where s.scheduled_at >= $4 and s.scheduled_at < $5
      order by s.scheduled_at, s.id`,
    [pairings.map((p) => p.pairingId), pairings.map((p) => p.citySchoolId), pairings.map((p) => p.ruralSchoolId), schoolInstant(from, 0), schoolInstant(addDays(to, 1), 0)],
  );
  return rows.map((r) => {
    const at = new Date(iso(r.scheduled_at));
    const reason: NotCountedReason | null =
      at.getTime() > nowMs ? 'not_held' : !r.recorded ? 'not_recorded' : !r.with_city ? 'no_city_member' : !r.with_rural ? 'no_rural_member' : null;
    const leads = (r.leads as string[] | null) ?? [];
    return {
      id: String(r.id),
      pairingId: String(r.pairing_id),
      kind: SESSION_ACTIVITY_KIND[r.kind as SessionKind],
      day: schoolDayOf(at).day,
      title: String(r.title),
      subject: String(r.subject ?? ''),
      // Who led it: whoever scheduled it and the group's leads.
      teacherIds: [...new Set([String(r.created_by), ...leads])],
      counts: reason === null,
      reason,
    };
  });
}

/**
 * The counted sessions of many pairings grouped like the lessons (syncLessonsRepo.countedSyncGroups):
 * by pairing, kind, month, subject, who led them and the span between breakpoints. The same
 * rule as researchSessionsOfPairings, in SQL.
 */
export async function countedResearchGroups(
  db: Queryable,
  pairings: readonly PairingSchools[],
  from: string,
  to: string,
  nowMs: number,
  breakpoints: readonly string[],
): Promise<(CountedGroup & { kind: ActivityKind })[]> {
  if (!pairings.length) return [];
  const rows = await db.query(
    `with p(pairing_id, city, rural) as (select * from unnest($1::text[], $2::text[], $3::text[])),
     s as (
       select s.pairing_id, s.kind, g.subject,
              -- the Shanghai day (UTC+8, no daylight saving)
              to_char((s.scheduled_at at time zone 'UTC') + interval '8 hours', 'YYYY-MM-DD') as day,
              array(select distinct x from unnest(array[s.created_by] || array(select m.user_id from research_group_members m
                     where m.group_id = s.group_id and m.role = 'lead')) x order by x) as leads
         from p join research_sessions s on s.pairing_id = p.pairing_id
         join research_groups g on g.id = s.group_id
        where s.scheduled_at >= $4 and s.scheduled_at < $5 and s.scheduled_at <= $6
          and (s.minutes <> '' or s.conclusions <> '')
          and exists (select 1 from research_group_members m join users u on u.id = m.user_id where m.group_id = s.group_id and u.school_id = p.city)
          and exists (select 1 from research_group_members m join users u on u.id = m.user_id where m.group_id = s.group_id and u.school_id = p.rural))
     select s.pairing_id, s.kind, min(s.day) as day, s.subject, s.leads, count(*)::int as n
       from s
      group by s.pairing_id, s.kind, substr(s.day, 1, 7), s.subject, s.leads, width_bucket(s.day, $7::text[])`,
    [
      pairings.map((p) => p.pairingId),
      pairings.map((p) => p.citySchoolId),
      pairings.map((p) => p.ruralSchoolId),
      schoolInstant(from, 0),
      schoolInstant(addDays(to, 1), 0),
      new Date(nowMs),
      afterEach(breakpoints),
    ],
  );
  return rows.map((r) => ({
    pairingId: String(r.pairing_id),
    kind: SESSION_ACTIVITY_KIND[r.kind as SessionKind],
    day: String(r.day),
    subject: String(r.subject ?? ''),
    teacherIds: (r.leads as string[] | null) ?? [],
    n: Number(r.n),
  }));
}
