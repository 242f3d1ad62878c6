// Who may do what in a live lesson, and who receives which media. Pure functions.
import type { LessonRole, MediaSource } from '../contract/domain.js';

export interface Participant {
  lessonRole: LessonRole;
  /** A classroom device's classroom; null for the teacher and observers. */
  classroomId: string | null;
}

const PRODUCIBLE: Record<LessonRole, readonly MediaSource[]> = {
  teacher: ['camera', 'mic', 'screen'],
  classroom: ['camera', 'mic'],
  observer: [],
};

export function canProduce(role: LessonRole, source: MediaSource): boolean {
  return PRODUCIBLE[role].includes(source);
}

/**
 * Whether `receiver` gets the producer of `source` owned by `owner`.
 * - the teacher's camera, mic and screen go to everyone;
 * - a classroom's camera goes to the teacher always (the grid) and, while that
 *   classroom is on stage, to every other classroom and observer;
 * - a classroom's mic is heard only while it is on stage (the teacher sees its level meanwhile).
 */
export function receives(
  receiver: Participant,
  owner: Participant,
  source: MediaSource,
  stageClassroomId: string | null,
): boolean {
  if (owner.lessonRole === 'teacher') return receiver.lessonRole !== 'teacher';
  if (owner.lessonRole !== 'classroom' || owner.classroomId === receiver.classroomId) return false;
  const onStage = owner.classroomId !== null && owner.classroomId === stageClassroomId;
  if (receiver.lessonRole === 'teacher' && source === 'camera') return true;
  return onStage;
}
