// Who is what in a lesson, and who may schedule one. Both HTTP and the live-lesson socket ask here.
import type { Queryable } from '../db/db.js';
import type { Lesson, LessonRole, PublicUser } from '../contract/domain.js';
import type { CreateLessonBody } from '../contract/api.js';
import { AppError } from '../contract/errors.js';
import { communityIdOf } from '../auth/users.js';
import { getClassroom, pairedRuralClassroomIds, schoolTakesPart } from '../community/repo.js';

export async function lessonRoleFor(db: Queryable, user: PublicUser, lesson: Lesson): Promise<LessonRole | null> {
  if (user.id === lesson.teacherId) return 'teacher';
  // A device is a room: it joins only as itself, and the host room is the teacher's own
  // stream, so a host-classroom device gets nothing rather than a second copy of the class.
  if (user.role === 'classroom') {
    return user.classroomId && lesson.receivingClassroomIds.includes(user.classroomId) ? 'classroom' : null;
  }
  if ((await communityIdOf(db, user.id)) !== lesson.communityId) return null;
  if (user.role === 'researcher' || user.role === 'community_admin') return 'observer';
  if ((user.role === 'school_admin' || user.role === 'teacher') && user.schoolId) {
    return (await schoolTakesPart(db, lesson, user.schoolId)) ? 'observer' : null;
  }
  return null;
}

/**
 * Resolves when `user` may schedule this lesson; throws AppError FORBIDDEN saying why not.
 * Unknown classroom ids get the same answer as other schools' ones, so ids cannot be probed.
 */
export async function canCreateLesson(
  db: Queryable,
  user: PublicUser,
  body: Pick<CreateLessonBody, 'hostClassroomId' | 'receivingClassroomIds'>,
): Promise<void> {
  if (user.role !== 'teacher') throw new AppError('FORBIDDEN', 'only teachers can schedule lessons');
  const host = await getClassroom(db, body.hostClassroomId);
  if (!host || !user.schoolId || host.schoolId !== user.schoolId) {
    throw new AppError('FORBIDDEN', 'the host classroom must be a classroom of your own school');
  }
  const wanted = [...new Set(body.receivingClassroomIds)];
  if (!wanted.length) throw new AppError('BAD_REQUEST', 'choose at least one receiving classroom');
  const allowed = new Set(await pairedRuralClassroomIds(db, user.schoolId, wanted));
  const refused = wanted.filter((id) => !allowed.has(id));
  if (refused.length) {
    throw new AppError(
      'FORBIDDEN',
      `receiving classrooms must be in rural schools paired with your school (not allowed: ${refused.join(', ')})`,
    );
  }
}
