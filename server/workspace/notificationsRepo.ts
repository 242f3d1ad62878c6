// Workspace notifications: a returned (or accepted) activity tells its school. One row per person
// told — the school's admins and whoever logged the activity — so each marks it read on their own.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import type { NotificationKey, WorkspaceActivity, WorkspaceNotification } from '../contract/workspace/activities.js';
import { iso, isoOrNull, json } from '../community/sql.js';

/** Tells the activity's school (its admins and the activity's author); returns how many were told. */
export async function notifySchool(
  q: Queryable,
  activity: WorkspaceActivity,
  key: NotificationKey,
  params: WorkspaceNotification['params'],
): Promise<number> {
  const people = await q.query<{ id: string }>(
    `select id from users where (school_id = $1 and role = 'school_admin') or id = $2 order by id`,
    [activity.schoolId, activity.createdBy],
  );
  for (const p of people) {
    await q.query(
      `insert into workspace_notifications (id, user_id, school_id, activity_id, key, params) values ($1, $2, $3, $4, $5, $6)`,
      [randomUUID(), p.id, activity.schoolId, activity.id, key, JSON.stringify(params)],
    );
  }
  return people.length;
}

export async function listNotifications(q: Queryable, userId: string, limit = 100): Promise<WorkspaceNotification[]> {
  const rows = await q.query(
    `select id, key, params, school_id, created_at, read_at from workspace_notifications
      where user_id = $1 order by created_at desc, id limit $2`,
    [userId, limit],
  );
  return rows.map((r) => ({
    id: String(r.id),
    key: r.key as NotificationKey,
    params: json<WorkspaceNotification['params']>(r.params),
    schoolId: (r.school_id as string | null) ?? null,
    createdAt: iso(r.created_at),
    readAt: isoOrNull(r.read_at),
  }));
}

export async function unreadCount(q: Queryable, userId: string): Promise<number> {
  const rows = await q.query<{ n: number }>('select count(*)::int as n from workspace_notifications where user_id = $1 and read_at is null', [userId]);
  return Number(rows[0]?.n ?? 0);
}

/** Marks the user's own notifications read; other people's ids are ignored. */
export async function markNotificationsRead(q: Queryable, userId: string, ids: readonly string[]): Promise<number> {
  const rows = await q.query(
    `update workspace_notifications set read_at = now() where user_id = $1 and id = any($2::text[]) and read_at is null returning id`,
    [userId, [...ids]],
  );
  return rows.length;
}
