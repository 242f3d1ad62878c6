// Domain shapes as the API returns them (client and server share these).
// bureau_reviewer: an education bureau's (教育局) reviewer; belongs to the bureau, not a community,
// and reads the workspace of every community the bureau oversees (read + 核验 only).
export const ROLES = ['community_admin', 'school_admin', 'teacher', 'classroom', 'researcher', 'bureau_reviewer'] as const;
export type Role = (typeof ROLES)[number];

export type SchoolKind = 'city' | 'rural';
/** 教共体 types as Zhejiang's plans name them: 融合型 (one legal entity) and 共建型 (schools stay separate). */
export const COMMUNITY_KINDS = ['fusion', 'cobuild'] as const;
export type CommunityKind = (typeof COMMUNITY_KINDS)[number];
/** 县域 / 市域 / 省域: how far apart the paired schools are, and which bureau level oversees them. */
export const COMMUNITY_SCOPES = ['county', 'city', 'province'] as const;
export type CommunityScope = (typeof COMMUNITY_SCOPES)[number];
export type LessonState = 'scheduled' | 'live' | 'ended';

export interface PublicUser {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  schoolId: string | null;
  /** Set for classroom devices: the classroom this device is. */
  classroomId: string | null;
}

export interface School {
  id: string;
  communityId: string;
  name: string;
  kind: SchoolKind;
}

export interface Classroom {
  id: string;
  schoolId: string;
  name: string;
  grade: number | null;
}

export interface Pairing {
  id: string;
  communityId: string;
  citySchoolId: string;
  ruralSchoolId: string;
}

export interface Lesson {
  id: string;
  communityId: string;
  title: string;
  subject: string;
  grade: number;
  teacherId: string;
  teacherName: string;
  hostClassroomId: string;
  receivingClassroomIds: string[];
  scheduledAt: string; // ISO 8601
  durationMin: number;
  state: LessonState;
  startedAt: string | null;
  endedAt: string | null;
}

/** What a participant is in a live lesson; decides what it may do. */
export type LessonRole = 'teacher' | 'classroom' | 'observer';

/** Media sources. A classroom publishes camera+mic; the teacher camera, mic and screen. */
export const MEDIA_SOURCES = ['camera', 'mic', 'screen'] as const;
export type MediaSource = (typeof MEDIA_SOURCES)[number];

/**
 * The lesson's recording as every view shows it (录制中). 'off': not live yet, or the
 * lesson is not recorded. 'stopped' with a reason: recording stopped by itself (disk full).
 */
export interface RecordingStatus {
  state: 'off' | 'recording' | 'paused' | 'stopped';
  reason: 'disk_full' | 'error' | null;
  /** Classrooms of this lesson whose school has not consented: nothing of theirs is recorded. */
  unrecordedClassroomIds: string[];
}

export interface PeerInfo {
  peerId: string;
  userId: string;
  displayName: string;
  lessonRole: LessonRole;
  classroomId: string | null;
}

export interface ChatMessage {
  id: string;
  lessonId: string;
  userId: string;
  displayName: string;
  text: string;
  sentAt: string;
}

export interface RaisedHand {
  classroomId: string;
  raisedAt: string;
}

export type QuizKind = 'choice' | 'truefalse';

export interface Quiz {
  id: string;
  lessonId: string;
  kind: QuizKind;
  question: string;
  options: string[]; // truefalse: ['对', '错']
  createdAt: string;
  closedAt: string | null;
}

/** Counts of raised hands per option, entered for a whole class. */
export interface QuizAnswer {
  quizId: string;
  /** The answering classroom (the host classroom is the city class). */
  classroomId: string;
  counts: number[];
  answeredAt: string;
}
