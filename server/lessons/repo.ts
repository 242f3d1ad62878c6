// Scheduled synchronous lessons: one host (city) classroom teaching paired receiving classrooms.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import type { Lesson, LessonState, PublicUser } from '../contract/domain.js';
import { createLessonBody, type CreateLessonBody } from '../contract/api.js';
import { AppError } from '../contract/errors.js';
import { parseLessonEvent, type LessonEventData, type LessonEventPayload, type LessonEventType } from '../contract/lessonEvents.js';
import { communityIdOf } from '../auth/users.js';
import { inTx, iso, json, rowMapper } from '../community/sql.js';
import { canCreateLesson } from './policy.js';

const LESSON_SELECT = `
  select l.id, l.community_id, l.title, l.subject, l.grade, l.teacher_id, u.display_name as teacher_name,
         l.host_classroom_id, l.scheduled_at, l.duration_min, l.state, l.started_at, l.ended_at,
         coalesce((select json_agg(lc.classroom_id order by lc.classroom_id)
                     from lesson_classrooms lc where lc.lesson_id = l.id), '[]'::json) as receiving
    from lessons l join users u on u.id = l.teacher_id`;

/** A list is for a timetable view; more than this in one answer is a client asking for everything. */
const LIST_LIMIT = 500;

const toLesson = rowMapper<Lesson>(
  {
    str: ['id', 'communityId', 'title', 'subject', 'teacherId', 'teacherName', 'hostClassroomId'],
    num: ['grade', 'durationMin'],
    iso: ['scheduledAt'],
    isoOrNull: ['startedAt', 'endedAt'],
  },
  (r) => ({ receivingClassroomIds: json<string[]>(r.receiving), state: r.state as LessonState }),
);

export async function getLesson(db: Queryable, id: string): Promise<Lesson | null> {
  const rows = await db.query(`${LESSON_SELECT} where l.id = $1`, [id]);
  return rows[0] ? toLesson(rows[0]) : null;
}

/**
 * Lessons the user has a lessonRoleFor (same rules, in SQL), overlapping [from, to):
 * a lesson that started before `from` but is still running (or still live) is included.
 */
export async function listLessonsFor(
  db: Queryable,
  user: PublicUser,
  range: { from?: string; to?: string } = {},
): Promise<Lesson[]> {
  const params: unknown[] = [user.id];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const where = ['l.community_id = (select community_id from users where id = $1)'];
  const inSchool = (schoolId: string) => {
    const s = p(schoolId);
    return `(exists (select 1 from classrooms c where c.id = l.host_classroom_id and c.school_id = ${s})
         or exists (select 1 from lesson_classrooms lc join classrooms c on c.id = lc.classroom_id
                     where lc.lesson_id = l.id and c.school_id = ${s}))`;
  };
  switch (user.role) {
    case 'community_admin':
    case 'researcher':
      break;
    case 'classroom':
      if (!user.classroomId) return [];
      where.push(`exists (select 1 from lesson_classrooms lc where lc.lesson_id = l.id and lc.classroom_id = ${p(user.classroomId)})`);
      break;
    case 'teacher':
      where.push(user.schoolId ? `(l.teacher_id = $1 or ${inSchool(user.schoolId)})` : 'l.teacher_id = $1');
      break;
    case 'school_admin':
      if (!user.schoolId) return [];
      where.push(inSchool(user.schoolId));
      break;
    default:
      return [];
  }
  if (range.from) {
    const f = p(range.from);
    where.push(`(l.scheduled_at + l.duration_min * interval '1 minute' > ${f}::timestamptz or l.state = 'live')`);
  }
  if (range.to) where.push(`l.scheduled_at < ${p(range.to)}::timestamptz`);
  const rows = await db.query(`${LESSON_SELECT} where ${where.join(' and ')} order by l.scheduled_at, l.id limit ${LIST_LIMIT}`, params);
  return rows.map(toLesson);
}

export async function createLesson(db: Queryable, teacher: PublicUser, body: CreateLessonBody): Promise<Lesson> {
  const parsed = createLessonBody.safeParse(body);
  if (!parsed.success) throw new AppError('BAD_REQUEST', parsed.error.issues[0]?.message ?? 'invalid lesson');
  const b = { ...parsed.data, receivingClassroomIds: [...new Set(parsed.data.receivingClassroomIds)] };
  await canCreateLesson(db, teacher, b);
  const communityId = await communityIdOf(db, teacher.id);
  if (!communityId) throw new AppError('UNAUTHENTICATED', 'unknown user');
  const id = randomUUID();
  return inTx(db, async (q) => {
    await q.query(
      `insert into lessons (id, community_id, title, subject, grade, teacher_id, host_classroom_id, scheduled_at, duration_min)
       values ($1, $2, $3, $4, $5, $6, $7, $8::timestamptz, $9)`,
      [id, communityId, b.title, b.subject, b.grade, teacher.id, b.hostClassroomId, b.scheduledAt, b.durationMin],
    );
    for (const classroomId of b.receivingClassroomIds) {
      await q.query('insert into lesson_classrooms (lesson_id, classroom_id) values ($1, $2)', [id, classroomId]);
    }
    const rows = await q.query(`${LESSON_SELECT} where l.id = $1`, [id]);
    return toLesson(rows[0]);
  });
}

/**
 * scheduled → live → ended, once each; anything else is CONFLICT. `at` is the moment it
 * happened when the caller took it (the recording's clock zero), else the database's now.
 */
export async function setLessonState(db: Queryable, id: string, state: 'live' | 'ended', at?: Date): Promise<Lesson> {
  const sql =
    state === 'live'
      ? `update lessons set state = 'live', started_at = coalesce($2::timestamptz, now()) where id = $1 and state = 'scheduled' returning id`
      : `update lessons set state = 'ended', ended_at = coalesce($2::timestamptz, now()) where id = $1 and state = 'live' returning id`;
  const updated = await db.query(sql, [id, at?.toISOString() ?? null]);
  const lesson = await getLesson(db, id);
  if (!lesson) throw new AppError('NOT_FOUND', 'lesson not found');
  if (!updated.length) {
    throw new AppError(
      'CONFLICT',
      state === 'live'
        ? `lesson is ${lesson.state}; only a scheduled lesson can start`
        : `lesson is ${lesson.state}; only a live lesson can end`,
    );
  }
  return lesson;
}

export async function recordLessonEvent<T extends LessonEventType>(
  db: Queryable,
  lessonId: string,
  type: T,
  actorId: string | null,
  payload: LessonEventPayload<T>,
): Promise<void> {
  await db.query('insert into lesson_events (lesson_id, type, actor_id, payload) values ($1, $2, $3, $4::jsonb)', [
    lessonId,
    type,
    actorId,
    JSON.stringify(payload ?? {}),
  ]);
}

export type LessonEvent = { id: number; at: string; actorId: string | null } & LessonEventData;

/** The event log in order, for replay and for tests of what was recorded (rows of a type this version does not know are left out). */
export async function listLessonEvents(db: Queryable, lessonId: string): Promise<LessonEvent[]> {
  const rows = await db.query('select id, at, type, actor_id, payload from lesson_events where lesson_id = $1 order by id', [lessonId]);
  return rows.flatMap((r) => {
    const e = parseLessonEvent(String(r.type), json<unknown>(r.payload));
    return e ? [{ id: Number(r.id), at: iso(r.at), actorId: (r.actor_id as string | null) ?? null, ...e }] : [];
  });
}

/** Whether the lesson is to be recorded (its `recording` flag; false for no such lesson). */
export async function isRecorded(db: Queryable, id: string): Promise<boolean> {
  const rows = await db.query<{ recording: boolean }>('select recording from lessons where id = $1', [id]);
  return !!rows[0]?.recording;
}

/** The lesson's state as stored now (null: no such lesson). */
export async function getLessonState(db: Queryable, id: string): Promise<LessonState | null> {
  const rows = await db.query<{ state: LessonState }>('select state from lessons where id = $1', [id]);
  return rows[0]?.state ?? null;
}

/** The live lesson's stage, mutes and hands as last saved (`{}`: none; a server restart finds them here). */
export async function getLiveState(db: Queryable, id: string): Promise<unknown> {
  const rows = await db.query<{ live_state: unknown }>('select live_state from lessons where id = $1', [id]);
  return rows[0]?.live_state;
}

export async function saveLiveState(db: Queryable, id: string, state: object): Promise<void> {
  await db.query('update lessons set live_state = $2 where id = $1', [id, JSON.stringify(state)]);
}
