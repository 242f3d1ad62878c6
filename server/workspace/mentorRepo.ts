// 师徒结对: the pairs and the people they may pair. A pair's mentor teaches in a city school of
// its community, its mentee in a rural one; the repo checks it on every write.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import { AppError } from '../contract/errors.js';
import type { MentorCandidate, MentorPair, MentorPairBody, MentorPairPatch } from '../contract/workspace/mentors.js';

type Row = Record<string, unknown>;

const PAIR_SELECT = `
  select p.id, p.community_id, p.subject, to_char(p.starts_on, 'YYYY-MM-DD') as starts_on, to_char(p.ends_on, 'YYYY-MM-DD') as ends_on,
         to_char(p.ended_on, 'YYYY-MM-DD') as ended_on, p.goals,
         m.id as mentor_id, m.display_name as mentor_name, ms.id as mentor_school_id, ms.name as mentor_school,
         e.id as mentee_id, e.display_name as mentee_name, es.id as mentee_school_id, es.name as mentee_school
    from mentor_pairs p
    join users m on m.id = p.mentor_id join schools ms on ms.id = m.school_id
    join users e on e.id = p.mentee_id join schools es on es.id = e.school_id`;

function toPair(r: Row): MentorPair {
  return {
    id: String(r.id),
    communityId: String(r.community_id),
    mentor: { id: String(r.mentor_id), displayName: String(r.mentor_name), schoolId: String(r.mentor_school_id), schoolName: String(r.mentor_school) },
    mentee: { id: String(r.mentee_id), displayName: String(r.mentee_name), schoolId: String(r.mentee_school_id), schoolName: String(r.mentee_school) },
    subject: String(r.subject),
    startsOn: String(r.starts_on),
    endsOn: String(r.ends_on),
    endedOn: r.ended_on === null || r.ended_on === undefined ? null : String(r.ended_on),
    goals: String(r.goals),
  };
}

export async function getMentorPair(db: Queryable, id: string): Promise<MentorPair | null> {
  const rows = await db.query(`${PAIR_SELECT} where p.id = $1`, [id]);
  return rows[0] ? toPair(rows[0]) : null;
}

/**
 * The pairs of these communities; with `schoolId`, only those whose mentor or mentee teaches
 * there; with `userId` too, also those the user is in (a teacher sees their own pairs).
 */
export async function listMentorPairs(db: Queryable, o: { communityIds: readonly string[]; schoolId?: string | null; userId?: string | null }): Promise<MentorPair[]> {
  if (!o.communityIds.length) return [];
  const rows = await db.query(
    `${PAIR_SELECT}
      where p.community_id = any($1::text[])
        and ($2::text is null or m.school_id = $2 or e.school_id = $2)
        and ($3::text is null or p.mentor_id = $3 or p.mentee_id = $3)
      order by p.starts_on desc, m.display_name, p.id`,
    [[...o.communityIds], o.schoolId ?? null, o.userId ?? null],
  );
  return rows.map(toPair);
}

/** The community's school staff who can be paired (teachers, school admins, researchers with a school). */
export async function listMentorCandidates(db: Queryable, communityId: string): Promise<MentorCandidate[]> {
  const rows = await db.query(
    `select u.id, u.display_name, u.role, s.id as school_id, s.name as school_name, s.kind
       from users u join schools s on s.id = u.school_id
      where s.community_id = $1 and u.role in ('teacher', 'school_admin', 'researcher')
      order by s.kind, s.name, u.display_name`,
    [communityId],
  );
  return rows.map((r) => ({
    id: String(r.id),
    displayName: String(r.display_name),
    role: String(r.role),
    schoolId: String(r.school_id),
    schoolName: String(r.school_name),
    schoolKind: r.kind as 'city' | 'rural',
  }));
}

/** Mentor in a city school of the community, mentee in a rural one; otherwise a 400 naming which. */
async function assertPairable(db: Queryable, communityId: string, mentorId: string, menteeId: string): Promise<void> {
  const rows = await db.query<{ id: string; kind: string }>(
    `select u.id, s.kind from users u join schools s on s.id = u.school_id
      where u.id = any($1::text[]) and s.community_id = $2 and u.role in ('teacher', 'school_admin', 'researcher')`,
    [[mentorId, menteeId], communityId],
  );
  const kindOf = new Map(rows.map((r) => [r.id, r.kind]));
  if (kindOf.get(mentorId) !== 'city') throw new AppError('BAD_REQUEST', 'the mentor teaches in a city school of this community');
  if (kindOf.get(menteeId) !== 'rural') throw new AppError('BAD_REQUEST', 'the mentee teaches in a rural school of this community');
}

export async function createMentorPair(db: Queryable, communityId: string, createdBy: string, b: MentorPairBody): Promise<MentorPair> {
  await assertPairable(db, communityId, b.mentorId, b.menteeId);
  const id = randomUUID();
  await db.query(
    `insert into mentor_pairs (id, community_id, mentor_id, mentee_id, subject, starts_on, ends_on, goals, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [id, communityId, b.mentorId, b.menteeId, b.subject, b.startsOn, b.endsOn, b.goals, createdBy],
  );
  return (await getMentorPair(db, id))!;
}

export async function updateMentorPair(db: Queryable, pair: MentorPair, p: MentorPairPatch): Promise<MentorPair> {
  const startsOn = p.startsOn ?? pair.startsOn;
  const endsOn = p.endsOn ?? pair.endsOn;
  if (endsOn < startsOn) throw new AppError('BAD_REQUEST', 'a pair ends on or after its start');
  if (pair.endedOn && (pair.endedOn < startsOn || pair.endedOn > endsOn)) throw new AppError('BAD_REQUEST', `the pair was ended on ${pair.endedOn}: its period must include that day`);
  await db.query(
    `update mentor_pairs set subject = coalesce($2, subject), starts_on = $3, ends_on = $4, goals = coalesce($5, goals) where id = $1`,
    [pair.id, p.subject ?? null, startsOn, endsOn, p.goals ?? null],
  );
  return (await getMentorPair(db, pair.id))!;
}

/** Ends the pair on `endedOn` (within its period): activities after it no longer count. */
export async function endMentorPair(db: Queryable, pair: MentorPair, endedOn: string): Promise<MentorPair> {
  if (endedOn < pair.startsOn) throw new AppError('BAD_REQUEST', 'a pair ends on or after its start');
  if (endedOn > pair.endsOn) throw new AppError('BAD_REQUEST', 'a pair is ended on or before its planned end (change the end date to extend it)');
  await db.query('update mentor_pairs set ended_on = $2 where id = $1', [pair.id, endedOn]);
  return (await getMentorPair(db, pair.id))!;
}
