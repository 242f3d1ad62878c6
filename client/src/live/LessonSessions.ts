// The page's one owner of its lesson sessions (made in main.tsx, handed to React by boot.tsx):
// the Device preload they share, the session a lesson URL started at boot until its view takes
// it, and the session on screen (for the test hooks).
//
// A projector PC reloads straight into its lesson URL. Joining only once the app has loaded,
// asked who is signed in and rendered the lesson view costs a few hundred milliseconds, so for
// a lesson URL the lesson starts joining at boot, before React is even loaded, and the lesson
// view adopts it.
import { isLessonRoute, matchRoute } from '../routes.js';
import { DevicePreload } from './devicePreload.js';
import type { ViewMode } from './LessonStore.js';
import { LessonSession } from './LessonSession.js';

const UNCLAIMED_MS = 15_000;

export class LessonSessions {
  readonly devicePreload = new DevicePreload();
  private warm: { session: LessonSession; timer: ReturnType<typeof setTimeout> } | null = null;
  private shown: LessonSession | null = null;

  /** Starts the join of a lesson URL; resolves when the media Device is loaded (at once for other URLs). */
  prewarm(pathname: string): Promise<unknown> {
    const route = matchRoute(pathname);
    if (!isLessonRoute(route) || this.warm) return Promise.resolve();
    const session = this.create(route.lessonId, route.name);
    session.start();
    // Signed out, or the app went elsewhere: nobody claims it; do not stay in the lesson.
    const timer = setTimeout(() => {
      if (this.warm?.session === session) this.warm = null;
      session.stop();
    }, UNCLAIMED_MS);
    this.warm = { session, timer };
    return this.devicePreload.preload();
  }

  /** The session joined at boot for this view, if any (once). */
  takePrewarmed(lessonId: string, mode: ViewMode): LessonSession | undefined {
    const warm = this.warm;
    if (!warm || warm.session.lessonId !== lessonId || warm.session.mode !== mode) return undefined;
    clearTimeout(warm.timer);
    this.warm = null;
    return warm.session;
  }

  create(lessonId: string, mode: ViewMode): LessonSession {
    return new LessonSession(lessonId, mode, this.devicePreload);
  }

  /** The session of the lesson view on screen, if any. */
  get current(): LessonSession | null {
    return this.shown;
  }

  show(session: LessonSession): void {
    this.shown = session;
  }

  hide(session: LessonSession): void {
    if (this.shown === session) this.shown = null;
  }
}
