// recording:watch — the recordings page follows processing progress of the lessons it lists.
// Each lesson is checked against its recording's visibility; the socket joins one room per lesson.
import { getLesson } from '../../lessons/repo.js';
import { canViewRecording } from '../../recordings/policy.js';
import { getRec } from '../../recordings/processingRepo.js';
import type { SocketSession } from '../session.js';

export const recordingRoom = (lessonId: string) => `recordings:${lessonId}`;

export function registerRecordingWatchHandlers(s: SocketSession): void {
  s.edge.on('recording:watch', async ({ lessonIds }) => {
    const allowed: string[] = [];
    for (const id of new Set(lessonIds)) {
      const [lesson, rec] = await Promise.all([getLesson(s.deps.db, id), getRec(s.deps.db, id)]);
      if (lesson && rec && (await canViewRecording(s.deps.db, s.user, lesson, rec.visibility))) allowed.push(id);
    }
    for (const room of s.socket.rooms) if (room.startsWith('recordings:') && !allowed.includes(room.slice(11))) void s.socket.leave(room);
    await Promise.all(allowed.map((id) => s.socket.join(recordingRoom(id))));
    return { lessonIds: allowed };
  });
}
