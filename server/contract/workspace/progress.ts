// Progress as the 教共体 dashboards show it (issue 12): each target of a pairing evaluated over
// the activities that counted, the evidence behind the counts (each lesson's verdict with its
// attendance figures, each research session and why it did or did not count), and the same
// rolled up per community and per bureau. Evaluation is the contract's evaluateTarget.
import { z } from 'zod';
import type { ActivityKind, Target, TargetEvaluation } from './targets.js';
import type { PlanSource } from './plan.js';
import { yearSchema } from './plan.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const optionalText = z.string().trim().max(40).optional();

/** `asOf`: evaluate as the day stood (a report of 30 June); default today (Shanghai). */
export const pairingProgressQuery = z.object({ year: yearSchema.optional(), subject: optionalText, asOf: day.optional() }).strict();
export const communityProgressQuery = z
  .object({ year: yearSchema.optional(), subject: optionalText, schoolId: z.string().min(1).max(64).optional(), asOf: day.optional() })
  .strict();
export const bureauProgressQuery = z.object({ year: yearSchema.optional(), asOf: day.optional() }).strict();

export interface TargetProgress {
  target: Target;
  evaluation: TargetEvaluation;
}

/**
 * Why an activity does not count: a lesson whose two schools were not connected together long
 * enough; a session not held yet, with nothing recorded, or whose group lacks one of the schools.
 */
export const NOT_COUNTED_REASONS = ['attendance', 'not_held', 'not_recorded', 'no_city_member', 'no_rural_member', 'draft', 'returned', 'not_accepted'] as const;
export type NotCountedReason = (typeof NOT_COUNTED_REASONS)[number];

/** One activity as the dashboard lists it (what counted, or what did not and why). */
export interface ProgressActivity {
  id: string;
  kind: ActivityKind;
  day: string;
  title: string;
  subject: string;
  /** Who taught or led it. */
  teacherIds: string[];
  counts: boolean;
  /** Why it does not count (null when it does). */
  reason: NotCountedReason | null;
  /** Synchronous lessons: the attendance figures behind the verdict. */
  attendance?: { jointMin: number; neededMin: number };
}

/** A teacher's own share: the counted activities they taught or led. */
export interface Contribution {
  userId: string;
  byKind: Partial<Record<ActivityKind, number>>;
  /** Listed on a pairing's page; a community's counts them per kind only (empty here). */
  activities: ProgressActivity[];
}

export interface PairingRef {
  id: string;
  communityId: string;
  citySchool: { id: string; name: string };
  ruralSchool: { id: string; name: string };
}

export interface PairingProgress {
  pairing: PairingRef;
  year: number;
  asOf: string;
  source: PlanSource;
  targets: TargetProgress[];
  /** Counted activities per kind (after the subject filter). */
  counted: Partial<Record<ActivityKind, number>>;
}

export interface PairingProgressResponse extends PairingProgress {
  /** Every activity considered, counted or not, newest first. */
  activities: ProgressActivity[];
  /** Subjects seen this year (the filter's choices). */
  subjects: string[];
  /** The caller's own contribution (null for a reviewer). */
  mine: Contribution | null;
}

/** One target across the pairings that hold it (by target id). */
export interface TargetRollup {
  targetId: string;
  title: string;
  kinds: ActivityKind[];
  pairings: number;
  complete: number;
  /** Pairings whose projection reaches the threshold (the year still running). */
  onPace: number;
  /** Pairings with an overdue milestone. */
  overdue: number;
  count: number;
  threshold: number;
}

export interface CommunityProgressResponse {
  community: { id: string; name: string };
  year: number;
  asOf: string;
  pairings: PairingProgress[];
  rollup: TargetRollup[];
  subjects: string[];
  schools: { id: string; name: string }[];
  mine: Contribution | null;
}

export interface BureauProgressResponse {
  bureau: { id: string; name: string };
  year: number;
  asOf: string;
  communities: { id: string; name: string; pairings: number; rollup: TargetRollup[]; overduePairings: number; completePairings: number }[];
}
