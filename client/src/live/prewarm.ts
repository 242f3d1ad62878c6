// A projector PC reloads straight into its lesson URL. Joining only once the app has loaded,
// asked who is signed in and rendered the lesson view costs a few hundred milliseconds, so for
// a lesson URL the lesson starts joining at boot, before React is even loaded (main.tsx), and
// the lesson view adopts it.
import { LiveLesson, type ViewMode } from './LiveLesson.js';
import { preloadDevice } from './devicePreload.js';

const LESSON_URL = /^\/lessons\/([^/]+)\/(teach|projector|observe)\/?$/;
const UNCLAIMED_MS = 15_000;

let warm: { live: LiveLesson; timer: ReturnType<typeof setTimeout> } | null = null;

/** Starts the join of a lesson URL; resolves when the media Device is loaded (at once for other URLs). */
export function prewarmFromUrl(pathname: string): Promise<unknown> {
  const m = LESSON_URL.exec(pathname);
  if (!m || warm) return Promise.resolve();
  const live = new LiveLesson(decodeURIComponent(m[1]), m[2] as ViewMode);
  live.start();
  // Signed out, or the app went elsewhere: nobody claims it; do not stay in the lesson.
  const timer = setTimeout(() => {
    if (warm?.live === live) warm = null;
    live.stop();
  }, UNCLAIMED_MS);
  warm = { live, timer };
  return preloadDevice();
}

/** The lesson joined at boot for this view, if any (once). */
export function takePrewarmed(lessonId: string, mode: ViewMode): LiveLesson | undefined {
  if (!warm || warm.live.lessonId !== lessonId || warm.live.mode !== mode) return undefined;
  const { live, timer } = warm;
  clearTimeout(timer);
  warm = null;
  return live;
}
