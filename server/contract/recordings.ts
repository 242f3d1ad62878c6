// Recording processing and replay as the API and the `recording:progress` push return them.
import type { LessonEventType } from './lessonEvents.js';
export type OutputKind = 'trackFile' | 'track' | 'window' | 'composite' | 'thumbnails' | 'peaks' | 'vad' | 'attribution';
export type OutputState = 'queued' | 'active' | 'done' | 'failed';
export type RecordingVisibility = 'participants' | 'pairing' | 'community';

export interface RecordingFailure {
  key: string;
  kind: OutputKind;
  trackId: string | null;
  trackLabel: string | null;
  seq: number | null;
  error: string;
  attempts: number;
}

/** One lesson's processing, for the recordings page (pushed on every change). */
export interface RecordingProgress {
  lessonId: string;
  title: string;
  startedAt: string | null;
  recordingState: 'recording' | 'paused' | 'stopped';
  visibility: RecordingVisibility;
  lengthMs: number;
  /** 0–100 over every job known so far. */
  percent: number;
  segments: { done: number; total: number };
  composite: { state: 'pending' | 'rendering' | 'done' | 'failed'; windowsDone: number; windowsTotal: number };
  /** Every track's playlist is complete (the lesson ended and every segment is processed or failed). */
  playbackReady: boolean;
  compositeReady: boolean;
  failures: RecordingFailure[];
}

export interface ReplayTrack {
  id: string;
  kind: 'audio' | 'video';
  source: 'camera' | 'mic' | 'screen';
  owner: 'teacher' | 'classroom';
  classroomId: string | null;
  label: string;
  /** Where the track starts on the lesson clock; its playlist's time 0. */
  startMs: number;
  endMs: number | null;
  playlistUrl: string;
  /** The whole track as one WebM (VP8/Opus as recorded), once joined after the end; replay prefers it. */
  fileUrl: string | null;
  segmentsDone: number;
  segmentsTotal: number;
}

export interface ReplayChapter {
  atMs: number;
  type: LessonEventType;
  classroomId: string | null;
}

export interface ReplayChatMessage {
  atMs: number;
  userName: string;
  text: string;
}

export interface ReplayVoiceActivity {
  trackId: string;
  speaker: 'teacher' | 'classroom';
  classroomId: string | null;
  segments: [number, number][];
}

/** GET /api/recordings/:lessonId — everything the replay page needs. */
export interface ReplayInfo {
  progress: RecordingProgress;
  tracks: ReplayTrack[];
  classrooms: { id: string; name: string }[];
  chapters: ReplayChapter[];
  chat: ReplayChatMessage[];
  gaps: { trackId: string | null; fromMs: number; toMs: number; reason: string }[];
  voiceActivity: ReplayVoiceActivity[];
  composite: { playlistUrl: string; mp4Url: string | null; downloadUrl: string | null };
  thumbnails: { url: string; count: number; columns: number; rows: number; everyS: number; width: number; height: number } | null;
  peaksUrl: string | null;
}
