import { describe, expect, it } from 'vitest';
import { summarise } from '../../workers/processors/lessonReport.js';
import type { LessonReportJob } from '../../server/contract/jobs.js';

const base: LessonReportJob = {
  lessonId: 'L1',
  title: '分数的初步认识',
  scheduledMin: 40,
  startedAt: '2026-11-23T08:00:00.000Z',
  endedAt: '2026-11-23T08:42:00.000Z',
  receivingClassroomIds: ['A', 'B'],
  chatCount: 3,
  events: [],
};
// Typed by the job's schema (the tests' events are each a valid LessonEvent).
const ev = (min: number, type: string, payload: Record<string, unknown> = {}) =>
  ({
    at: new Date(Date.parse(base.startedAt!) + min * 60_000).toISOString(),
    type,
    payload,
  }) as LessonReportJob['events'][number];

describe('lesson report', () => {
  it('counts hands and stage time per classroom, closing an open stage at lesson end', () => {
    const r = summarise({
      ...base,
      events: [
        ev(5, 'hand:raise', { classroomId: 'A' }),
        ev(6, 'stage:on', { classroomId: 'A' }),
        ev(8, 'stage:on', { classroomId: 'B' }), // switching stage closes A's turn
        ev(9, 'stage:off', { classroomId: null }),
        ev(10, 'hand:raise', { classroomId: 'B' }),
        ev(40, 'stage:on', { classroomId: 'A' }),
        ev(12, 'screen:start'),
        ev(13, 'quiz:push', { quizId: 'q' }),
      ],
    });
    expect(r.actualMin).toBe(42);
    expect(r.plannedMin).toBe(40);
    expect(r.screenShares).toBe(1);
    expect(r.quizzes).toBe(1);
    expect(r.classrooms).toEqual([
      { classroomId: 'A', handsRaised: 1, timesOnStage: 2, secondsOnStage: 120 + 120, firstJoinAt: null, lastLeaveAt: null, connectedMin: 0 },
      { classroomId: 'B', handsRaised: 1, timesOnStage: 1, secondsOnStage: 60, firstJoinAt: null, lastLeaveAt: null, connectedMin: 0 },
    ]);
  });

  it('keeps each classroom’s attendance while live: lobby time left out, a reconnect merged, a drop not counted', () => {
    const at = (min: number) => new Date(Date.parse(base.startedAt!) + min * 60_000).toISOString();
    const r = summarise({
      ...base,
      events: [
        // A joins in the lobby 3 minutes early and stays to the end (still connected when it ends).
        ev(-3, 'presence:join', { classroomId: 'A', peerId: 'a1' }),
        // B joins at 2, drops at 10, is back at 14 on a new connection before the old one is reaped (13–15 overlaps), leaves at 30.
        ev(2, 'presence:join', { classroomId: 'B', peerId: 'b1' }),
        ev(10, 'presence:leave', { classroomId: 'B', peerId: 'b1' }),
        ev(13, 'presence:join', { classroomId: 'B', peerId: 'b2' }),
        ev(14, 'presence:join', { classroomId: 'B', peerId: 'b3' }),
        ev(15, 'presence:leave', { classroomId: 'B', peerId: 'b2' }),
        ev(30, 'presence:leave', { classroomId: 'B', peerId: 'b3' }),
        // A leave without its join (the log began mid-lesson) is ignored.
        ev(31, 'presence:leave', { classroomId: 'B', peerId: 'zz' }),
      ],
    });
    expect(r.classrooms[0]).toMatchObject({ classroomId: 'A', firstJoinAt: at(0), lastLeaveAt: at(42), connectedMin: 42 });
    expect(r.classrooms[1]).toMatchObject({ classroomId: 'B', firstJoinAt: at(2), lastLeaveAt: at(30), connectedMin: 8 + 17 });
  });

  it('handles a lesson that never started and events for unknown classrooms', () => {
    const r = summarise({ ...base, startedAt: null, events: [ev(1, 'hand:raise', { classroomId: 'Z' })] });
    expect(r.actualMin).toBeNull();
    expect(r.classrooms.every((c) => c.handsRaised === 0 && c.secondsOnStage === 0)).toBe(true);
  });
});
