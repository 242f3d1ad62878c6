// Pure helpers about lesson lists (used by the idle projector screen).
import type { Lesson } from '../../server/contract/domain.js';

/** Lessons that concern this classroom (all of them when the id is unknown). */
export function lessonsForClassroom(lessons: Lesson[], classroomId: string | null): Lesson[] {
  if (!classroomId) return lessons;
  return lessons.filter((l) => l.receivingClassroomIds.includes(classroomId) || l.hostClassroomId === classroomId);
}

/** The lesson this classroom should join now, if any. */
export function liveLessonFor(lessons: Lesson[], classroomId: string | null): Lesson | undefined {
  return lessonsForClassroom(lessons, classroomId).find((l) => l.state === 'live');
}

/** Upper-case, drop anything odd, and put the dash after 4 characters: "abcd2345" → "ABCD-2345". */
export function formatDeviceCode(raw: string): string {
  const s = raw.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 8);
  return s.length > 4 ? `${s.slice(0, 4)}-${s.slice(4)}` : s;
}

export const DEVICE_CODE_RE = /^[A-Z0-9]{4}-?[A-Z0-9]{4}$/;
