// lesson:join / leave / start / end
import { AppError } from '../../contract/errors.js';
import { listChatMessages } from '../../chat/repo.js';
import { getLesson, setLessonState } from '../../lessons/repo.js';
import { lessonRoleFor } from '../../lessons/policy.js';
import { getOpenQuiz } from '../../quizzes/repo.js';
import type { SocketSession } from '../session.js';
import { joinMedia } from './media.js';
import { logger } from '../../contract/log.js';
import { recordLessonJoin } from '../../workspace/usageRecorder.js';

const log = logger('live.lesson');

export function registerLessonHandlers(s: SocketSession): void {
  const { db, registry } = s.deps;

  s.edge.on('lesson:join', async ({ lessonId, media: mediaRequest }) => {
    const lesson = await getLesson(db, lessonId);
    if (!lesson) throw new AppError('NOT_FOUND', 'no such lesson');
    const role = await lessonRoleFor(db, s.user, lesson);
    if (!role) throw new AppError('FORBIDDEN', 'you are not part of this lesson');
    if (lesson.state === 'ended') throw new AppError('CONFLICT', 'the lesson has ended');
    s.leave();
    const live = await registry.open(lesson);
    const peer = live.addPeer(s.socket, s.user, role);
    recordLessonJoin(db, s.user, s.socket.handshake.headers['user-agent']); // usage statistics: counted in memory, never awaited
    s.seat = { live, peerId: peer.info.peerId, role };
    const seat = s.seat;
    const [chat, quiz, recording, joined] = await Promise.all([
      listChatMessages(db, lesson.id),
      getOpenQuiz(db, lesson.id),
      s.deps.recordings?.statusFor(live) ?? { state: 'off' as const, reason: null, unrecordedClassroomIds: [] },
      mediaRequest ? joinMedia(s, seat, mediaRequest) : null,
    ]);
    const media = await live.media();
    return {
      lesson: live.lesson,
      self: peer.info,
      peers: [...live.peers.values()].map((p) => p.info).filter((p) => p.peerId !== peer.info.peerId),
      routerRtpCapabilities: media.rtpCapabilities,
      routerCapsKey: media.capsKey,
      media: joined,
      stageClassroomId: live.stageClassroomId,
      mutedClassroomIds: live.mutedClassroomIds,
      hands: live.hands,
      chat,
      quiz,
      recording,
    };
  });

  s.edge.on('lesson:leave', () => {
    s.leave();
    return null;
  });

  s.edge.on('lesson:start', async () => {
    const { live } = s.requireTeacher();
    if (live.lesson.state === 'live') return live.lesson;
    // Recording starts with the lesson: recorders armed in the lobby are checked first, then
    // set going at the very moment taken as the lesson's start (no database round trip in
    // between). A failure to record never stops the lesson.
    await s.deps.recordings?.beforeStart(live).catch((err) => log.error('recording could not be prepared', { err }));
    const at = s.deps.recordings?.startNow(live);
    try {
      live.lesson = await setLessonState(db, live.lesson.id, 'live', at);
    } catch (err) {
      await s.deps.recordings?.startFailed(live.lesson.id).catch((e) => log.error('could not undo the recording start', { err: e }));
      throw err;
    }
    const recording = s.deps.recordings?.lessonStarted(live, s.user.id).catch((err) => log.error('recording did not start', { err }));
    s.socket.nsp.to(live.room).emit('lesson:state', live.lesson);
    await live.logEvent('lesson:start', s.user.id, {});
    await recording;
    return live.lesson;
  });

  s.edge.on('lesson:end', async () => {
    const { live } = s.requireTeacher();
    live.lesson = await setLessonState(db, live.lesson.id, 'ended');
    await live.logEvent('lesson:end', s.user.id, {});
    s.socket.nsp.to(live.room).emit('lesson:state', live.lesson);
    // The lesson closes here with its recording (LiveLesson.close stops it as "lesson over");
    // answered now, the recorders finish their segments behind (seconds).
    void registry.close(live.lesson.id, 'lesson-end');
    s.seat = null;
    s.deps.onLessonEnded?.(live.lesson).catch((err) => log.error('end-of-lesson work failed', { lessonId: live.lesson.id, err }));
    return live.lesson;
  });
}
