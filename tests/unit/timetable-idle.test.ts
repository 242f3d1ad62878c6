// The projector idle screen's choices: which lesson is next, and which live lesson a device joins.
import { describe, expect, it } from 'vitest';
import type { Lesson, LessonState } from '../../server/contract/domain.js';
import { lessonToJoin, minutesUntil, nextLesson } from '../../client/src/timetable/today.js';

const base = Date.parse('2026-11-24T00:00:00Z'); // 08:00 in Shanghai
const lesson = (id: string, startMin: number, state: LessonState = 'scheduled', receiving = ['r1'], host = 'h1'): Lesson => ({
  id,
  communityId: 'c',
  title: id,
  subject: '数学',
  grade: 4,
  teacherId: 't',
  teacherName: '王老师',
  hostClassroomId: host,
  receivingClassroomIds: receiving,
  scheduledAt: new Date(base + startMin * 60_000).toISOString(),
  durationMin: 40,
  state,
  startedAt: null,
  endedAt: null,
});

describe('nextLesson', () => {
  it('is the earliest scheduled lesson not yet over by the clock', () => {
    const ls = [lesson('b', 120), lesson('a', 0), lesson('c', 240)];
    expect(nextLesson(ls, base - 60_000)?.id).toBe('a');
    expect(nextLesson(ls, base + 39 * 60_000)?.id).toBe('a'); // still within its period
    expect(nextLesson(ls, base + 40 * 60_000)?.id).toBe('b');
    expect(nextLesson(ls, base + 300 * 60_000)).toBeUndefined();
  });

  it('a live lesson comes first; ended ones never', () => {
    expect(nextLesson([lesson('a', 0, 'ended'), lesson('b', 60), lesson('c', 120, 'live')], base)?.id).toBe('c');
    expect(nextLesson([lesson('a', 0, 'ended')], base)).toBeUndefined();
  });

  it('minutes until the start, rounded up, never negative', () => {
    expect(minutesUntil(lesson('a', 10), base + 30_000)).toBe(10);
    expect(minutesUntil(lesson('a', 10), base + 11 * 60_000)).toBe(0);
  });
});

describe('lessonToJoin', () => {
  it('a receiving classroom joins the live lesson; the host classroom and others do not', () => {
    const ls = [lesson('s', 0), lesson('l', 0, 'live', ['r1', 'r2'], 'h1')];
    expect(lessonToJoin(ls, 'r2')?.id).toBe('l');
    expect(lessonToJoin(ls, 'h1')).toBeUndefined();
    expect(lessonToJoin(ls, 'r9')).toBeUndefined();
    expect(lessonToJoin(ls, null)).toBeUndefined();
    expect(lessonToJoin([lesson('s', 0, 'scheduled', ['r1'])], 'r1')).toBeUndefined();
  });
});
