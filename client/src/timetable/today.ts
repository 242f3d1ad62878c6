// Pure helpers for the projector's idle screen: which of today's lessons is next, and which live
// lesson this classroom device should join by itself.
import type { Lesson } from '../../../server/contract/domain.js';

const endOf = (l: Lesson) => new Date(l.scheduledAt).getTime() + l.durationMin * 60_000;

/** The live lesson this device receives. A host-classroom device is the teacher's own room and never joins. */
export function lessonToJoin(lessons: Lesson[], classroomId: string | null): Lesson | undefined {
  if (!classroomId) return undefined;
  return lessons.find((l) => l.state === 'live' && l.receivingClassroomIds.includes(classroomId));
}

/** The first lesson not yet ended and not yet over by the clock: live first, then the earliest scheduled. */
export function nextLesson(lessons: Lesson[], now: number): Lesson | undefined {
  const live = lessons.find((l) => l.state === 'live');
  if (live) return live;
  return lessons
    .filter((l) => l.state === 'scheduled' && endOf(l) > now)
    .sort((a, b) => Date.parse(a.scheduledAt) - Date.parse(b.scheduledAt))[0];
}

/** Whole minutes until the lesson starts (0 once it should have started). */
export function minutesUntil(l: Lesson, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(l.scheduledAt) - now) / 60_000));
}
