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

/** Who may retry a failed job: the lesson's teacher and the community's admins. */
export async function canManageRecording(db: Queryable, user: PublicUser, lesson: Lesson): Promise<boolean> {
  if (user.id === lesson.teacherId) return true;
  if (user.role !== 'community_admin' && user.role !== 'school_admin') return false;
  if ((await communityIdOf(db, user.id)) !== lesson.communityId) return false;
  if (user.role === 'community_admin') return true;
  return (await lessonRoleFor(db, user, lesson)) === 'observer';
}
