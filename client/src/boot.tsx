// The app itself, loaded by main.tsx after anything that must not wait for React has started.
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import type { LessonSessions } from './live/LessonSessions.js';
import { LessonSessionsContext } from './live/sessionsContext.js';

export function boot(sessions: LessonSessions): void {
  createRoot(document.getElementById('root')!).render(
    <LessonSessionsContext.Provider value={sessions}>
      <App />
    </LessonSessionsContext.Provider>,
  );
}
