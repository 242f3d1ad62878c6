// window.__tongbu — test hooks for end-to-end tests (part of the contract; keep them).
import type { LessonRole, Lesson, RaisedHand, RecordingStatus } from '../../../server/contract/domain.js';
import type { Phase, LiveState } from './LessonStore.js';
import type { LessonSessions } from './LessonSessions.js';
import type { ConsumerStats } from './MediaSession.js';
import type { NetQuality } from './netQuality.js';

export interface TestState {
  connected: boolean;
  lessonState: Lesson['state'] | null;
  lessonRole: LessonRole | null;
  stageClassroomId: string | null;
  hands: RaisedHand[];
  consumers: number;
  producers: { source: string; kind: string }[];
  phase: Phase;
  socketConnected: boolean;
  lessonId: string;
  selfClassroomId: string | null;
  mutedClassroomIds: string[];
  quizId: string | null;
  netQuality: NetQuality;
  recording: RecordingStatus;
}

export interface TongbuTestHooks {
  state(): TestState | { connected: false; lessonState: null; lessonRole: null; stageClassroomId: null; hands: []; consumers: 0; producers: [] };
  stats(): Promise<ConsumerStats[]>;
}

declare global {
  interface Window {
    __tongbu?: TongbuTestHooks;
  }
}

export function testState(s: LiveState): TestState {
  return {
    connected: s.phase === 'live',
    lessonState: s.lesson?.state ?? null,
    lessonRole: s.self?.lessonRole ?? null,
    stageClassroomId: s.stageClassroomId,
    hands: s.hands,
    consumers: s.consumers.length,
    producers: s.producers.map((p) => ({ source: p.source, kind: p.kind })),
    phase: s.phase,
    socketConnected: s.socketConnected,
    lessonId: s.lessonId,
    selfClassroomId: s.self?.classroomId ?? null,
    mutedClassroomIds: s.mutedClassroomIds,
    quizId: s.quiz?.quiz.id ?? null,
    netQuality: s.netQuality,
    recording: s.recording,
  };
}

/** The hooks read the session on screen. */
export function installTestHooks(sessions: LessonSessions): void {
  if (typeof window === 'undefined') return;
  window.__tongbu = {
    state: () => {
      const current = sessions.current;
      return current
        ? testState(current.state)
        : { connected: false, lessonState: null, lessonRole: null, stageClassroomId: null, hands: [], consumers: 0, producers: [] };
    },
    stats: () => sessions.current?.stats() ?? Promise.resolve([]),
  };
}
