// Who reaches what in the 教共体 workspace: every workspace route asks here before it reads
// anything else (the role × organisation matrix is tests/integration/workspace-reach.test.ts).
//
//   bureau_reviewer  every community of their bureau: read, 核验, the bureau's templates; edits no community data
//   community_admin  their community: read and edit all of it (targets, pairings, activities)
//   researcher       their community: read
//   school_admin     pairings of their school: read; their school's activities: edit
//   teacher          pairings of their school: read; their school's activities: edit (their own contribution)
//   classroom        nothing: projector devices have no workspace
//
// Outside the user's organisation the answer is NOT_FOUND (another community's pairing is not
// ours to confirm); inside it but beyond the role, FORBIDDEN.
import type { Queryable } from '../db/db.js';
import type { Pairing, PublicUser, School } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { getPairing, getSchool } from '../community/repo.js';
import { bureauCommunityIds, organisationOf } from './orgRepo.js';
import { lessonPlace } from './lessonEvidenceRepo.js';

export type Reach =
  | { kind: 'bureau'; bureauId: string; communityIds: string[] }
  | { kind: 'community'; communityId: string; edit: boolean }
  | { kind: 'school'; communityId: string; schoolId: string };

export async function reachOf(db: Queryable, user: PublicUser): Promise<Reach> {
  if (user.role === 'classroom') throw new AppError('FORBIDDEN', 'classroom devices have no workspace');
  const org = await organisationOf(db, user.id);
  if (!org) throw new AppError('UNAUTHENTICATED', 'please sign in');
  if (user.role === 'bureau_reviewer') {
    if (!org.bureauId) throw new AppError('FORBIDDEN', 'this reviewer belongs to no bureau');
    return { kind: 'bureau', bureauId: org.bureauId, communityIds: await bureauCommunityIds(db, org.bureauId) };
  }
  if (!org.communityId) throw new AppError('FORBIDDEN', 'this account belongs to no community');
  if (user.role === 'community_admin' || user.role === 'researcher') {
    return { kind: 'community', communityId: org.communityId, edit: user.role === 'community_admin' };
  }
  if (!user.schoolId) throw new AppError('FORBIDDEN', 'this account belongs to no school');
  return { kind: 'school', communityId: org.communityId, schoolId: user.schoolId };
}

/** The communities the user reads in the workspace (a school's staff: their own, for its pairings). */
export function communityIdsOf(reach: Reach): string[] {
  return reach.kind === 'bureau' ? reach.communityIds : [reach.communityId];
}

function inReach(reach: Reach, communityId: string): boolean {
  return communityIdsOf(reach).includes(communityId);
}

/** The whole community's workspace (its dashboard, report): its admin and researchers, the bureau's reviewers. */
export async function assertCanReadCommunity(db: Queryable, user: PublicUser, communityId: string): Promise<Reach> {
  const reach = await reachOf(db, user);
  if (!inReach(reach, communityId)) throw new AppError('NOT_FOUND', 'community not found');
  if (reach.kind === 'school') throw new AppError('FORBIDDEN', "a school's staff see their own pairings, not the whole community");
  return reach;
}

/** One pairing's workspace: also the staff of its two schools. */
export async function assertCanReadPairing(db: Queryable, user: PublicUser, pairingId: string): Promise<{ reach: Reach; pairing: Pairing }> {
  const reach = await reachOf(db, user);
  const pairing = await getPairing(db, pairingId);
  if (!pairing || !inReach(reach, pairing.communityId)) throw new AppError('NOT_FOUND', 'pairing not found');
  if (reach.kind === 'school' && reach.schoolId !== pairing.citySchoolId && reach.schoolId !== pairing.ruralSchoolId) {
    throw new AppError('FORBIDDEN', "only the pairing's own schools see its work");
  }
  return { reach, pairing };
}

/** The community's plan, targets, pairings' rounds and leaders: its admin only. */
export async function assertCanManageCommunity(db: Queryable, user: PublicUser, communityId: string): Promise<void> {
  const reach = await reachOf(db, user);
  if (!inReach(reach, communityId)) throw new AppError('NOT_FOUND', 'community not found');
  if (reach.kind !== 'community' || !reach.edit) throw new AppError('FORBIDDEN', "only the community's admin changes its plan");
}

/** A school's own activities and evidence: its admin and teachers, and the community admin; never a reviewer. */
export async function assertCanEditSchoolWork(db: Queryable, user: PublicUser, schoolId: string): Promise<School> {
  const reach = await reachOf(db, user);
  const school = await getSchool(db, schoolId);
  if (!school || !inReach(reach, school.communityId)) throw new AppError('NOT_FOUND', 'school not found');
  if (reach.kind === 'community' && reach.edit) return school;
  if (reach.kind === 'school' && reach.schoolId === school.id) return school;
  throw new AppError('FORBIDDEN', reach.kind === 'bureau' ? 'reviewers check activities; the school records them' : "only the school's own staff record its activities");
}

/** 核验: the reviewers of the community's bureau, no one else. */
export async function assertCanReview(db: Queryable, user: PublicUser, communityId: string): Promise<{ bureauId: string }> {
  const reach = await reachOf(db, user);
  if (!inReach(reach, communityId)) throw new AppError('NOT_FOUND', 'community not found');
  if (reach.kind !== 'bureau') throw new AppError('FORBIDDEN', "only the bureau's reviewers check activities");
  return { bureauId: reach.bureauId };
}

/** The bureau's own settings (templates): its reviewers. */
export async function assertBureauReviewer(db: Queryable, user: PublicUser, bureauId: string): Promise<void> {
  const reach = await reachOf(db, user);
  if (reach.kind !== 'bureau' || reach.bureauId !== bureauId) throw new AppError('NOT_FOUND', 'bureau not found');
}

/** A held lesson as evidence: its community's admin, researchers and reviewers; staff of the schools that took part. */
export async function assertCanReadLessonEvidence(db: Queryable, user: PublicUser, lessonId: string): Promise<Reach> {
  const reach = await reachOf(db, user);
  const place = await lessonPlace(db, lessonId, reach.kind === 'school' ? reach.schoolId : null);
  if (!place || !inReach(reach, place.communityId)) throw new AppError('NOT_FOUND', 'lesson not found');
  if (reach.kind === 'school' && !place.schoolTakesPart) throw new AppError('FORBIDDEN', "only the lesson's own schools see its evidence");
  return reach;
}
