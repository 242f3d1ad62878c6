// Who reaches a mentor pair (the workspace's reach rules, server/workspace/reach.ts, applied to
// a pair): the community's admin (edits) and researchers, the bureau's reviewers (read), the
// admins of the mentor's and the mentee's schools, and the two teachers themselves. Outside the
// user's organisation NOT_FOUND; inside it but not one of those, FORBIDDEN.
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import type { MentorPair } from '../contract/workspace/mentors.js';
import { communityIdsOf, reachOf, type Reach } from './reach.js';
import { getMentorPair } from './mentorRepo.js';

export function readsPair(reach: Reach, user: PublicUser, pair: MentorPair): boolean {
  if (!communityIdsOf(reach).includes(pair.communityId)) return false;
  if (reach.kind !== 'school') return true;
  if (user.id === pair.mentor.id || user.id === pair.mentee.id) return true;
  return user.role === 'school_admin' && (reach.schoolId === pair.mentor.schoolId || reach.schoolId === pair.mentee.schoolId);
}

export async function assertCanReadMentorPair(db: Queryable, user: PublicUser, pairId: string): Promise<{ reach: Reach; pair: MentorPair; canManage: boolean }> {
  const reach = await reachOf(db, user);
  const pair = await getMentorPair(db, pairId);
  if (!pair || !communityIdsOf(reach).includes(pair.communityId)) throw new AppError('NOT_FOUND', 'mentor pair not found');
  if (!readsPair(reach, user, pair)) throw new AppError('FORBIDDEN', "only the pair's teachers, their schools' admins and the community see this pair");
  return { reach, pair, canManage: reach.kind === 'community' && reach.edit };
}
