// Plans, their named versions, anchored comments and the chat beside them.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import type { PlanChatMessage, PlanComment, PlanCommentAnchor, PlanPhase, PlanSummary, PlanVersion } from '../contract/planEvents.js';
import { iso, isoOrNull, json, sortableId } from '../community/sql.js';
import { addChat, chatFields, lastChat, type ChatScope } from '../chat/scopedChatRepo.js';

const toPlan = (r: Record<string, unknown>): PlanSummary => ({
  id: String(r.id),
  communityId: String(r.community_id),
  lessonId: (r.lesson_id as string | null) ?? null,
  pairingId: (r.pairing_id as string | null) ?? null,
  title: String(r.title),
  createdBy: String(r.created_by),
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
  phases: json<PlanPhase[]>(r.phases),
});

const PLAN_COLUMNS = 'id, community_id, lesson_id, pairing_id, title, created_by, created_at, updated_at, phases';

export async function getPlan(db: Queryable, id: string): Promise<PlanSummary | null> {
  const rows = await db.query(`select ${PLAN_COLUMNS} from plans where id = $1`, [id]);
  return rows[0] ? toPlan(rows[0]) : null;
}

export async function listPlans(db: Queryable, where: { communityId: string; lessonId?: string; pairingId?: string }): Promise<PlanSummary[]> {
  const params: unknown[] = [where.communityId];
  let sql = `select ${PLAN_COLUMNS} from plans where community_id = $1`;
  if (where.lessonId) sql += ` and lesson_id = $${params.push(where.lessonId)}`;
  if (where.pairingId) sql += ` and pairing_id = $${params.push(where.pairingId)}`;
  const rows = await db.query(`${sql} order by updated_at desc limit 500`, params);
  return rows.map(toPlan);
}

export async function insertPlan(
  db: Queryable,
  p: { communityId: string; lessonId: string | null; pairingId: string | null; title: string; createdBy: string; phases: PlanPhase[] },
): Promise<PlanSummary> {
  const rows = await db.query(
    `insert into plans (id, community_id, lesson_id, pairing_id, title, created_by, phases)
     values ($1, $2, $3, $4, $5, $6, $7) returning ${PLAN_COLUMNS}`,
    [randomUUID(), p.communityId, p.lessonId, p.pairingId, p.title, p.createdBy, JSON.stringify(p.phases)],
  );
  return toPlan(rows[0]);
}

export async function setPlanPhases(db: Queryable, id: string, phases: PlanPhase[]): Promise<void> {
  await db.query('update plans set phases = $2, updated_at = now() where id = $1', [id, JSON.stringify(phases)]);
}

export async function touchPlan(db: Queryable, id: string): Promise<void> {
  await db.query('update plans set updated_at = now() where id = $1', [id]);
}

/** The schools whose teachers edit the plan: its pairing's two, and its lesson's host and receiving schools. */
export async function planSchoolIds(db: Queryable, plan: Pick<PlanSummary, 'pairingId' | 'lessonId'>): Promise<string[]> {
  const rows = await db.query<{ s: string }>(
    `select city_school_id as s from pairings where id = $1
     union select rural_school_id from pairings where id = $1
     union select c.school_id from lessons l join classrooms c on c.id = l.host_classroom_id where l.id = $2
     union select c.school_id from lesson_classrooms lc join classrooms c on c.id = lc.classroom_id where lc.lesson_id = $2`,
    [plan.pairingId, plan.lessonId],
  );
  return rows.map((r) => r.s);
}

// ---- versions ----------------------------------------------------------------------

const toVersion = (r: Record<string, unknown>): PlanVersion => ({
  id: String(r.id),
  planId: String(r.plan_id),
  name: String(r.name),
  createdBy: String(r.created_by),
  createdByName: String(r.display_name),
  createdAt: iso(r.created_at),
});

export async function insertVersion(db: Queryable, v: { planId: string; name: string; data: Uint8Array; userId: string }): Promise<PlanVersion> {
  const rows = await db.query(
    `with ins as (insert into plan_versions (id, plan_id, name, data, created_by) values ($1, $2, $3, $4, $5)
       returning id, plan_id, name, created_by, created_at)
     select ins.*, u.display_name from ins join users u on u.id = ins.created_by`,
    [sortableId(), v.planId, v.name, Buffer.from(v.data), v.userId],
  );
  return toVersion(rows[0]);
}

export async function listVersions(db: Queryable, planId: string): Promise<PlanVersion[]> {
  const rows = await db.query(
    `select v.id, v.plan_id, v.name, v.created_by, v.created_at, u.display_name
       from plan_versions v join users u on u.id = v.created_by where v.plan_id = $1 order by v.created_at, v.id`,
    [planId],
  );
  return rows.map(toVersion);
}

export async function getVersionData(db: Queryable, planId: string, versionId: string): Promise<{ version: PlanVersion; data: Uint8Array } | null> {
  const rows = await db.query(
    `select v.id, v.plan_id, v.name, v.created_by, v.created_at, encode(v.data, 'base64') as data_b64, u.display_name
       from plan_versions v join users u on u.id = v.created_by where v.plan_id = $1 and v.id = $2`,
    [planId, versionId],
  );
  const r = rows[0];
  if (!r) return null;
  // As base64: PGlite decodes a bytea column in JavaScript on the event loop (store.ts, loadStored).
  return { version: toVersion(r), data: new Uint8Array(Buffer.from(String(r.data_b64), 'base64')) };
}

// ---- comments ----------------------------------------------------------------------

const toComment = (r: Record<string, unknown>): PlanComment => ({
  id: String(r.id),
  planId: String(r.plan_id),
  parentId: (r.parent_id as string | null) ?? null,
  userId: String(r.user_id),
  displayName: String(r.display_name),
  text: String(r.text),
  anchor: r.anchor ? json<PlanCommentAnchor>(r.anchor) : null,
  resolvedAt: isoOrNull(r.resolved_at),
  resolvedBy: (r.resolved_by as string | null) ?? null,
  createdAt: iso(r.created_at),
});

const COMMENT_SELECT = `select c.id, c.plan_id, c.parent_id, c.user_id, c.text, c.anchor, c.resolved_at, c.resolved_by, c.created_at, u.display_name
  from plan_comments c join users u on u.id = c.user_id`;

export async function insertComment(
  db: Queryable,
  c: { planId: string; parentId: string | null; userId: string; text: string; anchor: PlanCommentAnchor | null },
): Promise<PlanComment> {
  const id = sortableId();
  await db.query(
    `insert into plan_comments (id, plan_id, parent_id, user_id, text, anchor, created_at) values ($1, $2, $3, $4, $5, $6, clock_timestamp())`,
    [id, c.planId, c.parentId, c.userId, c.text, c.anchor ? JSON.stringify(c.anchor) : null],
  );
  return (await getComment(db, c.planId, id))!;
}

export async function getComment(db: Queryable, planId: string, id: string): Promise<PlanComment | null> {
  const rows = await db.query(`${COMMENT_SELECT} where c.plan_id = $1 and c.id = $2`, [planId, id]);
  return rows[0] ? toComment(rows[0]) : null;
}

export async function listComments(db: Queryable, planId: string): Promise<PlanComment[]> {
  const rows = await db.query(`${COMMENT_SELECT} where c.plan_id = $1 order by c.created_at, c.id`, [planId]);
  return rows.map(toComment);
}

export async function setCommentResolved(db: Queryable, planId: string, id: string, userId: string | null): Promise<void> {
  await db.query(
    `update plan_comments set resolved_at = case when $3::text is null then null else now() end, resolved_by = $3
      where plan_id = $1 and id = $2`,
    [planId, id, userId],
  );
}

// ---- chat --------------------------------------------------------------------------

const PLAN_CHAT: ChatScope<PlanChatMessage> = {
  table: 'plan_chat_messages',
  key: 'plan_id',
  toMessage: (r) => ({ ...chatFields(r), planId: String(r.plan_id) }),
};

/** The text was checked by the event's schema (trimmed, 1–500 characters). */
export async function addPlanChat(db: Queryable, m: { planId: string; userId: string; text: string }): Promise<PlanChatMessage> {
  return addChat(db, PLAN_CHAT, m.planId, m.userId, m.text);
}

/** The last `limit` messages, oldest first. */
export async function listPlanChat(db: Queryable, planId: string, limit = 200): Promise<PlanChatMessage[]> {
  return lastChat(db, PLAN_CHAT, planId, Math.max(1, limit));
}
