// Communities, schools, urban–rural pairings, classrooms and users.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import type { Classroom, Pairing, PublicUser, Role, School, SchoolKind } from '../contract/domain.js';
import type { CommunityView } from '../contract/api.js';
import { AppError } from '../contract/errors.js';
import type { Person } from '../contract/research.js';
import { hashPassword } from '../auth/passwords.js';
import { toPublicUser } from '../auth/users.js';

export interface Community {
  id: string;
  name: string;
  coreSchoolId: string | null;
}

const toSchool = (r: Record<string, unknown>): School => ({
  id: String(r.id),
  communityId: String(r.community_id),
  name: String(r.name),
  kind: r.kind as SchoolKind,
});

const toClassroom = (r: Record<string, unknown>): Classroom => ({
  id: String(r.id),
  schoolId: String(r.school_id),
  name: String(r.name),
  grade: r.grade === null || r.grade === undefined ? null : Number(r.grade),
});

const toPairing = (r: Record<string, unknown>): Pairing => ({
  id: String(r.id),
  communityId: String(r.community_id),
  citySchoolId: String(r.city_school_id),
  ruralSchoolId: String(r.rural_school_id),
});

export async function getCommunity(db: Queryable, id: string): Promise<Community | null> {
  const rows = await db.query('select id, name, core_school_id from communities where id = $1', [id]);
  const r = rows[0];
  return r ? { id: String(r.id), name: String(r.name), coreSchoolId: (r.core_school_id as string | null) ?? null } : null;
}

export async function findCommunityByName(db: Queryable, name: string): Promise<Community | null> {
  const rows = await db.query<{ id: string }>('select id from communities where name = $1 limit 1', [name]);
  return rows[0] ? getCommunity(db, rows[0].id) : null;
}

export async function getCommunityView(db: Queryable, communityId: string): Promise<CommunityView> {
  const community = await getCommunity(db, communityId);
  if (!community) throw new AppError('NOT_FOUND', 'community not found');
  const [schools, pairings, classrooms, teachers] = [
    await db.query('select id, community_id, name, kind from schools where community_id = $1 order by kind, name', [communityId]),
    await db.query(
      'select id, community_id, city_school_id, rural_school_id from pairings where community_id = $1 order by id',
      [communityId],
    ),
    await db.query(
      `select c.id, c.school_id, c.name, c.grade from classrooms c join schools s on s.id = c.school_id
        where s.community_id = $1 order by s.name, c.name`,
      [communityId],
    ),
    await db.query<{ id: string; display_name: string; school_id: string | null }>(
      `select id, display_name, school_id from users where community_id = $1 and role = 'teacher' order by display_name`,
      [communityId],
    ),
  ];
  return {
    community,
    schools: schools.map(toSchool),
    pairings: pairings.map(toPairing),
    classrooms: classrooms.map(toClassroom),
    teachers: teachers.map((t) => ({ id: t.id, displayName: t.display_name, schoolId: t.school_id })),
  };
}

export async function getSchool(db: Queryable, id: string): Promise<School | null> {
  const rows = await db.query('select id, community_id, name, kind from schools where id = $1', [id]);
  return rows[0] ? toSchool(rows[0]) : null;
}

export async function getClassroom(db: Queryable, id: string): Promise<Classroom | null> {
  const rows = await db.query('select id, school_id, name, grade from classrooms where id = $1', [id]);
  return rows[0] ? toClassroom(rows[0]) : null;
}

export async function getPairing(db: Queryable, id: string): Promise<Pairing | null> {
  const rows = await db.query('select id, community_id, city_school_id, rural_school_id from pairings where id = $1', [id]);
  return rows[0] ? toPairing(rows[0]) : null;
}

/** The lesson's schools: those of its host classroom and of its receiving classrooms (a lesson's id and host). */
type LessonPlace = { id: string; hostClassroomId: string };

/** Whether one of the lesson's classrooms (host or receiving) belongs to `schoolId`. */
export async function schoolTakesPart(db: Queryable, lesson: LessonPlace, schoolId: string): Promise<boolean> {
  const rows = await db.query(
    `select 1 from classrooms c
      where c.school_id = $2
        and (c.id = $3 or c.id in (select classroom_id from lesson_classrooms where lesson_id = $1))
      limit 1`,
    [lesson.id, schoolId, lesson.hostClassroomId],
  );
  return rows.length > 0;
}

/** Whether `schoolId` is paired with one of the lesson's schools (either side of the pairing). */
export async function schoolPairedWithLesson(db: Queryable, lesson: LessonPlace, schoolId: string): Promise<boolean> {
  const rows = await db.query(
    `with lesson_schools as (
       select c.school_id from classrooms c
        where c.id = $2 or c.id in (select classroom_id from lesson_classrooms where lesson_id = $1))
     select 1 from pairings p
      where (p.city_school_id = $3 and p.rural_school_id in (select school_id from lesson_schools))
         or (p.rural_school_id = $3 and p.city_school_id in (select school_id from lesson_schools))
      limit 1`,
    [lesson.id, lesson.hostClassroomId, schoolId],
  );
  return rows.length > 0;
}

/** Of `classroomIds`, those in rural schools paired with the city school `citySchoolId`. */
export async function pairedRuralClassroomIds(db: Queryable, citySchoolId: string, classroomIds: readonly string[]): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `select c.id from classrooms c
       join schools s on s.id = c.school_id and s.kind = 'rural'
       join pairings p on p.rural_school_id = s.id and p.city_school_id = $1
      where c.id = any($2)`,
    [citySchoolId, classroomIds],
  );
  return rows.map((r) => r.id);
}

/**
 * Staff of `userId`'s community other than device accounts: all of them when `communityWide`,
 * else those of `schoolId`, of the schools paired with it, and the researchers and admins.
 */
export async function listStaff(db: Queryable, o: { userId: string; communityWide: boolean; schoolId: string | null }): Promise<Person[]> {
  const rows = await db.query<{ id: string; display_name: string; role: string; school_name: string | null }>(
    `select u.id, u.display_name, u.role, s.name as school_name
       from users u left join schools s on s.id = u.school_id
      where u.community_id = (select community_id from users where id = $1)
        and u.role <> 'classroom'
        and ($2::boolean
             or u.role in ('researcher', 'community_admin')
             or u.school_id = $3
             or u.school_id in (select case when p.city_school_id = $3 then p.rural_school_id else p.city_school_id end
                                  from pairings p where $3 in (p.city_school_id, p.rural_school_id)))
      order by s.name nulls first, u.display_name`,
    [o.userId, o.communityWide, o.schoolId],
  );
  return rows.map((r) => ({ id: String(r.id), displayName: String(r.display_name), role: String(r.role), schoolName: r.school_name ?? null }));
}

export async function createCommunity(db: Queryable, opts: { name: string }): Promise<Community> {
  const id = randomUUID();
  await db.query('insert into communities (id, name) values ($1, $2)', [id, opts.name]);
  return { id, name: opts.name, coreSchoolId: null };
}

export async function setCoreSchool(db: Queryable, communityId: string, schoolId: string): Promise<void> {
  const school = await getSchool(db, schoolId);
  if (!school || school.communityId !== communityId) throw new AppError('BAD_REQUEST', 'core school must belong to the community');
  await db.query('update communities set core_school_id = $2 where id = $1', [communityId, schoolId]);
}

export async function createSchool(
  db: Queryable,
  opts: { communityId: string; name: string; kind: SchoolKind; recordingConsent?: boolean },
): Promise<School> {
  const id = randomUUID();
  await db.query('insert into schools (id, community_id, name, kind, recording_consent) values ($1, $2, $3, $4, $5)', [
    id,
    opts.communityId,
    opts.name,
    opts.kind,
    opts.recordingConsent ?? true,
  ]);
  return { id, communityId: opts.communityId, name: opts.name, kind: opts.kind };
}

export async function createPairing(db: Queryable, opts: { citySchoolId: string; ruralSchoolId: string }): Promise<Pairing> {
  const [city, rural] = [await getSchool(db, opts.citySchoolId), await getSchool(db, opts.ruralSchoolId)];
  if (!city || !rural) throw new AppError('NOT_FOUND', 'school not found');
  if (city.kind !== 'city' || rural.kind !== 'rural') throw new AppError('BAD_REQUEST', 'a pairing joins a city school to a rural school');
  if (city.communityId !== rural.communityId) throw new AppError('BAD_REQUEST', 'paired schools must be in the same community');
  const id = randomUUID();
  await db.query('insert into pairings (id, community_id, city_school_id, rural_school_id) values ($1, $2, $3, $4)', [
    id,
    city.communityId,
    city.id,
    rural.id,
  ]);
  return { id, communityId: city.communityId, citySchoolId: city.id, ruralSchoolId: rural.id };
}

export async function createClassroom(
  db: Queryable,
  opts: { schoolId: string; name: string; grade?: number | null },
): Promise<Classroom> {
  const id = randomUUID();
  await db.query('insert into classrooms (id, school_id, name, grade) values ($1, $2, $3, $4)', [
    id,
    opts.schoolId,
    opts.name,
    opts.grade ?? null,
  ]);
  return { id, schoolId: opts.schoolId, name: opts.name, grade: opts.grade ?? null };
}

export interface CreateUserInput {
  username: string;
  displayName: string;
  role: Role;
  /** Plain text; stored as a scrypt hash. Omit for accounts that cannot sign in by password. */
  password?: string;
  /** Needed only when no school/classroom says which community (a community admin). */
  communityId?: string;
  schoolId?: string | null;
  classroomId?: string | null;
  /** A bureau reviewer's bureau (and only theirs: they belong to no community or school). */
  bureauId?: string;
}

export async function createUser(db: Queryable, input: CreateUserInput): Promise<PublicUser> {
  if (input.role === 'bureau_reviewer' || input.bureauId) return createBureauUser(db, input);
  let schoolId = input.schoolId ?? null;
  const classroomId = input.classroomId ?? null;
  if (input.role === 'classroom') {
    if (!classroomId) throw new AppError('BAD_REQUEST', 'a classroom account needs a classroom');
    const classroom = await getClassroom(db, classroomId);
    if (!classroom) throw new AppError('NOT_FOUND', 'classroom not found');
    if (schoolId && schoolId !== classroom.schoolId) throw new AppError('BAD_REQUEST', 'classroom is not in that school');
    schoolId = classroom.schoolId;
  } else if (classroomId) {
    throw new AppError('BAD_REQUEST', 'only classroom accounts belong to a classroom');
  }
  if (!schoolId && input.role !== 'community_admin') throw new AppError('BAD_REQUEST', `a ${input.role} belongs to a school`);
  let communityId = input.communityId ?? null;
  if (schoolId) {
    const school = await getSchool(db, schoolId);
    if (!school) throw new AppError('NOT_FOUND', 'school not found');
    if (communityId && communityId !== school.communityId) throw new AppError('BAD_REQUEST', 'school is not in that community');
    communityId = school.communityId;
  }
  if (!communityId) throw new AppError('BAD_REQUEST', 'a community admin needs a community');
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const rows = await db.query(
    `insert into users (id, community_id, school_id, classroom_id, username, display_name, role, password_hash)
     values ($1, $2, $3, $4, $5, $6, $7, $8)
     returning id, username, display_name, role, school_id, classroom_id`,
    [randomUUID(), communityId, schoolId, classroomId, input.username, input.displayName, input.role, passwordHash],
  );
  return toPublicUser(rows[0]);
}

async function createBureauUser(db: Queryable, input: CreateUserInput): Promise<PublicUser> {
  if (input.role !== 'bureau_reviewer') throw new AppError('BAD_REQUEST', 'only bureau reviewers belong to a bureau');
  if (!input.bureauId) throw new AppError('BAD_REQUEST', 'a bureau reviewer needs a bureau');
  if (input.communityId || input.schoolId || input.classroomId) throw new AppError('BAD_REQUEST', 'a bureau reviewer belongs to no community or school');
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  const rows = await db.query(
    `insert into users (id, bureau_id, username, display_name, role, password_hash)
     values ($1, $2, $3, $4, 'bureau_reviewer', $5)
     returning id, username, display_name, role, school_id, classroom_id`,
    [randomUUID(), input.bureauId, input.username, input.displayName, passwordHash],
  );
  return toPublicUser(rows[0]);
}
