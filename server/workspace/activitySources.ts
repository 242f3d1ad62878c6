// Where a pairing's counted activities come from (issue 12). Each source loads the activities of
// many pairings at once — a fixed number of queries whatever their number, never a query per
// pairing — and says for each whether it counts and, when not, why. The progress service takes
// a list of sources: synchronous lessons, research sessions, offline activities and mentoring.
//
// Two ways to ask: `load` gives every activity with its verdict (a pairing's page lists them);
// `countedGroups` gives only the counted ones, grouped in SQL so that each group evaluates like
// its members one by one (a community's or a bureau's dashboard over tens of thousands).
import type { Queryable } from '../db/db.js';
import type { ActivityKind } from '../contract/workspace/targets.js';
import { schoolDayOf } from '../contract/time.js';
import type { ProgressActivity } from '../contract/workspace/progress.js';
import type { PairingSchools } from './activitiesRepo.js';
import { countedResearchGroups, researchSessionsOfPairings } from './researchActivitiesRepo.js';
import { countedOfflineGroups, offlineActivitiesOfPairings } from './offlineSourceRepo.js';
import { mentoringOfPairings } from './mentoringSourceRepo.js';
import { countedSyncGroups, judgeEndedLessons, judgeQueuedLessons, liveSyncVerdicts, storedSyncVerdicts, type CountedGroup } from './syncLessonsRepo.js';

export type SourcedActivity = ProgressActivity & { pairingId: string };
export type SourcedGroup = CountedGroup & { kind: ActivityKind };

export interface ActivitySource {
  name: string;
  /** The pairings' activities on the Shanghai days [from, to], counted or not. */
  load(db: Queryable, pairings: readonly PairingSchools[], from: string, to: string, nowMs: number): Promise<SourcedActivity[]>;
  /**
   * Only the counted activities, grouped by pairing, kind, month, subject, teachers and the span
   * between consecutive `breakpoints` (sorted days). A source without it is asked `load`.
   */
  countedGroups?(db: Queryable, pairings: readonly PairingSchools[], from: string, to: string, nowMs: number, breakpoints: readonly string[]): Promise<SourcedGroup[]>;
}

/**
 * The share of a lesson's planned length both schools must be connected together for it to
 * count. The bureau's setting once bureaus have settings; until then the demo's 60%.
 */
export const SYNC_LESSON_MIN_SHARE = 0.6;

export const syncLessonSource: ActivitySource = {
  name: 'sync_lessons',
  async load(db, pairings, from, to, nowMs) {
    await judgeEndedLessons(db, pairings, from, to, SYNC_LESSON_MIN_SHARE);
    const stored = await storedSyncVerdicts(
      db,
      pairings.map((p) => p.pairingId),
      from,
      to,
      SYNC_LESSON_MIN_SHARE,
    );
    const live = await liveSyncVerdicts(db, pairings, from, to, SYNC_LESSON_MIN_SHARE, nowMs);
    return [
      ...stored.map((v) => ({
        pairingId: v.pairingId,
        id: v.lessonId,
        kind: 'sync_lesson' as const,
        day: v.day,
        title: v.title,
        subject: v.subject,
        teacherIds: [v.teacherId],
        counts: v.counts,
        reason: v.counts ? null : ('attendance' as const),
        attendance: { jointMin: v.jointMin, neededMin: v.neededMin },
      })),
      ...live.map(({ pairingId, lesson, attendance, activity }) => ({
        pairingId,
        id: lesson.lessonId,
        kind: 'sync_lesson' as const,
        day: activity?.day ?? liveDay(lesson.startedAt),
        title: lesson.title,
        subject: lesson.subject,
        teacherIds: [lesson.teacherId],
        counts: attendance.counts,
        reason: attendance.counts ? null : ('attendance' as const),
        attendance: { jointMin: attendance.jointMin, neededMin: attendance.neededMin },
      })),
    ];
  },
  async countedGroups(db, pairings, from, to, nowMs, breakpoints) {
    await judgeQueuedLessons(db, SYNC_LESSON_MIN_SHARE);
    const groups = await countedSyncGroups(
      db,
      pairings.map((p) => p.pairingId),
      from,
      to,
      SYNC_LESSON_MIN_SHARE,
      breakpoints,
    );
    const live = await liveSyncVerdicts(db, pairings, from, to, SYNC_LESSON_MIN_SHARE, nowMs);
    return [
      ...groups.map((g) => ({ ...g, kind: 'sync_lesson' as const })),
      ...live.flatMap(({ pairingId, activity }) =>
        activity ? [{ pairingId, kind: 'sync_lesson' as const, day: activity.day, subject: activity.subject ?? '', teacherIds: [...(activity.teacherIds ?? [])], n: 1 }] : [],
      ),
    ];
  },
};

/** A live lesson's Shanghai day. */
const liveDay = (startedAt: string) => schoolDayOf(new Date(startedAt)).day;

export const researchSessionSource: ActivitySource = {
  name: 'research_sessions',
  load: (db, pairings, from, to, nowMs) => researchSessionsOfPairings(db, pairings, from, to, nowMs),
  countedGroups: (db, pairings, from, to, nowMs, breakpoints) => countedResearchGroups(db, pairings, from, to, nowMs, breakpoints),
};

/** Offline activities the schools log, counted by the bureau's rule (submitted or accepted; accepted only when it says so). */
export const offlineActivitySource: ActivitySource = {
  name: 'offline_activities',
  load: (db, pairings, from, to) => offlineActivitiesOfPairings(db, pairings, from, to),
  countedGroups: (db, pairings, from, to, _nowMs, breakpoints) => countedOfflineGroups(db, pairings, from, to, breakpoints),
};

/** 师徒 activities derived from the records, counted for the pairing of the mentor's and the mentee's schools. */
export const mentoringSource: ActivitySource = {
  name: 'mentoring',
  load: (db, pairings, from, to) => mentoringOfPairings(db, pairings, from, to),
};

export const DEFAULT_ACTIVITY_SOURCES: readonly ActivitySource[] = [syncLessonSource, researchSessionSource, offlineActivitySource, mentoringSource];
