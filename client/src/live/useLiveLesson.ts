// React binding: one LiveLesson per mounted lesson view.
import { useEffect, useState, useSyncExternalStore } from 'react';
import { LiveLesson, type LiveState, type ViewMode } from './LiveLesson.js';
import { clearCurrentLesson, setCurrentLesson } from './testHooks.js';
import { takePrewarmed } from './prewarm.js';

const instanceStopped = new WeakSet<LiveLesson>();

export function useLiveLesson(lessonId: string, mode: ViewMode): { live: LiveLesson; state: LiveState } {
  const [live, setLive] = useState(() => takePrewarmed(lessonId, mode) ?? new LiveLesson(lessonId, mode));
  useEffect(() => {
    let instance = live;
    if (instance.lessonId !== lessonId || instance.mode !== mode || instanceStopped.has(instance)) {
      instance = new LiveLesson(lessonId, mode);
      setLive(instance);
    }
    setCurrentLesson(instance);
    instance.start();
    return () => {
      instanceStopped.add(instance);
      clearCurrentLesson(instance);
      instance.stop();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [lessonId, mode]);
  const state = useSyncExternalStore(live.subscribe, live.getSnapshot, live.getSnapshot);
  return { live, state };
}
