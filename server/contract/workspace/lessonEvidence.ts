// What a synchronous lesson leaves as evidence for the 教共体's check (issue 12): its attendance
// per classroom, and links to its recording, S-T analysis, rubric scores, lesson plans and the
// research sessions (with minutes) held on it. Shown beside the lesson in the activity lists,
// the 核验 queue and the reports.

export interface ClassroomAttendance {
  classroomId: string;
  classroomName: string;
  schoolId: string;
  schoolName: string;
  /** The host classroom (the city teacher's) or a receiving one. */
  host: boolean;
  firstJoinAt: string | null;
  lastLeaveAt: string | null;
  connectedMin: number;
  /** While live, merged: [from, to] ISO instants. */
  intervals: [string, string][];
}

export interface LessonEvidence {
  lessonId: string;
  title: string;
  subject: string;
  teacherName: string;
  startedAt: string;
  endedAt: string | null;
  plannedMin: number;
  attendance: ClassroomAttendance[];
  recording: { state: 'recording' | 'paused' | 'stopped' } | null;
  /** Voice activity exists, so S-T, talk and Flanders figures can be shown. */
  analysis: boolean;
  rubricRaters: number;
  plans: { id: string; title: string; versions: number }[];
  sessions: { id: string; title: string; kind: string; hasMinutes: boolean }[];
  /** Where each piece opens; null where the viewer's role has no such page or the piece is missing. */
  links: { attendanceCsv: string; replay: string | null; analysis: string | null; plans: string[] };
}
