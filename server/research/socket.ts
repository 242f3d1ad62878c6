// 评课 over Socket.IO: viewers of a lesson's recording (or of the live lesson) watch its notes;
// a new note is persisted first, then pushed to every watcher, and to each @mentioned user.
import type { SocketSession } from '../live/session.js';
import { AppError } from '../contract/errors.js';
import { lessonForResearch } from './policy.js';
import { createAnnotation, deleteAnnotation, listAnnotations } from './annotationsRepo.js';
import { lessonClock } from './analysisRepo.js';
import { codesOf } from './frameworks.js';
import { getRubric } from './rubricRepo.js';

export const annotationRoom = (lessonId: string) => `annotations:${lessonId}`;
const userRoom = (userId: string) => `user:${userId}`;

export function registerResearchHandlers(s: SocketSession): void {
  const { db } = s.deps;
  void s.socket.join(userRoom(s.user.id));

  s.edge.on('annotation:watch', async ({ lessonId }) => {
    await lessonForResearch(db, s.user, lessonId);
    await s.socket.join(annotationRoom(lessonId));
    return listAnnotations(db, lessonId);
  });

  s.edge.on('annotation:unwatch', async ({ lessonId }) => {
    await s.socket.leave(annotationRoom(lessonId));
    return null;
  });

  s.edge.on('annotation:create', async (p) => {
    const lesson = await lessonForResearch(db, s.user, p.lessonId);
    // A reply takes its note's time (annotationsRepo), so it needs none of its own.
    let atMs = p.atMs ?? (p.parentId ? 0 : undefined);
    let live = false;
    if (atMs === undefined) {
      // A live observer's note lands at "now" on the lesson clock, so it sits at the right
      // moment of the recording afterwards.
      if (lesson.state !== 'live') throw new AppError('BAD_REQUEST', 'atMs: give the time of the note on the lesson clock');
      const { clockZero } = await lessonClock(db, lesson);
      if (!clockZero) throw new AppError('CONFLICT', 'the lesson clock has not started');
      atMs = Math.max(0, Date.now() - clockZero.getTime());
      live = true;
    }
    const endMs = p.endMs ?? null;
    if (endMs !== null && endMs < atMs) throw new AppError('BAD_REQUEST', 'endMs: a range ends after it starts');
    const code = p.code ?? null;
    if (!p.parentId) {
      const codes = codesOf(p.framework, await getRubric(db, s.user.id));
      if (codes && (!code || !codes.includes(code))) throw new AppError('BAD_REQUEST', `code: choose one of ${codes.join(', ')}`);
      if (!codes && code) throw new AppError('BAD_REQUEST', 'code: a free note has no code');
    }
    const { annotation, mentioned } = await createAnnotation(db, s.user, {
      lessonId: lesson.id,
      atMs,
      endMs,
      framework: p.framework,
      code: p.framework === 'none' ? null : code,
      text: p.text,
      parentId: p.parentId ?? null,
      groupId: p.groupId ?? null,
      live,
    });
    s.socket.to(annotationRoom(lesson.id)).emit('annotation:created', annotation);
    for (const userId of mentioned) s.socket.nsp.to(userRoom(userId)).emit('annotation:mentioned', annotation);
    return annotation;
  });

  s.edge.on('annotation:delete', async ({ annotationId }) => {
    const a = await deleteAnnotation(db, s.user, annotationId);
    s.socket.to(annotationRoom(a.lessonId)).emit('annotation:deleted', { id: a.id, lessonId: a.lessonId });
    return null;
  });
}
