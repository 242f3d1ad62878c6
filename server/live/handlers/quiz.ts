// 同步作业: quiz:push / quiz:answer / quiz:close
import { AppError } from '../../contract/errors.js';
import { answerQuiz, closeQuiz, createQuiz, getQuizWithAnswers } from '../../quizzes/repo.js';
import type { LiveLesson } from '../LiveLesson.js';
import type { SocketSession } from '../session.js';

export function registerQuizHandlers(s: SocketSession): void {
  const { db } = s.deps;

  /** Running results go to the teacher and observers; everyone sees them once closed. */
  const publishResults = async (live: LiveLesson, quizId: string, everyone: boolean) => {
    const results = await getQuizWithAnswers(db, quizId);
    if (!results) return;
    for (const p of live.peers.values()) {
      if (everyone || p.info.lessonRole !== 'classroom') p.socket.emit('quiz:results', results);
    }
  };

  const quizOfLesson = async (live: LiveLesson, quizId: string) => {
    const q = await getQuizWithAnswers(db, quizId);
    if (!q || q.quiz.lessonId !== live.lesson.id) throw new AppError('NOT_FOUND', 'no such quiz in this lesson');
    return q;
  };

  s.edge.on('quiz:push', async (body) => {
    const { live } = s.requireTeacher();
    const quiz = await createQuiz(db, { lessonId: live.lesson.id, ...body });
    s.socket.nsp.to(live.room).emit('quiz:pushed', quiz);
    await live.logEvent('quiz:push', s.user.id, { quizId: quiz.id });
    return quiz;
  });

  s.edge.on('quiz:answer', async ({ quizId, classroomId, counts }) => {
    const seat = s.requireSeat();
    const { live } = seat;
    await quizOfLesson(live, quizId);
    let answering: string;
    if (seat.role === 'teacher') {
      answering = classroomId ?? live.lesson.hostClassroomId;
      if (answering !== live.lesson.hostClassroomId) live.assertReceiving(answering);
    } else if (seat.role === 'classroom') {
      const own = live.peer(seat.peerId).info.classroomId;
      if (!own || (classroomId && classroomId !== own)) throw new AppError('FORBIDDEN', 'a classroom answers only for itself');
      answering = own;
    } else {
      throw new AppError('FORBIDDEN', 'observers do not answer');
    }
    const answer = await answerQuiz(db, { quizId, classroomId: answering, counts, answeredBy: s.user.id });
    await publishResults(live, quizId, false);
    return answer;
  });

  s.edge.on('quiz:close', async ({ quizId }) => {
    const { live } = s.requireTeacher();
    await quizOfLesson(live, quizId);
    await closeQuiz(db, quizId);
    await publishResults(live, quizId, true);
    return null;
  });
}
