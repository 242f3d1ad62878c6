// 评课 annotations on the lesson clock, threaded replies and @mentions.
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { inTx, iso, json, sortableId } from '../community/sql.js';
import { lessonForResearch } from './policy.js';
import { toPublicUser, USER_COLUMNS } from '../auth/users.js';
import type { Annotation, Framework } from '../contract/research.js';

const SELECT = `
  select a.*, u.display_name as author_name,
         coalesce((select json_agg(json_build_object('userId', mu.id, 'displayName', mu.display_name) order by mu.display_name)
                     from annotation_mentions am join users mu on mu.id = am.user_id where am.annotation_id = a.id), '[]'::json) as mentions
    from annotations a join users u on u.id = a.author_id`;

function toAnnotation(r: Record<string, unknown>): Annotation {
  return {
    id: String(r.id),
    lessonId: String(r.lesson_id),
    authorId: String(r.author_id),
    authorName: String(r.author_name),
    groupId: (r.group_id as string | null) ?? null,
    parentId: (r.parent_id as string | null) ?? null,
    framework: r.framework as Framework,
    code: (r.code as string | null) ?? null,
    atMs: Number(r.at_ms),
    endMs: r.end_ms === null || r.end_ms === undefined ? null : Number(r.end_ms),
    text: String(r.text),
    mentions: json<Array<{ userId: string; displayName: string }>>(r.mentions),
    live: Boolean(r.live),
    createdAt: iso(r.created_at),
  };
}

export async function listAnnotations(
  db: Queryable,
  lessonId: string,
  filter: { code?: string; authorId?: string; groupId?: string } = {},
): Promise<Annotation[]> {
  const where = ['a.lesson_id = $1'];
  const params: unknown[] = [lessonId];
  // Filters apply to top-level notes; replies follow their thread.
  if (filter.code) where.push(`coalesce((select p.code from annotations p where p.id = a.parent_id), a.code) = $${params.push(filter.code)}`);
  if (filter.authorId) where.push(`(a.author_id = $${params.push(filter.authorId)} or a.parent_id in (select id from annotations where author_id = $${params.length}))`);
  if (filter.groupId) where.push(`coalesce((select p.group_id from annotations p where p.id = a.parent_id), a.group_id) = $${params.push(filter.groupId)}`);
  const rows = await db.query(`${SELECT} where ${where.join(' and ')} order by a.at_ms, a.id`, params);
  return rows.map(toAnnotation);
}

export async function getAnnotation(db: Queryable, id: string): Promise<Annotation | null> {
  const rows = await db.query(`${SELECT} where a.id = $1`, [id]);
  return rows[0] ? toAnnotation(rows[0]) : null;
}

/** @name tokens (username or display name, letters/digits/_.-) in a note. */
export function mentionTokens(text: string): string[] {
  return [...new Set([...text.matchAll(/@([\p{L}\p{N}_.-]{1,64})/gu)].map((m) => m[1]))];
}

export interface NewAnnotation {
  lessonId: string;
  atMs: number;
  endMs: number | null;
  framework: Framework;
  code: string | null;
  text: string;
  parentId: string | null;
  groupId: string | null;
  live: boolean;
}

/**
 * Stores a note and its mentions in one transaction. A reply takes its parent's time, code and
 * group. Mentioned users must be able to read the lesson; others are ignored (no leak).
 */
export async function createAnnotation(
  db: Queryable,
  user: PublicUser,
  a: NewAnnotation,
): Promise<{ annotation: Annotation; mentioned: string[] }> {
  let input = a;
  if (a.parentId) {
    const parent = await getAnnotation(db, a.parentId);
    if (!parent || parent.lessonId !== a.lessonId) throw new AppError('NOT_FOUND', 'the note you reply to does not exist');
    if (parent.parentId) throw new AppError('BAD_REQUEST', 'reply to the thread’s first note');
    input = { ...a, atMs: parent.atMs, endMs: parent.endMs, framework: 'none', code: null, groupId: parent.groupId };
  }
  if (input.groupId) {
    const rows = await db.query('select 1 from research_group_members where group_id = $1 and user_id = $2', [input.groupId, user.id]);
    if (!rows.length) throw new AppError('FORBIDDEN', 'you are not a member of that research group');
  }
  const tokens = mentionTokens(input.text);
  const candidates = tokens.length
    ? await db.query(
        `select ${USER_COLUMNS} from users u where u.community_id = (select community_id from users where id = $1)
            and u.role <> 'classroom' and u.id <> $1 and (u.username = any($2) or u.display_name = any($2))`,
        [user.id, tokens],
      )
    : [];
  const mentioned: string[] = [];
  for (const c of candidates.map(toPublicUser)) {
    const allowed = await lessonForResearch(db, c, input.lessonId).then(
      () => true,
      () => false,
    );
    if (allowed) mentioned.push(c.id);
  }
  const id = sortableId();
  await inTx(db, async (q) => {
    await q.query(
      `insert into annotations (id, lesson_id, author_id, group_id, parent_id, framework, code, at_ms, end_ms, text, live)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [id, input.lessonId, user.id, input.groupId, input.parentId, input.framework, input.code, input.atMs, input.endMs, input.text, input.live],
    );
    for (const m of mentioned) await q.query('insert into annotation_mentions (annotation_id, user_id) values ($1, $2)', [id, m]);
  });
  return { annotation: (await getAnnotation(db, id))!, mentioned };
}

export async function deleteAnnotation(db: Queryable, user: PublicUser, id: string): Promise<Annotation> {
  const a = await getAnnotation(db, id);
  if (!a) throw new AppError('NOT_FOUND', 'note not found');
  await lessonForResearch(db, user, a.lessonId);
  if (a.authorId !== user.id && user.role !== 'community_admin') throw new AppError('FORBIDDEN', 'only its author may delete a note');
  await db.query('delete from annotations where id = $1', [id]);
  return a;
}

/** Notes that mention the user and are not read yet. */
export async function unreadMentions(db: Queryable, userId: string): Promise<Annotation[]> {
  const rows = await db.query(
    `${SELECT} join annotation_mentions m on m.annotation_id = a.id where m.user_id = $1 and m.read_at is null order by a.created_at desc limit 100`,
    [userId],
  );
  return rows.map(toAnnotation);
}

export async function markMentionsRead(db: Queryable, userId: string, ids: string[]): Promise<void> {
  await db.query('update annotation_mentions set read_at = now() where user_id = $1 and annotation_id = any($2) and read_at is null', [userId, ids]);
}
