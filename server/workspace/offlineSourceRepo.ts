// Offline activities (送教下乡, visits, offline 教研, exchanges, mentoring logged by hand) as a
// source of the targets' counts (activitySources.ts). Which of them count is the bureau's rule
// (offlineCountedRepo.ts): submitted or accepted by default, accepted only when the bureau says
// so for the year; drafts and returned ones never. One query per call whatever the pairings.
import type { Queryable } from '../db/db.js';
import type { ActivityKind } from '../contract/workspace/targets.js';
import type { NotCountedReason } from '../contract/workspace/progress.js';
import { json } from '../community/sql.js';
import type { PairingSchools } from './activitiesRepo.js';
import type { SourcedActivity, SourcedGroup } from './activitySources.js';
import { afterEach } from './syncLessonsRepo.js';

/**
 * The communities (of these pairings) whose bureau counts accepted activities only in `year`: one
 * small query, so the activities' own query filters on a list instead of joining per row.
 */
async function acceptedOnlyCommunities(db: Queryable, pairingIds: readonly string[], years: readonly number[]): Promise<{ communityId: string; year: number }[]> {
  const rows = await db.query<{ community_id: string; year: number }>(
    `select distinct c.id as community_id, s.year
       from pairings p join communities c on c.id = p.community_id
       join bureau_settings s on s.bureau_id = c.bureau_id and s.accepted_only and s.year = any($2::int[])
      where p.id = any($1::text[])`,
    [[...pairingIds], [...years]],
  );
  return rows.map((r) => ({ communityId: r.community_id, year: Number(r.year) }));
}

/** The rule as SQL over `a` (an activity row): $4 lists 'community:year' keys ruled accepted-only. */
const COUNTS = `(a.status = 'accepted' or (a.status = 'submitted' and not ((a.community_id || ':' || extract(year from a.day)::int) = any($4::text[]))))`;

const yearsOf = (from: string, to: string) => {
  const out: number[] = [];
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) out.push(y);
  return out;
};

async function ruledKeys(db: Queryable, pairingIds: readonly string[], from: string, to: string): Promise<string[]> {
  return (await acceptedOnlyCommunities(db, pairingIds, yearsOf(from, to))).map((r) => `${r.communityId}:${r.year}`);
}

export async function offlineActivitiesOfPairings(db: Queryable, pairings: readonly PairingSchools[], from: string, to: string): Promise<SourcedActivity[]> {
  if (!pairings.length) return [];
  const ids = pairings.map((p) => p.pairingId);
  const rows = await db.query(
    `select a.id, a.pairing_id, a.kind, to_char(a.day, 'YYYY-MM-DD') as day, a.place, a.subject, a.teacher_ids, a.status, ${COUNTS} as counts
       from workspace_activities a
      where a.pairing_id = any($1::text[]) and a.day >= $2::date and a.day <= $3::date
      order by a.day, a.id`,
    [ids, from, to, await ruledKeys(db, ids, from, to)],
  );
  return rows.map((r) => {
    const counts = Boolean(r.counts);
    const reason: NotCountedReason | null = counts ? null : r.status === 'draft' ? 'draft' : r.status === 'returned' ? 'returned' : 'not_accepted';
    return {
      pairingId: String(r.pairing_id),
      id: String(r.id),
      kind: r.kind as ActivityKind,
      day: String(r.day),
      title: String(r.place),
      subject: String(r.subject ?? ''),
      teacherIds: json<string[]>(r.teacher_ids),
      counts,
      reason,
    };
  });
}

/** The counted ones grouped like the other sources' (pairing, kind, month, subject, teachers, breakpoint span). */
export async function countedOfflineGroups(
  db: Queryable,
  pairings: readonly PairingSchools[],
  from: string,
  to: string,
  breakpoints: readonly string[],
): Promise<SourcedGroup[]> {
  if (!pairings.length) return [];
  const ids = pairings.map((p) => p.pairingId);
  // One row of JSON for the thousands of groups: PGlite hands rows over one value at a time, and
  // on a bureau's dashboard that transfer cost as much as the query (measured: 110 → 60 ms).
  const rows = await db.query<{ j: string }>(
    `select coalesce(json_agg(json_build_array(g.pairing_id, g.kind, g.day, g.subject, g.teacher_ids::jsonb, g.n)), '[]')::text as j
       from (select a.pairing_id, a.kind, to_char(min(a.day), 'YYYY-MM-DD') as day, coalesce(a.subject, '') as subject, a.teacher_ids::text as teacher_ids, count(*)::int as n
               from workspace_activities a
              where a.pairing_id = any($1::text[]) and a.day >= $2::date and a.day <= $3::date and ${COUNTS}
              group by a.pairing_id, a.kind, date_trunc('month', a.day), coalesce(a.subject, ''), a.teacher_ids::text, width_bucket(a.day, $5::date[])) g`,
    [ids, from, to, await ruledKeys(db, ids, from, to), afterEach(breakpoints)],
  );
  const groups = JSON.parse(rows[0]?.j ?? '[]') as [string, ActivityKind, string, string, string[], number][];
  return groups.map(([pairingId, kind, day, subject, teacherIds, n]) => ({ pairingId, kind, day, subject, teacherIds, n }));
}
