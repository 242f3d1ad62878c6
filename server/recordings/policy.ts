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
import { schoolPairedWithLesson } from '../community/repo.js';
import { listVisibleRecordingIds } from './processingRepo.js';
import { lessonRoleFor } from '../lessons/policy.js';

export async function canViewRecording(db: Queryable, user: PublicUser, lesson: Lesson, visibility: RecordingVisibility): Promise<boolean> {
  if (user.role === 'classroom') return false;
  if (user.id === lesson.teacherId) return true;
  if ((await communityIdOf(db, user.id)) !== lesson.communityId) return false;
  if (visibility === 'community') return true;
  if ((await lessonRoleFor(db, user, lesson)) === 'observer') return true;
  if (visibility !== 'pairing' || !user.schoolId) return false;
  return schoolPairedWithLesson(db, lesson, user.schoolId);
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
  return listVisibleRecordingIds(db, { userId: user.id, lessonIds: [...new Set(lessonIds)], observerByRole, bySchool });
}

/** Who may retry a failed job: the lesson's teacher and the community's admins. */
export async function canManageRecording(db: Queryable, user: PublicUser, lesson: Lesson): Promise<boolean> {
  if (user.id === lesson.teacherId) return true;
  if (user.role !== 'community_admin' && user.role !== 'school_admin') return false;
  if ((await communityIdOf(db, user.id)) !== lesson.communityId) return false;
  if (user.role === 'community_admin') return true;
  return (await lessonRoleFor(db, user, lesson)) === 'observer';
}
