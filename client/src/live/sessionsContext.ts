// React's way to the page's LessonSessions (provided once by boot.tsx).
import { createContext, useContext } from 'react';
import type { LessonSessions } from './LessonSessions.js';

export const LessonSessionsContext = createContext<LessonSessions | null>(null);

export function useLessonSessions(): LessonSessions {
  const sessions = useContext(LessonSessionsContext);
  if (!sessions) throw new Error('no LessonSessions provided (boot.tsx)');
  return sessions;
}
