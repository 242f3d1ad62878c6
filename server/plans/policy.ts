// Who may do what with a plan. Teachers of the plan's schools edit; researchers of the
// community read and comment; anyone else gets NOT_FOUND (a plan's existence is not theirs to learn).
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import type { PlanAccess, PlanSummary } from '../contract/planEvents.js';
import { AppError } from '../contract/errors.js';
import { communityIdOf } from '../auth/users.js';
import { getPlan, planSchoolIds } from './repo.js';

export async function planAccessFor(db: Queryable, user: PublicUser, plan: PlanSummary): Promise<PlanAccess | null> {
  if ((await communityIdOf(db, user.id)) !== plan.communityId) return null;
  if (user.role === 'researcher') return 'comment';
  if (user.role === 'teacher' && user.schoolId && (await planSchoolIds(db, plan)).includes(user.schoolId)) return 'edit';
  return null;
}

/** The plan and the user's access, at least `need`; throws NOT_FOUND / FORBIDDEN. */
export async function requirePlan(
  db: Queryable,
  user: PublicUser,
  planId: string,
  need: PlanAccess,
): Promise<{ plan: PlanSummary; access: PlanAccess }> {
  const plan = await getPlan(db, planId);
  const access = plan ? await planAccessFor(db, user, plan) : null;
  if (!plan || !access) throw new AppError('NOT_FOUND', 'plan not found');
  if (need === 'edit' && access !== 'edit') throw new AppError('FORBIDDEN', 'only teachers of the paired schools can edit this plan');
  return { plan, access };
}
