// React binding: one LessonSession per mounted lesson view (the one started at boot when it fits).
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { LiveState, ViewMode } from './LessonStore.js';
import type { LessonSession } from './LessonSession.js';
import { useLessonSessions } from './sessionsContext.js';

export function useLessonSession(lessonId: string, mode: ViewMode): { live: LessonSession; state: LiveState } {
  const sessions = useLessonSessions();
  const [live, setLive] = useState(() => sessions.takePrewarmed(lessonId, mode) ?? sessions.create(lessonId, mode));
  useEffect(() => {
    let instance = live;
    if (instance.lessonId !== lessonId || instance.mode !== mode || instance.left) {
      instance = sessions.create(lessonId, mode);
      setLive(instance);
    }
    sessions.show(instance);
    instance.start();
    return () => {
      sessions.hide(instance);
      instance.stop();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lessonId, mode]);
  const state = useSyncExternalStore(live.subscribe, live.getSnapshot, live.getSnapshot);
  return { live, state };
}
