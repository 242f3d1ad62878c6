// The recordings page's events on the shared Socket.IO connection (registered by live/socketServer.ts,
// as research/socket.ts is), owned by the recordings feature.
// recording:watch — the recordings page follows processing progress of the lessons it lists.
// Each lesson is checked against its recording's visibility (one query for all of them: the
// contract caps the list, the edge charges it to the socket's flood budget per id); the socket
// joins one room per lesson.
import { LIMITS } from '../contract/limits.js';
import { visibleRecordingIds } from './policy.js';
import type { SocketSession } from '../live/session.js';

export const recordingRoom = (lessonId: string) => `recordings:${lessonId}`;

/** Flood-budget cost of one watch: a message plus a share per id (a full list costs 11 messages). */
export const watchCost = (p: { lessonIds: readonly string[] }) => 1 + Math.ceil(p.lessonIds.length / 5);

export function registerRecordingWatchHandlers(s: SocketSession): void {
  s.edge.on(
    'recording:watch',
    async ({ lessonIds }) => {
      const wanted = [...new Set(lessonIds.slice(0, LIMITS.recordingWatchMax))];
      const visible = new Set(await visibleRecordingIds(s.deps.db, s.user, wanted));
      const allowed = wanted.filter((id) => visible.has(id));
      for (const room of s.socket.rooms) if (room.startsWith('recordings:') && !visible.has(room.slice(11))) void s.socket.leave(room);
      await Promise.all(allowed.map((id) => s.socket.join(recordingRoom(id))));
      return { lessonIds: allowed };
    },
    { cost: watchCost },
  );
}
