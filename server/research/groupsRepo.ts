// 教研组, their members and their 网络研修 sessions; yearly targets per pairing.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { communityIdOf } from '../auth/users.js';
import { inTx, iso } from '../community/sql.js';
import { setResearchTargets } from '../workspace/targetsRepo.js';
import type { GroupMember, ResearchGroup, ResearchSession, SessionKind, TargetProgress } from '../contract/research.js';

async function membersOf(db: Queryable, groupIds: string[]): Promise<Map<string, GroupMember[]>> {
  const rows = await db.query(
    `select m.group_id, m.user_id, m.role, u.display_name, u.username, u.school_id, s.name as school_name
       from research_group_members m join users u on u.id = m.user_id left join schools s on s.id = u.school_id
      where m.group_id = any($1) order by m.role, u.display_name`,
    [groupIds],
  );
  const out = new Map<string, GroupMember[]>();
  for (const r of rows) {
    const list = out.get(String(r.group_id)) ?? [];
    list.push({
      userId: String(r.user_id),
      displayName: String(r.display_name),
      username: String(r.username),
      schoolId: (r.school_id as string | null) ?? null,
      schoolName: (r.school_name as string | null) ?? null,
      role: r.role as 'lead' | 'member',
    });
    out.set(String(r.group_id), list);
  }
  return out;
}

/** Groups of the user's community (everyone may see which groups exist and who is in them). */
export async function listGroups(db: Queryable, user: PublicUser): Promise<ResearchGroup[]> {
  const rows = await db.query(
    `select g.* from research_groups g where g.community_id = (select community_id from users where id = $1) order by g.created_at, g.id`,
    [user.id],
  );
  const members = await membersOf(db, rows.map((r) => String(r.id)));
  return rows.map((r) => toGroup(r, members.get(String(r.id)) ?? []));
}

function toGroup(r: Record<string, unknown>, members: GroupMember[]): ResearchGroup {
  return {
    id: String(r.id),
    communityId: String(r.community_id),
    name: String(r.name),
    subject: String(r.subject),
    createdBy: String(r.created_by),
    members,
  };
}

export async function getGroup(db: Queryable, user: PublicUser, groupId: string): Promise<ResearchGroup> {
  const rows = await db.query(`select * from research_groups where id = $1 and community_id = (select community_id from users where id = $2)`, [
    groupId,
    user.id,
  ]);
  if (!rows[0]) throw new AppError('NOT_FOUND', 'research group not found');
  return toGroup(rows[0], (await membersOf(db, [groupId])).get(groupId) ?? []);
}

export async function createGroup(
  db: Queryable,
  user: PublicUser,
  body: { name: string; subject: string; memberIds: string[] },
): Promise<ResearchGroup> {
  const community = await communityIdOf(db, user.id);
  const id = randomUUID();
  await inTx(db, async (q) => {
    await q.query('insert into research_groups (id, community_id, name, subject, created_by) values ($1, $2, $3, $4, $5)', [
      id,
      community,
      body.name,
      body.subject,
      user.id,
    ]);
    await q.query(`insert into research_group_members (group_id, user_id, role) values ($1, $2, 'lead')`, [id, user.id]);
    for (const m of new Set(body.memberIds)) {
      if (m === user.id) continue;
      await q.query(`insert into research_group_members (group_id, user_id, role) values ($1, $2, 'member')`, [id, m]);
    }
  });
  return getGroup(db, user, id);
}

export function isLead(group: ResearchGroup, user: PublicUser): boolean {
  return user.role === 'community_admin' || group.members.some((m) => m.userId === user.id && m.role === 'lead');
}

export function isMember(group: ResearchGroup, userId: string): boolean {
  return group.members.some((m) => m.userId === userId);
}

export async function addMember(db: Queryable, groupId: string, userId: string, role: 'lead' | 'member'): Promise<void> {
  await db.query(
    `insert into research_group_members (group_id, user_id, role) values ($1, $2, $3)
     on conflict (group_id, user_id) do update set role = excluded.role`,
    [groupId, userId, role],
  );
}

export async function removeMember(db: Queryable, groupId: string, userId: string): Promise<void> {
  await db.query('delete from research_group_members where group_id = $1 and user_id = $2', [groupId, userId]);
}

const SESSION_SELECT = `
  select s.*, g.name as group_name, l.title as lesson_title
    from research_sessions s join research_groups g on g.id = s.group_id left join lessons l on l.id = s.lesson_id`;

function toSession(r: Record<string, unknown>): ResearchSession {
  return {
    id: String(r.id),
    groupId: String(r.group_id),
    groupName: String(r.group_name),
    kind: r.kind as SessionKind,
    title: String(r.title),
    lessonId: (r.lesson_id as string | null) ?? null,
    lessonTitle: (r.lesson_title as string | null) ?? null,
    pairingId: (r.pairing_id as string | null) ?? null,
    scheduledAt: iso(r.scheduled_at),
    agenda: String(r.agenda),
    minutes: String(r.minutes),
    conclusions: String(r.conclusions),
    createdBy: String(r.created_by),
  };
}

export async function listSessions(db: Queryable, filter: { groupId?: string; lessonId?: string }): Promise<ResearchSession[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.groupId) where.push(`s.group_id = $${params.push(filter.groupId)}`);
  if (filter.lessonId) where.push(`s.lesson_id = $${params.push(filter.lessonId)}`);
  const rows = await db.query(`${SESSION_SELECT} ${where.length ? `where ${where.join(' and ')}` : ''} order by s.scheduled_at, s.id`, params);
  return rows.map(toSession);
}

export async function getSession(db: Queryable, id: string): Promise<ResearchSession | null> {
  const rows = await db.query(`${SESSION_SELECT} where s.id = $1`, [id]);
  return rows[0] ? toSession(rows[0]) : null;
}

/** The pairing a lesson counts for: its host school with the rural school of a receiving classroom. */
/** Whether the user is a member of a research group that holds a session on the lesson. */
export async function inSessionOnLesson(db: Queryable, lessonId: string, userId: string): Promise<boolean> {
  const rows = await db.query(
    `select 1 from research_sessions s join research_group_members m on m.group_id = s.group_id
      where s.lesson_id = $1 and m.user_id = $2 limit 1`,
    [lessonId, userId],
  );
  return rows.length > 0;
}

export async function pairingOfLesson(db: Queryable, lessonId: string): Promise<string | null> {
  const rows = await db.query<{ id: string }>(
    `select p.id from lessons l
       join classrooms hc on hc.id = l.host_classroom_id
       join lesson_classrooms lc on lc.lesson_id = l.id
       join classrooms rc on rc.id = lc.classroom_id
       join pairings p on p.city_school_id = hc.school_id and p.rural_school_id = rc.school_id
      where l.id = $1 order by p.id limit 1`,
    [lessonId],
  );
  return rows[0]?.id ?? null;
}

export async function createSession(
  db: Queryable,
  user: PublicUser,
  body: { groupId: string; kind: SessionKind; title: string; lessonId: string | null; pairingId: string | null; scheduledAt: string; agenda: string },
): Promise<ResearchSession> {
  const id = randomUUID();
  const pairingId = body.pairingId ?? (body.lessonId ? await pairingOfLesson(db, body.lessonId) : null);
  await db.query(
    `insert into research_sessions (id, group_id, kind, title, lesson_id, pairing_id, scheduled_at, agenda, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [id, body.groupId, body.kind, body.title, body.lessonId, pairingId, body.scheduledAt, body.agenda, user.id],
  );
  return (await getSession(db, id))!;
}

export async function updateSession(
  db: Queryable,
  id: string,
  patch: Partial<{ title: string; agenda: string; minutes: string; conclusions: string; scheduledAt: string }>,
): Promise<ResearchSession> {
  const cols: Record<string, string> = { title: 'title', agenda: 'agenda', minutes: 'minutes', conclusions: 'conclusions', scheduledAt: 'scheduled_at' };
  const sets: string[] = [];
  const params: unknown[] = [id];
  for (const [k, col] of Object.entries(cols)) {
    const v = patch[k as keyof typeof patch];
    if (v !== undefined) sets.push(`${col} = $${params.push(v)}`);
  }
  if (sets.length) await db.query(`update research_sessions set ${sets.join(', ')} where id = $1`, params);
  return (await getSession(db, id))!;
}

export async function pairingInCommunity(db: Queryable, user: PublicUser, pairingId: string): Promise<boolean> {
  const rows = await db.query('select 1 from pairings where id = $1 and community_id = (select community_id from users where id = $2)', [
    pairingId,
    user.id,
  ]);
  return rows.length > 0;
}

/**
 * Progress of every pairing of the user's community in `year` (calendar year, UTC): synchronous
 * lessons that took place (ended) between the pairing's schools, and research sessions held for
 * the pairing (directly or through their lesson).
 */
export async function targetProgress(db: Queryable, user: PublicUser, year: number): Promise<TargetProgress[]> {
  const from = `${year}-01-01T00:00:00Z`;
  const to = `${year + 1}-01-01T00:00:00Z`;
  const rows = await db.query(
    `select p.id, cs.name as city, rs.name as rural,
            -- a pairing with targets of its own for the year and none of these two has no such minimum;
            -- one without any has the defaults
            case when own.has_own then coalesce(lt.threshold, 0) else 10 end as min_lessons,
            case when own.has_own then coalesce(st.threshold, 0) else 4 end as min_sessions,
            (select count(distinct l.id) from lessons l
               join classrooms hc on hc.id = l.host_classroom_id and hc.school_id = p.city_school_id
               join lesson_classrooms lc on lc.lesson_id = l.id
               join classrooms rc on rc.id = lc.classroom_id and rc.school_id = p.rural_school_id
              where l.state = 'ended' and coalesce(l.started_at, l.scheduled_at) >= $2 and coalesce(l.started_at, l.scheduled_at) < $3) as lessons,
            (select count(*) from research_sessions s
              where s.pairing_id = p.id and s.scheduled_at >= $2 and s.scheduled_at < $3) as sessions
       from pairings p
       join schools cs on cs.id = p.city_school_id
       join schools rs on rs.id = p.rural_school_id
       -- the targets live in the workspace's model now (server/workspace/targetsRepo.ts setResearchTargets)
       left join lateral (select (w.target->'terms'->-1->>'threshold')::int as threshold from workspace_targets w
                           where w.pairing_id = p.id and w.year = $4 and w.target_id = 'research-lessons') lt on true
       left join lateral (select (w.target->'terms'->-1->>'threshold')::int as threshold from workspace_targets w
                           where w.pairing_id = p.id and w.year = $4 and w.target_id = 'research-sessions') st on true
       cross join lateral (select exists (select 1 from workspace_targets w where w.pairing_id = p.id and w.year = $4) as has_own) own
      where p.community_id = (select community_id from users where id = $1)
      order by cs.name, rs.name`,
    [user.id, from, to, year],
  );
  return rows.map((r) => ({
    pairingId: String(r.id),
    citySchoolName: String(r.city),
    ruralSchoolName: String(r.rural),
    year,
    minLessons: Number(r.min_lessons),
    minSessions: Number(r.min_sessions),
    lessons: Number(r.lessons),
    sessions: Number(r.sessions),
  }));
}

/** Kept for /api/research/targets: the two targets are stored in the workspace's model. */
export async function setTarget(db: Queryable, pairingId: string, year: number, t: { minLessons: number; minSessions: number }): Promise<void> {
  await setResearchTargets(db, pairingId, year, t);
}
