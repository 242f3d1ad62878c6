// A projector PC reloads straight into its lesson URL. Opening the socket and loading the
// mediasoup Device only after the app has asked who is signed in costs a round trip and a
// React render, so for a lesson URL both start at boot; the lesson view adopts the socket.
import { LessonClient } from './LessonClient.js';
import { preloadDevice } from './devicePreload.js';

const LESSON_URL = /^\/lessons\/([^/]+)\/(teach|projector|observe)\/?$/;
const UNCLAIMED_MS = 15_000;

let warm: { lessonId: string; client: LessonClient; timer: ReturnType<typeof setTimeout> } | null = null;

export function prewarmFromUrl(pathname: string): void {
  const m = LESSON_URL.exec(pathname);
  if (!m || warm) return;
  preloadDevice();
  const client = new LessonClient();
  client.connect();
  // Signed out, or the app went elsewhere: nobody claims it; do not keep a socket open.
  const timer = setTimeout(() => {
    if (warm?.client === client) warm = null;
    client.close();
  }, UNCLAIMED_MS);
  warm = { lessonId: decodeURIComponent(m[1]), client, timer };
}

/** The socket opened at boot for this lesson, if any (once). */
export function takePrewarmed(lessonId: string): LessonClient | undefined {
  if (!warm || warm.lessonId !== lessonId) return undefined;
  const { client, timer } = warm;
  clearTimeout(timer);
  warm = null;
  return client;
}
