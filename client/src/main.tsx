// Entry: small on purpose. For a lesson URL the join starts here, and React and the app
// (boot.tsx) load once the media Device has (or after 300 ms at most): on a slow projector PC
// both want the same main thread, and the picture needs the Device first. The page's lesson
// sessions have one owner, made here and handed to the app.
import { LessonSessions } from './live/LessonSessions.js';
import { installTestHooks } from './live/testHooks.js';
import './styles.css';

const sessions = new LessonSessions();
installTestHooks(sessions);
const deviceFirst = new Promise((resolve) => setTimeout(resolve, 300));
void Promise.race([sessions.prewarm(window.location.pathname), deviceFirst])
  .then(() => import('./boot.js'))
  .then((m) => m.boot(sessions));
