// Who may do what in teaching research. Reading a lesson's research material (annotations,
// analysis, scores, reports) follows the lesson's own roles (its teacher; researchers, admins and
// teachers of the schools involved in the same community), the recording's visibility scope
// (server/recordings/policy.ts), plus members of a research group that holds a session on the lesson — groups span schools, so that is how a teacher of another
// school gets to review it. Classroom devices are rooms, not reviewers.
import type { Queryable } from '../db/db.js';
import type { Lesson, PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { communityIdOf, getUser } from '../auth/users.js';
import { lessonRoleFor } from '../lessons/policy.js';
import { getLesson } from '../lessons/repo.js';
import { getRecording } from '../recordings/repo.js';
import { inSessionOnLesson } from './groupsRepo.js';
import { canViewRecording } from '../recordings/policy.js';

export async function lessonForResearch(db: Queryable, user: PublicUser, lessonId: string): Promise<Lesson> {
  if (user.role === 'classroom') throw new AppError('FORBIDDEN', 'classroom devices cannot review lessons');
  const lesson = await getLesson(db, lessonId);
  // Not yours and not there look the same from outside.
  if (!lesson) throw new AppError('NOT_FOUND', 'lesson not found');
  if (await lessonRoleFor(db, user, lesson)) return lesson;
  // Whoever may watch the recording (its visibility scope: pairing, community) may review it.
  const rec = await getRecording(db, lessonId);
  if (rec && (await canViewRecording(db, user, lesson, rec.visibility))) return lesson;
  if (!(await inSessionOnLesson(db, lessonId, user.id))) throw new AppError('NOT_FOUND', 'lesson not found');
  return lesson;
}

/** Correcting the automatic coding is the researchers' call (community admins too). */
export function requireResearcher(user: PublicUser): void {
  if (user.role !== 'researcher' && user.role !== 'community_admin') {
    throw new AppError('FORBIDDEN', 'only researchers may correct the automatic coding');
  }
}

/** Groups are created by researchers, admins and teachers of the community. */
export function requireGroupCreator(user: PublicUser): void {
  if (user.role === 'classroom') throw new AppError('FORBIDDEN', 'classroom devices cannot create research groups');
  // A reviewer belongs to the bureau, not to a community whose groups these are.
  if (user.role === 'bureau_reviewer') throw new AppError('FORBIDDEN', 'bureau reviewers do not run research groups');
}

export async function requireSameCommunity(db: Queryable, user: PublicUser, otherUserId: string): Promise<void> {
  const [a, b] = await Promise.all([communityIdOf(db, user.id), communityIdOf(db, otherUserId)]);
  const other = await getUser(db, otherUserId);
  if (!a || a !== b || !other) throw new AppError('NOT_FOUND', `no such user: ${otherUserId}`);
  if (other.role === 'classroom') throw new AppError('BAD_REQUEST', 'classroom devices cannot be group members');
}
