// What the report takes from the other workspace slices, as inputs: stored targets (the targets
// slice), offline activities with their evidence and 核验 (the evidence slice), mentor pairs, and
// the bureau's attendance share. Each takes all the report's pairings at once, so a community's
// report costs each source one query. Today's implementation reads what exists: no stored
// targets, no offline activities, no mentor pairs; the synchronous lessons come from the lessons
// themselves (participationRepo.ts) whatever the sources say.
import type { Readable } from 'node:stream';
import { AppError } from '../../contract/errors.js';
import type { CountedActivity, Target } from '../../contract/workspace/targets.js';
import type { ReportActivity, ReportMentorPair } from '../../contract/workspace/report.js';

/** An activity recorded by a school, with what counts toward the targets (null: not counted, e.g. not yet accepted). */
export interface SourceActivity {
  activity: ReportActivity;
  counted: CountedActivity | null;
}

export interface ReportSources {
  pairingTargets(pairingIds: readonly string[], year: number): Promise<Map<string, Target[]>>;
  communityTargets(communityId: string, year: number): Promise<Target[]>;
  offlineActivities(pairingIds: readonly string[], year: number): Promise<Map<string, SourceActivity[]>>;
  mentorPairs(pairingIds: readonly string[], year: number): Promise<Map<string, ReportMentorPair[]>>;
  /** Counted activities the report does not list itself (research sessions, 师徒 activities), so its targets read as the dashboards'. */
  otherCounted(pairingIds: readonly string[], year: number): Promise<Map<string, CountedActivity[]>>;
  /** The share of a lesson's planned length both schools must be connected for it to count. */
  attendanceShare(communityId: string): Promise<number>;
  /** An evidence file's bytes for the evidence pack. */
  openEvidence(fileId: string): Promise<Readable | Buffer>;
}

export const DEFAULT_ATTENDANCE_SHARE = 0.6;

export const emptySources: ReportSources = {
  pairingTargets: async () => new Map(),
  communityTargets: async () => [],
  offlineActivities: async () => new Map(),
  mentorPairs: async () => new Map(),
  otherCounted: async () => new Map(),
  attendanceShare: async () => DEFAULT_ATTENDANCE_SHARE,
  openEvidence: async () => {
    throw new AppError('NOT_FOUND', 'evidence file not found');
  },
};
