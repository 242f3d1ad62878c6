// Offline activities as the targets count them (CountedActivity, contract/workspace/targets.ts),
// and the bureau's rule that decides which ones count: by default every activity the school has
// submitted and the bureau has not returned (submitted or accepted); when the bureau says so for
// the year, accepted ones (核验通过) only. Drafts and returned activities never count.
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import type { BureauSetting, OfflineActivityKind } from '../contract/workspace/activities.js';
import type { CountedActivity } from '../contract/workspace/targets.js';
import { json } from '../community/sql.js';
import { appendAudit } from './auditRepo.js';

export type OfflineScope = { communityIds: readonly string[] } | { pairingId: string };

/** The counted offline activities on the days [from, to] (Shanghai days, inclusive), one query. */
export async function offlineCountedActivities(
  db: Queryable,
  o: OfflineScope & { from: string; to: string; acceptedOnly: boolean },
): Promise<CountedActivity[]> {
  const statuses = o.acceptedOnly ? ['accepted'] : ['submitted', 'accepted'];
  const byPairing = 'pairingId' in o;
  const rows = await db.query(
    `select id, kind, to_char(day, 'YYYY-MM-DD') as day, subject, teacher_ids
       from workspace_activities
      where ${byPairing ? 'pairing_id = $1' : 'community_id = any($1::text[])'}
        and status = any($2::text[]) and day >= $3::date and day <= $4::date
      order by day, id`,
    [byPairing ? o.pairingId : [...o.communityIds], statuses, o.from, o.to],
  );
  return rows.map((r) => ({
    id: String(r.id),
    kind: r.kind as OfflineActivityKind,
    day: String(r.day),
    subject: (r.subject as string | null) ?? null,
    teacherIds: json<string[]>(r.teacher_ids),
  }));
}

export async function getBureauSetting(db: Queryable, bureauId: string, year: number): Promise<BureauSetting> {
  const rows = await db.query<{ accepted_only: boolean }>('select accepted_only from bureau_settings where bureau_id = $1 and year = $2', [bureauId, year]);
  return { bureauId, year, acceptedOnly: rows[0]?.accepted_only === true };
}

/** The rule for a community's year: its bureau's setting (a community without a bureau counts everything submitted). */
export async function acceptedOnlyFor(db: Queryable, communityId: string, year: number): Promise<boolean> {
  const rows = await db.query<{ accepted_only: boolean }>(
    `select s.accepted_only from communities c join bureau_settings s on s.bureau_id = c.bureau_id and s.year = $2 where c.id = $1`,
    [communityId, year],
  );
  return rows[0]?.accepted_only === true;
}

/** Sets the bureau's rule for a year, with its audit row, in the caller's transaction. */
export async function setBureauSetting(q: Queryable, actor: PublicUser, s: BureauSetting): Promise<BureauSetting> {
  const before = await getBureauSetting(q, s.bureauId, s.year);
  await q.query(
    `insert into bureau_settings (bureau_id, year, accepted_only, updated_by, updated_at) values ($1, $2, $3, $4, now())
     on conflict (bureau_id, year) do update set accepted_only = excluded.accepted_only, updated_by = excluded.updated_by, updated_at = now()`,
    [s.bureauId, s.year, s.acceptedOnly, actor.id],
  );
  await appendAudit(q, { actor, action: 'setting', entity: 'bureau_setting', entityId: `${s.bureauId}/${s.year}`, communityId: null, before, after: s });
  return s;
}
