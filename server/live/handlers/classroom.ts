// hand:raise / hand:lower / stage:set / classroom:mute
import { AppError } from '../../contract/errors.js';
import type { SocketSession } from '../session.js';

export function registerClassroomHandlers(s: SocketSession): void {
  s.edge.on('hand:raise', () => {
    const seat = s.requireSeat();
    const classroomId = seat.live.peer(seat.peerId).info.classroomId;
    if (seat.role !== 'classroom' || !classroomId) throw new AppError('FORBIDDEN', 'only a classroom raises its hand');
    seat.live.raiseHand(classroomId, s.user.id);
    return null;
  });

  s.edge.on('hand:lower', ({ classroomId }) => {
    const seat = s.requireSeat();
    const own = seat.live.peer(seat.peerId).info.classroomId;
    if (seat.role === 'classroom' && own && (!classroomId || classroomId === own)) {
      seat.live.lowerHand(own, s.user.id);
      return null;
    }
    if (seat.role !== 'teacher') throw new AppError('FORBIDDEN', "only the teacher lowers another classroom's hand");
    if (!classroomId) throw new AppError('BAD_REQUEST', 'classroomId: required');
    seat.live.lowerHand(classroomId, s.user.id);
    return null;
  });

  s.edge.on('stage:set', ({ classroomId }) => {
    s.requireTeacher().live.setStage(classroomId, s.user.id);
    return null;
  });

  s.edge.on('classroom:mute', async ({ classroomId, muted }) => {
    await s.requireTeacher().live.setMuted(classroomId, muted, s.user.id);
    return null;
  });
}
