// The people directory behind the research-group member picker (/api/research/people): only
// whom the caller's role can work with, never device accounts, never login names (a list of
// usernames is half of a password-spraying attack).
//   classroom (a projector PC)      → FORBIDDEN: it creates no groups and mentions nobody
//   bureau_reviewer                 → FORBIDDEN: they belong to no community
//   community_admin, researcher     → every staff account of the community (教研 spans its schools)
//   teacher, school_admin           → staff of their own school and of the schools paired with it,
//                                     plus the community's researchers and admins
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { listStaff } from '../community/repo.js';
import type { Person } from '../contract/research.js';

export async function peopleFor(db: Queryable, user: PublicUser): Promise<Person[]> {
  if (user.role === 'classroom') throw new AppError('FORBIDDEN', 'classroom devices have no people directory');
  if (user.role === 'bureau_reviewer') throw new AppError('FORBIDDEN', "a bureau reviewer has no community's people directory");
  const communityWide = user.role === 'community_admin' || user.role === 'researcher';
  return listStaff(db, { userId: user.id, communityWide, schoolId: user.schoolId });
}
