// The workspace's audit log: every change to an activity, its evidence, its 核验 and the bureau's
// counting rule is appended here by the same transaction that makes it (pass that transaction's
// `q`), so the log never shows a change that did not happen or misses one that did. The table
// refuses updates and deletes (a trigger); ids sort in append order (sortableId).
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import type { AuditAction, AuditEntry } from '../contract/workspace/activities.js';
import { iso, json, sortableId } from '../community/sql.js';

export interface AuditWrite {
  actor: Pick<PublicUser, 'id' | 'displayName'>;
  action: AuditAction;
  entity: AuditEntry['entity'];
  entityId: string;
  communityId: string | null;
  before?: unknown;
  after?: unknown;
}

export async function appendAudit(q: Queryable, w: AuditWrite): Promise<void> {
  await q.query(
    `insert into workspace_audit (id, actor_id, actor_name, action, entity, entity_id, community_id, before, after)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      sortableId(),
      w.actor.id,
      w.actor.displayName,
      w.action,
      w.entity,
      w.entityId,
      w.communityId,
      w.before === undefined ? null : JSON.stringify(w.before),
      w.after === undefined ? null : JSON.stringify(w.after),
    ],
  );
}

/** Many entries in one statement (a bulk import's creates), ids in the writes' order. */
export async function appendAudits(q: Queryable, writes: readonly AuditWrite[]): Promise<void> {
  if (writes.length === 0) return;
  const rows = writes.map((w) => ({
    id: sortableId(),
    actor_id: w.actor.id,
    actor_name: w.actor.displayName,
    action: w.action,
    entity: w.entity,
    entity_id: w.entityId,
    community_id: w.communityId,
    // As appendAudit stores them: the JSON text cast to jsonb (a null `before` is jsonb null, as there).
    before: w.before === undefined ? null : JSON.stringify(w.before),
    after: w.after === undefined ? null : JSON.stringify(w.after),
  }));
  await q.query(
    `insert into workspace_audit (id, actor_id, actor_name, action, entity, entity_id, community_id, before, after)
     select id, actor_id, actor_name, action, entity, entity_id, community_id, before::jsonb, after::jsonb
       from jsonb_to_recordset($1::jsonb)
         as r(id text, actor_id text, actor_name text, action text, entity text, entity_id text, community_id text, before text, after text)`,
    [JSON.stringify(rows)],
  );
}

/** Newest first; `before` pages backwards from an entry id. */
export async function listAudit(
  q: Queryable,
  f: { communityIds: readonly string[]; entityId?: string; before?: string; limit: number },
): Promise<AuditEntry[]> {
  const rows = await q.query(
    `select id, at, actor_id, actor_name, action, entity, entity_id, community_id, before, after
       from workspace_audit
      where community_id = any($1::text[])
        and ($2::text is null or entity_id = $2)
        and ($3::text is null or id < $3)
      order by id desc
      limit $4`,
    [[...f.communityIds], f.entityId ?? null, f.before ?? null, f.limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    at: iso(r.at),
    actorId: (r.actor_id as string | null) ?? null,
    actorName: String(r.actor_name),
    action: r.action as AuditAction,
    entity: r.entity as AuditEntry['entity'],
    entityId: String(r.entity_id),
    communityId: (r.community_id as string | null) ?? null,
    before: r.before === null ? null : json(r.before),
    after: r.after === null ? null : json(r.after),
  }));
}
