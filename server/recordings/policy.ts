// Who may watch a lesson's recording, by its visibility scope. Asked on every file request.
//   participants: the lesson's teacher; teachers and admins of the schools whose classrooms took
//                 part; the community's researchers and admins (the observers allowed in live).
//   pairing:      and every teacher/admin of a school paired with the host school or with a
//                 receiving classroom's school.
//   community:    and every teacher, admin and researcher of the community.
// Classroom devices (projectors) never get recordings: pupils are minors.
import type { Queryable } from '../db/db.js';
import type { Lesson, PublicUser } from '../contract/domain.js';
import type { RecordingVisibility } from '../contract/recordings.js';
import { communityIdOf } from '../auth/users.js';
import { lessonRoleFor } from '../lessons/policy.js';

export async function canViewRecording(db: Queryable, user: PublicUser, lesson: Lesson, visibility: RecordingVisibility): Promise<boolean> {
  if (user.role === 'classroom') return false;
  if (user.id === lesson.teacherId) return true;
  if ((await communityIdOf(db, user.id)) !== lesson.communityId) return false;
  if (visibility === 'community') return true;
  if ((await lessonRoleFor(db, user, lesson)) === 'observer') return true;
  if (visibility !== 'pairing' || !user.schoolId) return false;
  const rows = await db.query(
    `with lesson_schools as (
       select c.school_id from classrooms c
        where c.id = $2 or c.id in (select classroom_id from lesson_classrooms where lesson_id = $1))
     select 1 from pairings p
      where (p.city_school_id = $3 and p.rural_school_id in (select school_id from lesson_schools))
         or (p.rural_school_id = $3 and p.city_school_id in (select school_id from lesson_schools))
      limit 1`,
    [lesson.id, lesson.hostClassroomId, user.schoolId],
  );
  return rows.length > 0;
}

/**
 * Of `lessonIds`, those whose recording `user` may watch — canViewRecording's rules in one
 * query, so following N recordings costs one database round trip, not 3N.
 */
export async function visibleRecordingIds(db: Queryable, user: PublicUser, lessonIds: readonly string[]): Promise<string[]> {
  if (user.role === 'classroom' || lessonIds.length === 0) return [];
  // Observer by role (researcher, community admin) or by school (a classroom of the lesson is the user's school's).
  const observerByRole = user.role === 'researcher' || user.role === 'community_admin';
  const bySchool = (user.role === 'teacher' || user.role === 'school_admin') && user.schoolId ? user.schoolId : null;
  const rows = await db.query<{ lesson_id: string }>(
    `with wanted as (
       select r.lesson_id, r.visibility, l.teacher_id, l.community_id, l.host_classroom_id
         from recordings r join lessons l on l.id = r.lesson_id
        where r.lesson_id = any($2::text[])),
     schools as (
       select w.lesson_id, c.school_id from wanted w
         join classrooms c on c.id = w.host_classroom_id
                           or c.id in (select classroom_id from lesson_classrooms lc where lc.lesson_id = w.lesson_id))
     select w.lesson_id from wanted w
      where w.teacher_id = $1
         or (w.community_id = (select community_id from users where id = $1)
             and (w.visibility = 'community'
                  or $3::boolean
                  or exists (select 1 from schools s where s.lesson_id = w.lesson_id and s.school_id = $4)
                  or (w.visibility = 'pairing' and exists (
                        select 1 from pairings p join schools s on s.lesson_id = w.lesson_id
                         where (p.city_school_id = $4 and p.rural_school_id = s.school_id)
                            or (p.rural_school_id = $4 and p.city_school_id = s.school_id)))))`,
    [user.id, [...new Set(lessonIds)], observerByRole, bySchool],
  );
  return rows.map((r) => String(r.lesson_id));
}

/** Who may retry a failed job: the lesson's teacher and the community's admins. */
export async function canManageRecording(db: Queryable, user: PublicUser, lesson: Lesson): Promise<boolean> {
  if (user.id === lesson.teacherId) return true;
  if (user.role !== 'community_admin' && user.role !== 'school_admin') return false;
  if ((await communityIdOf(db, user.id)) !== lesson.communityId) return false;
  if (user.role === 'community_admin') return true;
  return (await lessonRoleFor(db, user, lesson)) === 'observer';
}
