// Shapes the research API and socket events return (client and server share these).
import type { StAnalysis, StInterval } from './analysis/st.js';
import type { TalkAnalysis } from './analysis/talk.js';
import type { FlandersRatios } from './analysis/flanders.js';
import type { RubricSummary } from './analysis/rubric.js';
import type { Span } from './analysis/timeline.js';

export type Framework = 'none' | 'st' | 'flanders' | 'rubric';
export type SessionKind = 'planning' | 'diagnosis' | 'thematic';

export interface GroupMember {
  userId: string;
  displayName: string;
  username: string;
  schoolId: string | null;
  schoolName: string | null;
  role: 'lead' | 'member';
}

export interface ResearchGroup {
  id: string;
  communityId: string;
  name: string;
  subject: string;
  createdBy: string;
  members: GroupMember[];
}

export interface ResearchSession {
  id: string;
  groupId: string;
  groupName: string;
  kind: SessionKind;
  title: string;
  lessonId: string | null;
  lessonTitle: string | null;
  pairingId: string | null;
  scheduledAt: string;
  agenda: string;
  minutes: string;
  conclusions: string;
  createdBy: string;
}

export interface TargetProgress {
  pairingId: string;
  citySchoolName: string;
  ruralSchoolName: string;
  year: number;
  minLessons: number;
  minSessions: number;
  lessons: number;
  sessions: number;
}

export interface RubricCriterion {
  id: string;
  name: string;
}

export interface RubricLevel {
  score: number;
  label: string;
}

export interface Rubric {
  criteria: RubricCriterion[];
  levels: RubricLevel[];
}

export interface Annotation {
  id: string;
  lessonId: string;
  authorId: string;
  authorName: string;
  groupId: string | null;
  parentId: string | null;
  framework: Framework;
  code: string | null;
  atMs: number;
  endMs: number | null;
  text: string;
  /** Users @mentioned in the text (resolved, may be empty). */
  mentions: Array<{ userId: string; displayName: string }>;
  live: boolean;
  createdAt: string;
}

export interface VoiceTrack {
  trackId: string;
  speaker: 'teacher' | 'classroom';
  classroomId: string | null;
  label: string;
  /**
   * Attributed speech: what this room itself said, on the lesson clock — what the S-T, talk and
   * Flanders figures use. Equal to `raw` until the lesson's cross-track attribution ran.
   */
  segments: Span[];
  /** Raw voice activity: what the detector heard on this microphone, own speech and leakage alike. */
  raw: Span[];
  /** Where attribution was unsure (a leak explained the sound only in part): low-confidence samples. */
  uncertain: Span[];
  /** 'attributed' once the lesson's attribution ran; 'raw' before it (live lesson, imported timelines). */
  attribution: 'attributed' | 'raw';
  /** The tracks that leaked into this one: median level below the source, delay, and the raw speech they explained. */
  leaks: TrackLeak[];
}

export interface TrackLeak {
  fromTrackId: string;
  /** Level of the leaked copy relative to its source (negative dB). */
  gainDb: number;
  /** Median delay of the copy behind its source. */
  lagMs: number;
  /** Milliseconds of this track's raw voice activity that the leak explained (removed). */
  removedMs: number;
}

export interface LessonAnalysis {
  lessonId: string;
  title: string;
  durationMs: number;
  tracks: VoiceTrack[];
  classroomNames: Record<string, string>;
  st: StAnalysis;
  talk: TalkAnalysis;
  flanders: FlandersRatios;
  computeMs: number;
}

export interface RubricScoresView {
  rubric: Rubric;
  ratings: Array<{ raterId: string; raterName: string; scores: Record<string, number>; comment: string; updatedAt: string }>;
  summary: RubricSummary;
}

export type { StInterval };

/** One entry of the people directory (/api/research/people): what the member picker shows. */
export interface Person {
  id: string;
  displayName: string;
  role: string;
  schoolName: string | null;
}
