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

// Per activity: whether its bureau counts accepted ones only in the activity's year.
const RULED = `
  select a.*, coalesce(s.accepted_only, false) as accepted_only
    from workspace_activities a
    join communities c on c.id = a.community_id
    left join bureau_settings s on s.bureau_id = c.bureau_id and s.year = extract(year from a.day)::int
   where a.pairing_id = any($1::text[]) and a.day >= $2::date and a.day <= $3::date`;

const COUNTS = `(status = 'accepted' or (status = 'submitted' and not accepted_only))`;

export async function offlineActivitiesOfPairings(db: Queryable, pairings: readonly PairingSchools[], from: string, to: string): Promise<SourcedActivity[]> {
  if (!pairings.length) return [];
  const rows = await db.query(
    `select id, pairing_id, kind, to_char(day, 'YYYY-MM-DD') as day, place, description, subject, teacher_ids, status, ${COUNTS} as counts
       from (${RULED}) r order by day, id`,
    [pairings.map((p) => p.pairingId), from, to],
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
  const rows = await db.query(
    `select pairing_id, kind, min(to_char(day, 'YYYY-MM-DD')) as day, coalesce(subject, '') as subject, teacher_ids, count(*)::int as n
       from (${RULED}) r
      where ${COUNTS}
      group by pairing_id, kind, to_char(day, 'YYYY-MM'), coalesce(subject, ''), teacher_ids, width_bucket(to_char(day, 'YYYY-MM-DD'), $4::text[])`,
    [pairings.map((p) => p.pairingId), from, to, afterEach(breakpoints)],
  );
  return rows.map((r) => ({
    pairingId: String(r.pairing_id),
    kind: r.kind as ActivityKind,
    day: String(r.day),
    subject: String(r.subject),
    teacherIds: json<string[]>(r.teacher_ids),
    n: Number(r.n),
  }));
}
