// Who may administer a classroom (issue its device codes).
import type { Queryable } from '../db/db.js';
import type { Classroom, PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { communityIdOf } from '../auth/users.js';
import { getClassroom, getSchool } from './repo.js';

/**
 * The school admin of the classroom's school, or the admin of its community.
 * Another community's classroom is NOT_FOUND: its existence is not ours to confirm.
 */
export async function assertCanManageClassroom(db: Queryable, user: PublicUser, classroomId: string): Promise<Classroom> {
  const classroom = await getClassroom(db, classroomId);
  const school = classroom ? await getSchool(db, classroom.schoolId) : null;
  if (!classroom || !school || school.communityId !== (await communityIdOf(db, user.id))) {
    throw new AppError('NOT_FOUND', 'classroom not found');
  }
  if (user.role === 'community_admin') return classroom;
  if (user.role === 'school_admin' && user.schoolId === school.id) return classroom;
  throw new AppError('FORBIDDEN', "only this school's admin or the community admin can set up its classroom devices");
}
