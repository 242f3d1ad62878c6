// Where a pairing's counted activities come from (issue 12). Each source loads the activities of
// many pairings at once — a fixed number of queries whatever their number, so a bureau's
// dashboard over hundreds of pairings is not a loop of per-pairing queries — and says for each
// whether it counts and, when not, why. The progress service takes a list of sources: offline
// activities (workspace_activities, another slice) plug in as one more.
import type { Queryable } from '../db/db.js';
import { schoolDayOf } from '../contract/time.js';
import type { ProgressActivity } from '../contract/workspace/progress.js';
import { countedSyncLessons, type PairingSchools } from './activitiesRepo.js';
import { researchSessionsOfPairings } from './researchActivitiesRepo.js';
import { syncLessonsOfPairings } from './syncLessonsRepo.js';

export type SourcedActivity = ProgressActivity & { pairingId: string };

export interface ActivitySource {
  name: string;
  /** The pairings' activities on the Shanghai days [from, to], counted or not. */
  load(db: Queryable, pairings: readonly PairingSchools[], from: string, to: string, nowMs: number): Promise<SourcedActivity[]>;
}

/**
 * The share of a lesson's planned length both schools must be connected together for it to
 * count. The bureau's setting once bureaus have settings; until then the demo's 60%.
 */
export const SYNC_LESSON_MIN_SHARE = 0.6;

export const syncLessonSource: ActivitySource = {
  name: 'sync_lessons',
  async load(db, pairings, from, to, nowMs) {
    const byPairing = await syncLessonsOfPairings(db, pairings, from, to);
    return pairings.flatMap((p) =>
      countedSyncLessons(p, byPairing.get(p.pairingId) ?? [], SYNC_LESSON_MIN_SHARE, nowMs).map(({ lesson, attendance, activity }) => ({
        pairingId: p.pairingId,
        id: lesson.lessonId,
        kind: 'sync_lesson' as const,
        day: activity?.day ?? schoolDayOf(new Date(lesson.startedAt)).day,
        title: lesson.title,
        subject: lesson.subject,
        teacherIds: [lesson.teacherId],
        counts: attendance.counts,
        reason: attendance.counts ? null : 'attendance',
        attendance: { jointMin: attendance.jointMin, neededMin: attendance.neededMin },
      })),
    );
  },
};

export const researchSessionSource: ActivitySource = {
  name: 'research_sessions',
  load: (db, pairings, from, to, nowMs) => researchSessionsOfPairings(db, pairings, from, to, nowMs),
};

/** The sources counted today; offline activities join this list when they exist. */
export const DEFAULT_ACTIVITY_SOURCES: readonly ActivitySource[] = [syncLessonSource, researchSessionSource];
