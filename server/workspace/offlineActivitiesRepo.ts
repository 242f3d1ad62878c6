// Offline activities and their evidence rows (the files themselves: evidenceStore.ts). Lists read
// the activities and then all their evidence in one more query, whatever their number.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import type {
  ActivityStatus,
  CreateActivityBody,
  EvidenceFile,
  EvidenceType,
  OfflineActivityKind,
  UpdateActivityBody,
  WorkspaceActivity,
} from '../contract/workspace/activities.js';
import { AppError } from '../contract/errors.js';
import { iso, json, rowMapper } from '../community/sql.js';

const ACTIVITY_COLUMNS = `a.id, a.community_id, a.school_id, s.name as school_name, a.pairing_id, a.kind,
  to_char(a.day, 'YYYY-MM-DD') as day, a.place, a.people, a.description, a.subject, a.teacher_ids,
  a.created_by, a.created_at, a.updated_at, a.status, a.submitted_at, a.review_comment,
  a.reviewed_by, r.display_name as reviewed_by_name, a.reviewed_at`;
const ACTIVITY_FROM = `workspace_activities a join schools s on s.id = a.school_id left join users r on r.id = a.reviewed_by`;

const toActivity = rowMapper<Omit<WorkspaceActivity, 'evidence'>>(
  {
    str: ['id', 'communityId', 'schoolId', 'schoolName', 'day', 'place', 'description', 'createdBy'],
    strOrNull: ['pairingId', 'subject', 'reviewComment', 'reviewedBy', 'reviewedByName'],
    iso: ['createdAt', 'updatedAt'],
    isoOrNull: ['submittedAt', 'reviewedAt'],
  },
  (r) => ({
    kind: r.kind as OfflineActivityKind,
    status: r.status as ActivityStatus,
    people: json<string[]>(r.people),
    teacherIds: json<string[]>(r.teacher_ids),
  }),
);

/** An evidence row with where its files are (never sent to the client: the paths stay on the server). */
export interface EvidenceRow extends EvidenceFile {
  path: string;
  thumbPath: string | null;
}

const toEvidence = (r: Record<string, unknown>): EvidenceRow => ({
  id: String(r.id),
  activityId: String(r.activity_id),
  originalName: String(r.original_name),
  type: r.type as EvidenceType,
  sizeBytes: Number(r.size_bytes),
  sha256: String(r.sha256),
  hasThumbnail: r.thumb_path !== null,
  uploadedBy: String(r.uploaded_by),
  createdAt: iso(r.created_at),
  path: String(r.path),
  thumbPath: (r.thumb_path as string | null) ?? null,
});

/** The client's view of an evidence row. */
export function publicEvidence(e: EvidenceRow): EvidenceFile {
  const { path: _path, thumbPath: _thumb, ...rest } = e;
  return rest;
}

export interface ActivityFilter {
  communityIds: readonly string[];
  schoolId?: string;
  pairingId?: string;
  status?: ActivityStatus;
  /** A reviewer never sees a school's drafts. */
  excludeDrafts?: boolean;
  from?: string;
  to?: string;
}

export async function listActivities(q: Queryable, f: ActivityFilter): Promise<WorkspaceActivity[]> {
  if (f.communityIds.length === 0) return [];
  const rows = await q.query(
    `select ${ACTIVITY_COLUMNS} from ${ACTIVITY_FROM}
      where a.community_id = any($1::text[])
        and ($2::text is null or a.school_id = $2)
        and ($3::text is null or a.pairing_id = $3)
        and ($4::text is null or a.status = $4)
        and (not $5::boolean or a.status <> 'draft')
        and ($6::date is null or a.day >= $6::date)
        and ($7::date is null or a.day <= $7::date)
      order by a.day desc, a.created_at desc, a.id
      limit 1000`,
    [[...f.communityIds], f.schoolId ?? null, f.pairingId ?? null, f.status ?? null, f.excludeDrafts ?? false, f.from ?? null, f.to ?? null],
  );
  return withEvidence(q, rows.map(toActivity));
}

export async function getActivity(q: Queryable, id: string, opts: { forUpdate?: boolean } = {}): Promise<WorkspaceActivity | null> {
  // `for update of a`: a status change and a concurrent edit or upload of the same activity queue up (PostgreSQL).
  const rows = await q.query(`select ${ACTIVITY_COLUMNS} from ${ACTIVITY_FROM} where a.id = $1${opts.forUpdate ? ' for update of a' : ''}`, [id]);
  if (!rows[0]) return null;
  return (await withEvidence(q, [toActivity(rows[0])]))[0];
}

async function withEvidence(q: Queryable, activities: Omit<WorkspaceActivity, 'evidence'>[]): Promise<WorkspaceActivity[]> {
  if (activities.length === 0) return [];
  const evidence = (await evidenceOf(q, activities.map((a) => a.id))).map(publicEvidence);
  return activities.map((a) => ({ ...a, evidence: evidence.filter((e) => e.activityId === a.id) }));
}

export async function evidenceOf(q: Queryable, activityIds: readonly string[]): Promise<EvidenceRow[]> {
  const rows = await q.query(
    `select id, activity_id, path, original_name, type, size_bytes, sha256, thumb_path, uploaded_by, created_at
       from evidence_files where activity_id = any($1::text[]) order by created_at, id`,
    [[...activityIds]],
  );
  return rows.map(toEvidence);
}

export async function getEvidence(q: Queryable, id: string): Promise<EvidenceRow | null> {
  const rows = await q.query(
    `select id, activity_id, path, original_name, type, size_bytes, sha256, thumb_path, uploaded_by, created_at from evidence_files where id = $1`,
    [id],
  );
  return rows[0] ? toEvidence(rows[0]) : null;
}

/**
 * The pairing must be one of the school's, and the teachers staff of the community's schools:
 * an activity cannot be filed against another school's pairing or count a stranger as a teacher.
 */
async function checkLinks(q: Queryable, a: { communityId: string; schoolId: string; pairingId: string | null; teacherIds: readonly string[] }): Promise<void> {
  if (a.pairingId) {
    const p = await q.query('select 1 from pairings where id = $1 and community_id = $2 and (city_school_id = $3 or rural_school_id = $3)', [
      a.pairingId,
      a.communityId,
      a.schoolId,
    ]);
    if (p.length === 0) throw new AppError('BAD_REQUEST', "the pairing is not one of this school's");
  }
  const ids = [...new Set(a.teacherIds)];
  if (ids.length > 0) {
    const found = await q.query(
      `select u.id from users u join schools s on s.id = u.school_id
        where u.id = any($1::text[]) and s.community_id = $2 and u.role in ('teacher', 'school_admin', 'researcher')`,
      [ids, a.communityId],
    );
    if (found.length !== ids.length) throw new AppError('BAD_REQUEST', "every teacher must be staff of one of the community's schools");
  }
}

export async function insertActivity(
  q: Queryable,
  a: CreateActivityBody & { schoolId: string; communityId: string; createdBy: string },
): Promise<WorkspaceActivity> {
  await checkLinks(q, a);
  const id = randomUUID();
  await q.query(
    `insert into workspace_activities
       (id, community_id, school_id, pairing_id, kind, day, place, people, description, subject, teacher_ids, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      id,
      a.communityId,
      a.schoolId,
      a.pairingId,
      a.kind,
      a.day,
      a.place,
      JSON.stringify(a.people),
      a.description,
      a.subject,
      JSON.stringify([...new Set(a.teacherIds)]),
      a.createdBy,
    ],
  );
  return (await getActivity(q, id))!;
}

export async function updateActivity(q: Queryable, current: WorkspaceActivity, b: UpdateActivityBody): Promise<WorkspaceActivity> {
  const next = {
    kind: b.kind ?? current.kind,
    day: b.day ?? current.day,
    place: b.place ?? current.place,
    people: b.people ?? current.people,
    description: b.description ?? current.description,
    subject: b.subject !== undefined ? b.subject : current.subject,
    teacherIds: [...new Set(b.teacherIds ?? current.teacherIds)],
    pairingId: b.pairingId !== undefined ? b.pairingId : current.pairingId,
  };
  await checkLinks(q, { communityId: current.communityId, schoolId: current.schoolId, pairingId: next.pairingId, teacherIds: next.teacherIds });
  await q.query(
    `update workspace_activities set kind = $2, day = $3, place = $4, people = $5, description = $6, subject = $7,
            teacher_ids = $8, pairing_id = $9, updated_at = now()
      where id = $1`,
    [current.id, next.kind, next.day, next.place, JSON.stringify(next.people), next.description, next.subject, JSON.stringify(next.teacherIds), next.pairingId],
  );
  return (await getActivity(q, current.id))!;
}

export async function markSubmitted(q: Queryable, id: string): Promise<WorkspaceActivity> {
  await q.query(`update workspace_activities set status = 'submitted', submitted_at = now(), updated_at = now() where id = $1`, [id]);
  return (await getActivity(q, id))!;
}

export async function markReviewed(q: Queryable, id: string, r: { status: 'accepted' | 'returned'; comment: string; reviewerId: string }): Promise<WorkspaceActivity> {
  await q.query(
    `update workspace_activities set status = $2, review_comment = $3, reviewed_by = $4, reviewed_at = now(), updated_at = now() where id = $1`,
    [id, r.status, r.comment || null, r.reviewerId],
  );
  return (await getActivity(q, id))!;
}

/** Deletes the activity and its evidence rows (cascade); the caller removes the files after the commit. */
export async function deleteActivity(q: Queryable, id: string): Promise<void> {
  await q.query('delete from workspace_activities where id = $1', [id]);
}

export async function insertEvidence(
  q: Queryable,
  e: { id: string; activityId: string; path: string; thumbPath: string | null; originalName: string; type: EvidenceType; sizeBytes: number; sha256: string; uploadedBy: string },
): Promise<EvidenceRow> {
  await q.query(
    `insert into evidence_files (id, activity_id, path, original_name, type, size_bytes, sha256, thumb_path, uploaded_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [e.id, e.activityId, e.path, e.originalName, e.type, e.sizeBytes, e.sha256, e.thumbPath, e.uploadedBy],
  );
  return (await getEvidence(q, e.id))!;
}

export async function deleteEvidence(q: Queryable, id: string): Promise<void> {
  await q.query('delete from evidence_files where id = $1', [id]);
}

/** Touches the activity so its list order and `updatedAt` show the evidence change. */
export async function touchActivity(q: Queryable, id: string): Promise<void> {
  await q.query('update workspace_activities set updated_at = now() where id = $1', [id]);
}

/** The audit log's picture of an activity: its fields and its evidence by id and checksum. */
export function activitySnapshot(a: WorkspaceActivity): Record<string, unknown> {
  const { evidence, schoolName: _name, reviewedByName: _reviewer, ...fields } = a;
  return { ...fields, evidence: evidence.map((e) => ({ id: e.id, type: e.type, sha256: e.sha256 })) };
}

/** Staff who may be named as an activity's teachers: of the school and of the schools paired with it, its own first. */
export async function schoolPeople(q: Queryable, school: { id: string; communityId: string }): Promise<{ id: string; displayName: string; schoolId: string; schoolName: string }[]> {
  const rows = await q.query<{ id: string; display_name: string; school_id: string; school_name: string }>(
    `select u.id, u.display_name, u.school_id, s.name as school_name from users u join schools s on s.id = u.school_id
      where s.community_id = $2 and u.role in ('teacher', 'school_admin', 'researcher')
        and (u.school_id = $1 or u.school_id in (select rural_school_id from pairings where city_school_id = $1
                                                union select city_school_id from pairings where rural_school_id = $1))
      order by (u.school_id = $1) desc, s.name, u.display_name`,
    [school.id, school.communityId],
  );
  return rows.map((r) => ({ id: r.id, displayName: r.display_name, schoolId: r.school_id, schoolName: r.school_name }));
}
