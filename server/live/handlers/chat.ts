// chat:send — persisted before it is broadcast, so nobody sees a message that is lost.
import { AppError } from '../../contract/errors.js';
import { addChatMessage } from '../../chat/repo.js';
import type { SocketSession } from '../session.js';

export function registerChatHandlers(s: SocketSession): void {
  s.edge.on('chat:send', async ({ text }) => {
    const { live } = s.requireSeat();
    if (!(await s.deps.chatLimiter.take(s.user.id))) throw new AppError('RATE_LIMITED', 'sending too fast; wait a moment');
    const msg = await addChatMessage(s.deps.db, { lessonId: live.lesson.id, userId: s.user.id, text });
    s.socket.nsp.to(live.room).emit('chat:message', msg);
    // In the event log too, so that replay shows chat in step with the media.
    void live.logEvent('chat:message', s.user.id, { messageId: msg.id });
    return msg;
  });
}
