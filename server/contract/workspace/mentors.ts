// 师徒结对 (issue 12): a city mentor and a rural mentee, their mentoring activities (counted from
// what they did in Tongbu) and the mentee's growth record, as the workspace API returns them.
import { z } from 'zod';
import type { CountedActivity } from './targets.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const id = z.string().min(1).max(64);

/** Minutes of watching (live and recorded together) that make an observation count, unless the caller sets another. */
export const DEFAULT_MIN_WATCH_MIN = 20;
/** The replay page's heartbeat period, and the most one beat may claim. */
export const WATCH_BEAT_S = 30;
export const WATCH_BEAT_MAX_S = 60;

export interface MentorPairPerson {
  id: string;
  displayName: string;
  schoolId: string;
  schoolName: string;
}

export interface MentorPair {
  id: string;
  communityId: string;
  mentor: MentorPairPerson;
  mentee: MentorPairPerson;
  subject: string;
  startsOn: string;
  /** The planned end. */
  endsOn: string;
  /** Set when the pair was ended before its planned end; activities count up to it. */
  endedOn: string | null;
  goals: string;
}

/** What a mentoring activity was, so a report can show why it counted. */
export type MentoringEvidence =
  | { type: 'watch'; lessonId: string; lessonTitle: string; watcherId: string; minutes: number; liveMinutes: number; replayMinutes: number }
  | { type: 'notes'; lessonId: string; lessonTitle: string; authorId: string; notes: number }
  | { type: 'co_plan'; planId: string; planTitle: string; mentorEditDays: number; menteeEditDays: number };

export interface MentoringActivity extends CountedActivity {
  kind: 'mentoring';
  pairId: string;
  evidence: MentoringEvidence;
}

export interface MentorPairDetail {
  pair: MentorPair;
  activities: MentoringActivity[];
  minWatchMin: number;
  canManage: boolean;
}

/** One of the mentee's lessons in the growth record. */
export interface GrowthLesson {
  lessonId: string;
  title: string;
  subject: string;
  day: string;
  /** Inside the pair's period (lessons before it are the baseline). */
  inPeriod: boolean;
  /** S-T figures at 30 s sampling, with corrections; null when the lesson has no voice analysis. */
  st: { rt: number; ch: number; type: string | null } | null;
  /** Mean over criteria of the raters' mean scores; null when nobody scored it. */
  rubricMean: number | null;
  raters: number;
}

export interface GrowthRecord {
  pairId: string;
  menteeId: string;
  lessons: GrowthLesson[];
}

/** A community's staff the admin picks mentors (city) and mentees (rural) from. */
export interface MentorCandidate {
  id: string;
  displayName: string;
  role: string;
  schoolId: string;
  schoolName: string;
  schoolKind: 'city' | 'rural';
}

export const mentorPairBody = z
  .object({
    mentorId: id,
    menteeId: id,
    subject: z.string().trim().max(50).default(''),
    startsOn: day,
    endsOn: day,
    goals: z.string().trim().max(4000).default(''),
  })
  .strict()
  .refine((b) => b.endsOn >= b.startsOn, { message: 'a pair ends on or after its start', path: ['endsOn'] })
  .refine((b) => b.mentorId !== b.menteeId, { message: 'a mentor is not their own mentee', path: ['menteeId'] });
export type MentorPairBody = z.infer<typeof mentorPairBody>;

/** The people stay (a new mentor is a new pair); subject, dates and goals change. */
export const mentorPairPatch = z
  .object({
    subject: z.string().trim().max(50).optional(),
    startsOn: day.optional(),
    endsOn: day.optional(),
    goals: z.string().trim().max(4000).optional(),
  })
  .strict();
export type MentorPairPatch = z.infer<typeof mentorPairPatch>;

export const endMentorPairBody = z.object({ endedOn: day }).strict();

export const mentoringQuery = z
  .object({ minWatchMin: z.coerce.number().int().min(1).max(600).default(DEFAULT_MIN_WATCH_MIN) })
  .strict();

/** POST /api/recordings/:lessonId/watch — seconds played since the previous beat (0 on play: it starts the clock). */
export const watchBeatBody = z.object({ seconds: z.number().int().min(0).max(WATCH_BEAT_MAX_S) }).strict();
export interface WatchBeatResponse {
  credited: number;
  totalSeconds: number;
}
