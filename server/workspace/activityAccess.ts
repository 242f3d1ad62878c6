// Who may read, change and check one offline activity, on top of the workspace's reach rules
// (reach.ts). Every activity route asks here before it reads a body or a file:
//
//   read    the activity's own school (admin, teachers), the community admin and researchers,
//           the bureau's reviewers (never a school's drafts: those are not theirs to see yet)
//   change  the school's own staff and the community admin (assertCanEditSchoolWork), while the
//           activity is a draft or was returned; never a reviewer
//   check   the reviewers of the community's bureau (assertCanReview), once it is submitted
//
// Outside the user's organisation the answer is NOT_FOUND, inside it but beyond the role FORBIDDEN.
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { EDITABLE_STATUSES, type WorkspaceActivity } from '../contract/workspace/activities.js';
import { assertCanEditSchoolWork, assertCanReview, communityIdsOf, reachOf, type Reach } from './reach.js';
import { getActivity } from './offlineActivitiesRepo.js';

export async function assertCanReadActivity(db: Queryable, user: PublicUser, activityId: string): Promise<{ reach: Reach; activity: WorkspaceActivity }> {
  const reach = await reachOf(db, user);
  const activity = await getActivity(db, activityId);
  if (!activity || !communityIdsOf(reach).includes(activity.communityId)) throw new AppError('NOT_FOUND', 'activity not found');
  if (reach.kind === 'bureau' && activity.status === 'draft') throw new AppError('NOT_FOUND', 'activity not found');
  if (reach.kind === 'school' && reach.schoolId !== activity.schoolId) throw new AppError('FORBIDDEN', "a school sees its own activities only");
  return { reach, activity };
}

/** The activity, if this user may change it now (the caller re-checks the state inside its transaction). */
export async function assertCanChangeActivity(db: Queryable, user: PublicUser, activityId: string): Promise<WorkspaceActivity> {
  const reach = await reachOf(db, user);
  const activity = await getActivity(db, activityId);
  if (!activity || !communityIdsOf(reach).includes(activity.communityId)) throw new AppError('NOT_FOUND', 'activity not found');
  if (reach.kind === 'bureau' && activity.status === 'draft') throw new AppError('NOT_FOUND', 'activity not found');
  await assertCanEditSchoolWork(db, user, activity.schoolId);
  assertEditable(activity);
  return activity;
}

export function assertEditable(activity: WorkspaceActivity): void {
  if (!EDITABLE_STATUSES.includes(activity.status)) {
    throw new AppError('CONFLICT', activity.status === 'accepted' ? 'an accepted activity is final' : 'the activity is waiting for the bureau’s check; it can be changed if it is returned');
  }
}

/** A reviewer's activity: submitted and in one of their bureau's communities. */
export async function assertCanReviewActivity(db: Queryable, user: PublicUser, activityId: string): Promise<WorkspaceActivity> {
  const activity = await getActivity(db, activityId);
  const reach = await reachOf(db, user);
  if (!activity || !communityIdsOf(reach).includes(activity.communityId)) throw new AppError('NOT_FOUND', 'activity not found');
  await assertCanReview(db, user, activity.communityId);
  if (activity.status === 'draft') throw new AppError('NOT_FOUND', 'activity not found');
  return activity;
}
