// Who may read and edit a school's timetable, see a pairing's 大课表, schedule from it, and
// manage iCalendar feeds. Another community's ids answer NOT_FOUND, as elsewhere.
import type { Queryable } from '../db/db.js';
import type { Pairing, PublicUser, School } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { communityIdOf, getUser } from '../auth/users.js';
import { getClassroom, getPairing, getSchool } from '../community/repo.js';

async function schoolInCommunity(db: Queryable, user: PublicUser, schoolId: string): Promise<School> {
  const school = await getSchool(db, schoolId);
  if (!school || school.communityId !== (await communityIdOf(db, user.id))) throw new AppError('NOT_FOUND', 'school not found');
  return school;
}

/** Everyone of the community reads timetables, except classroom devices (they only show lessons). */
export async function assertCanReadSchool(db: Queryable, user: PublicUser, schoolId: string): Promise<School> {
  const school = await schoolInCommunity(db, user, schoolId);
  if (user.role === 'classroom') throw new AppError('FORBIDDEN', 'classroom devices do not read timetables');
  return school;
}

/** Its own school admin, or the community admin. */
export async function assertCanEditSchool(db: Queryable, user: PublicUser, schoolId: string): Promise<School> {
  const school = await schoolInCommunity(db, user, schoolId);
  if (user.role === 'community_admin') return school;
  if (user.role === 'school_admin' && user.schoolId === school.id) return school;
  throw new AppError('FORBIDDEN', "only this school's admin can edit its timetable");
}

export async function getPairingFor(db: Queryable, user: PublicUser, pairingId: string): Promise<Pairing> {
  const pairing = await getPairing(db, pairingId);
  if (!pairing || pairing.communityId !== (await communityIdOf(db, user.id))) throw new AppError('NOT_FOUND', 'pairing not found');
  if (user.role === 'classroom') throw new AppError('FORBIDDEN', 'classroom devices do not read timetables');
  if ((user.role === 'teacher' || user.role === 'school_admin') && user.schoolId !== pairing.citySchoolId && user.schoolId !== pairing.ruralSchoolId) {
    throw new AppError('FORBIDDEN', 'only the two paired schools see their shared timetable');
  }
  return pairing;
}

/** The city class's own teacher, the city school's admin, or the community admin. */
export function assertCanSchedule(user: PublicUser, pairing: Pairing, cityTeacherId: string | null): void {
  if (user.role === 'community_admin') return;
  if (user.role === 'school_admin' && user.schoolId === pairing.citySchoolId) return;
  if (user.role === 'teacher' && user.id === cityTeacherId) return;
  throw new AppError('FORBIDDEN', "only the city class's teacher or the city school's admin can schedule these lessons");
}

/** A teacher's feed: the teacher, or their school's admin. A classroom's: its school's admin or the community admin. */
export async function assertCanManageFeed(db: Queryable, user: PublicUser, kind: 'teacher' | 'classroom', id: string): Promise<{ name: string }> {
  const community = await communityIdOf(db, user.id);
  if (kind === 'teacher') {
    const teacher = await getUser(db, id);
    if (!teacher || teacher.role !== 'teacher' || (await communityIdOf(db, teacher.id)) !== community) throw new AppError('NOT_FOUND', 'teacher not found');
    if (user.id === teacher.id || user.role === 'community_admin' || (user.role === 'school_admin' && user.schoolId === teacher.schoolId)) {
      return { name: teacher.displayName };
    }
    throw new AppError('FORBIDDEN', "only the teacher or their school's admin can manage this feed");
  }
  const room = await getClassroom(db, id);
  const school = room ? await getSchool(db, room.schoolId) : null;
  if (!room || !school || school.communityId !== community) throw new AppError('NOT_FOUND', 'classroom not found');
  if (user.role === 'community_admin' || (user.role === 'school_admin' && user.schoolId === school.id)) return { name: `${school.name} ${room.name}` };
  throw new AppError('FORBIDDEN', "only this school's admin can manage a classroom's feed");
}
