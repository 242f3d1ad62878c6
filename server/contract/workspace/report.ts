// The yearly 捆绑考核 report of a pairing or a community (issue 12): its data as built on the
// server (server/workspace/report/build.ts) and read by the exporters and the client. Every
// figure is computed once here; the .docx, .xlsx and PDF only lay it out.
import { z } from 'zod';
import type { ActivityKind, TargetEvaluation } from './targets.js';
import type { UsageReport } from './usage.js';

export const reportYearQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100) }).strict();

/** One rural classroom in one synchronous lesson, measured from the lesson itself. */
export interface ClassroomLessonFigures {
  classroomId: string;
  classroomName: string;
  /** Minutes connected while the lesson was live (presence log). */
  connectedMin: number;
  /** Hands raised (hand:raise events). */
  hands: number;
  /** Minutes on stage (stage:on … stage:off / the next stage:on / the end). */
  stageMin: number;
  /** Quizzes pushed in the lesson, and those this classroom answered. */
  quizzesAsked: number;
  quizzesAnswered: number;
  /** Share of the lesson's 3-second cells that were this classroom's talk; null without a voice analysis. */
  talkShare: number | null;
  /** Seconds this classroom's tracks spoke; null without a voice analysis. */
  speechS: number | null;
}

/** A classroom's year: the figures above summed over its lessons. */
export interface ClassroomParticipation {
  classroomId: string;
  classroomName: string;
  /** Lessons it was a receiving classroom of, and those it was connected to at all. */
  lessons: number;
  attended: number;
  connectedMin: number;
  hands: number;
  stageMin: number;
  quizzesAsked: number;
  quizzesAnswered: number;
  /** quizzesAnswered ÷ quizzesAsked; null when none was asked. */
  quizRate: number | null;
  /** Lessons with a voice analysis, and the classroom's talk over their cells together (time-weighted). */
  analysedLessons: number;
  talkShare: number | null;
  speechS: number;
}

export interface AttendanceRow {
  classroomId: string;
  classroomName: string;
  side: 'city' | 'rural';
  firstJoin: string | null;
  lastLeave: string | null;
  connectedMin: number;
}

/** A synchronous lesson of the pairing with the verdict (counted or not) and the figures behind it. */
export interface ReportLesson {
  lessonId: string;
  day: string;
  title: string;
  subject: string;
  teacherName: string;
  plannedMin: number;
  counts: boolean;
  jointMin: number;
  neededMin: number;
  attendance: AttendanceRow[];
  rural: ClassroomLessonFigures[];
}

export interface ReportEvidenceFile {
  id: string;
  fileName: string;
  byteSize: number;
  /** Where the file is read in the product (a link in the documents). */
  url: string;
}

/** An activity of the year: a synchronous lesson that counted, or an offline one (the evidence slice). */
export interface ReportActivity {
  id: string;
  kind: ActivityKind;
  day: string;
  title: string;
  schoolName: string;
  /** 核验: null where there is none (online lessons are counted from their records). */
  status: 'pending' | 'accepted' | 'returned' | null;
  /** Links to the record (replay, lesson report) and to uploaded evidence. */
  links: string[];
  evidence: ReportEvidenceFile[];
}

export interface ReportMentorPair {
  mentorName: string;
  menteeName: string;
  subject: string;
  since: string;
}

export interface ReportTarget {
  id: string;
  title: string;
  evaluation: TargetEvaluation;
}

export interface PairingReport {
  pairingId: string;
  citySchool: { id: string; name: string };
  ruralSchool: { id: string; name: string };
  rounds: { round: number; startsOn: string; endsOn: string; theme: string | null }[];
  leaders: { name: string; duty: string }[];
  targets: ReportTarget[];
  activities: ReportActivity[];
  lessons: ReportLesson[];
  mentorPairs: ReportMentorPair[];
  participation: ClassroomParticipation[];
  /** Its two schools' usage (in a pairing's report; a community's report has the community's only). */
  usage: UsageReport | null;
}

export interface ReportData {
  kind: 'pairing' | 'community';
  year: number;
  /** Evaluations are as of this day (the year's last day once it is over). */
  asOf: string;
  generatedAt: string;
  community: { id: string; name: string; bureauName: string | null };
  /** Community-wide targets (a pairing's report: none). */
  communityTargets: ReportTarget[];
  pairings: PairingReport[];
  /** The community's usage (a pairing's report: its two schools'). */
  usage: UsageReport;
}
