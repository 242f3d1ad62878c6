// What a bulk import of offline activities reads and writes: the names a school's spreadsheet
// may use (its pairings' partner schools, the community's staff), the activities it already has
// (to warn of a second import of the same rows), and the rows themselves in one statement, so
// a 2000-row file is a few queries in one transaction rather than thousands.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import type { OfflineActivityKind, WorkspaceActivity } from '../contract/workspace/activities.js';
import { AppError } from '../contract/errors.js';
import { iso } from '../community/sql.js';

export interface ImportDirectory {
  /** The school's pairings, each by the other school's name. */
  pairings: { id: string; partnerId: string; partnerName: string }[];
  /** Staff of the community's schools who may be named as teachers (as checkLinks allows). */
  staff: { id: string; displayName: string; username: string; schoolId: string; schoolName: string }[];
}

export async function importDirectory(q: Queryable, school: { id: string; communityId: string }): Promise<ImportDirectory> {
  const pairings = await q.query<{ id: string; partner_id: string; partner_name: string }>(
    `select p.id, s.id as partner_id, s.name as partner_name from pairings p
       join schools s on s.id = case when p.city_school_id = $1 then p.rural_school_id else p.city_school_id end
      where p.community_id = $2 and (p.city_school_id = $1 or p.rural_school_id = $1)
      order by s.name, p.id`,
    [school.id, school.communityId],
  );
  const staff = await q.query<{ id: string; display_name: string; username: string; school_id: string; school_name: string }>(
    `select u.id, u.display_name, u.username, u.school_id, s.name as school_name from users u join schools s on s.id = u.school_id
      where s.community_id = $1 and u.role in ('teacher', 'school_admin', 'researcher')
      order by s.name, u.display_name, u.id`,
    [school.communityId],
  );
  return {
    pairings: pairings.map((p) => ({ id: p.id, partnerId: p.partner_id, partnerName: p.partner_name })),
    staff: staff.map((u) => ({ id: u.id, displayName: u.display_name, username: u.username, schoolId: u.school_id, schoolName: u.school_name })),
  };
}

/** `day|kind|place` of the school's activities on these days (any state). */
export async function loggedKeys(q: Queryable, schoolId: string, days: readonly string[]): Promise<Set<string>> {
  if (days.length === 0) return new Set();
  const rows = await q.query<{ day: string; kind: string; place: string }>(
    `select to_char(day, 'YYYY-MM-DD') as day, kind, place from workspace_activities where school_id = $1 and day = any($2::date[])`,
    [schoolId, [...new Set(days)]],
  );
  return new Set(rows.map((r) => activityKey(r)));
}

export const activityKey = (a: { day: string; kind: string; place: string }) => `${a.day}|${a.kind}|${a.place.replace(/\s+/g, '')}`;

export interface ImportedFields {
  kind: OfflineActivityKind;
  day: string;
  place: string;
  people: string[];
  description: string;
  subject: string | null;
  teacherIds: string[];
  pairingId: string | null;
}

/**
 * Inserts every row as a draft of the school, in one statement, and returns them as the API shows
 * them (no evidence yet). The links are checked again here, inside the caller's transaction, as
 * insertActivity's checkLinks does: a pairing or a teacher removed since the look-up fails the
 * whole import rather than filing a row against it.
 */
export async function insertImportedActivities(
  q: Queryable,
  ctx: { communityId: string; schoolId: string; schoolName: string; createdBy: string },
  rows: readonly ImportedFields[],
): Promise<WorkspaceActivity[]> {
  if (rows.length === 0) return [];
  const pairingIds = [...new Set(rows.flatMap((r) => (r.pairingId ? [r.pairingId] : [])))];
  if (pairingIds.length) {
    const found = await q.query(`select id from pairings where id = any($1::text[]) and community_id = $2 and (city_school_id = $3 or rural_school_id = $3)`, [
      pairingIds,
      ctx.communityId,
      ctx.schoolId,
    ]);
    if (found.length !== pairingIds.length) throw new AppError('CONFLICT', "a pairing of the file is no longer one of this school's; preview the file again");
  }
  const teacherIds = [...new Set(rows.flatMap((r) => r.teacherIds))];
  if (teacherIds.length) {
    const found = await q.query(
      `select u.id from users u join schools s on s.id = u.school_id
        where u.id = any($1::text[]) and s.community_id = $2 and u.role in ('teacher', 'school_admin', 'researcher')`,
      [teacherIds, ctx.communityId],
    );
    if (found.length !== teacherIds.length) throw new AppError('CONFLICT', "a teacher of the file is no longer staff of the community's schools; preview the file again");
  }
  const records = rows.map((r) => ({
    id: randomUUID(),
    pairing_id: r.pairingId,
    kind: r.kind,
    day: r.day,
    place: r.place,
    people: r.people,
    description: r.description,
    subject: r.subject,
    teacher_ids: [...new Set(r.teacherIds)],
  }));
  const written = await q.query<{ id: string; created_at: unknown; updated_at: unknown }>(
    `insert into workspace_activities
       (id, community_id, school_id, pairing_id, kind, day, place, people, description, subject, teacher_ids, created_by)
     select r.id, $2, $3, r.pairing_id, r.kind, r.day, r.place, r.people, r.description, r.subject, r.teacher_ids, $4
       from jsonb_to_recordset($1::jsonb)
         as r(id text, pairing_id text, kind text, day date, place text, people jsonb, description text, subject text, teacher_ids jsonb)
     returning id, created_at, updated_at`,
    [JSON.stringify(records), ctx.communityId, ctx.schoolId, ctx.createdBy],
  );
  const times = new Map(written.map((w) => [w.id, w]));
  return records.map((r) => {
    const t = times.get(r.id);
    if (!t) throw new Error(`imported activity ${r.id} was not written`);
    const a: WorkspaceActivity = {
      id: r.id,
      communityId: ctx.communityId,
      schoolId: ctx.schoolId,
      schoolName: ctx.schoolName,
      pairingId: r.pairing_id,
      kind: r.kind,
      day: r.day,
      place: r.place,
      people: r.people,
      description: r.description,
      subject: r.subject,
      teacherIds: r.teacher_ids,
      createdBy: ctx.createdBy,
      createdAt: iso(t.created_at),
      updatedAt: iso(t.updated_at),
      status: 'draft',
      submittedAt: null,
      reviewComment: null,
      reviewedBy: null,
      reviewedByName: null,
      reviewedAt: null,
      evidence: [],
    };
    return a;
  });
}
