// window.__tongbu — test hooks for end-to-end tests (part of the contract; keep them).
import type { ConsumerStats } from './MediaSession.js';
import type { LiveLesson, TestState } from './LiveLesson.js';

export interface TongbuTestHooks {
  state(): TestState | { connected: false; lessonState: null; lessonRole: null; stageClassroomId: null; hands: []; consumers: 0; producers: [] };
  stats(): Promise<ConsumerStats[]>;
}

declare global {
  interface Window {
    __tongbu?: TongbuTestHooks;
  }
}

let current: LiveLesson | null = null;

export function setCurrentLesson(lesson: LiveLesson | null): void {
  current = lesson;
}

export function clearCurrentLesson(lesson: LiveLesson): void {
  if (current === lesson) current = null;
}

export function installTestHooks(): void {
  if (typeof window === 'undefined') return;
  window.__tongbu = {
    state: () =>
      current?.testState() ?? {
        connected: false,
        lessonState: null,
        lessonRole: null,
        stageClassroomId: null,
        hands: [],
        consumers: 0,
        producers: [],
      },
    stats: () => (current ? current.stats() : Promise.resolve([])),
  };
}
