// 教共体 target evaluation on hand-computed cases (issue 12): counts, breadth, milestones,
// projection, leap years, a target changed mid-year, activities on a milestone's day, and the
// attendance rule for a synchronous lesson.
import { describe, expect, it } from 'vitest';
import { daysInclusive, evaluateTarget, seedMilestones, targetSchema, termsOn, type CountedActivity, type Target } from '../../server/contract/workspace/targets.js';
import { intersect, syncLessonAttendance, unionOf } from '../../server/contract/workspace/attendance.js';

const target = (over: Partial<Target> = {}): Target =>
  targetSchema.parse({
    id: 't1',
    title: '同步课堂或送教下乡示范课累计不少于10节',
    kinds: ['sync_lesson', 'send_teaching'],
    year: { from: '2026-01-01', to: '2026-12-31' },
    terms: [{ from: '2026-01-01', threshold: 10, milestones: seedMilestones(2026) }],
    ...over,
  });

let n = 0;
const act = (day: string, kind: CountedActivity['kind'] = 'sync_lesson', more: Partial<CountedActivity> = {}): CountedActivity => ({ id: `a${n++}`, kind, day, ...more });

describe('evaluateTarget', () => {
  it('counts only the target’s kinds inside its year and up to today', () => {
    const acts = [act('2026-02-10'), act('2026-03-05', 'send_teaching'), act('2026-03-06', 'offline_research'), act('2025-12-31'), act('2027-01-01'), act('2026-05-02')];
    const e = evaluateTarget(target(), acts, '2026-04-30');
    // 02-10, 03-05 (送教下乡 counts with 同步课堂); not 线下教研, not last year, not next year, not after today.
    expect(e.count).toBe(2);
    expect(e.threshold).toBe(10);
    expect(e.met).toBe(false);
    expect(e.percent).toBe(20);
  });

  it('judges milestones: an activity on the milestone’s day counts; a passed, unmet milestone is overdue', () => {
    const acts = [act('2026-01-15'), act('2026-02-15'), act('2026-03-15'), act('2026-04-30'), act('2026-05-01')];
    const e = evaluateTarget(target(), acts, '2026-07-01');
    const [apr, jun, oct, dec] = e.milestones;
    // 40% of 10 = 4 by 04-30: the one on 04-30 makes it.
    expect(apr).toMatchObject({ by: '2026-04-30', needed: 4, reached: 4, met: true, overdue: false });
    // 60% = 6 by 06-30: 5, and 06-30 has passed on 07-01.
    expect(jun).toMatchObject({ needed: 6, reached: 5, met: false, overdue: true });
    expect(oct).toMatchObject({ needed: 8, reached: 5, met: false, overdue: false });
    expect(dec).toMatchObject({ needed: 10, met: false, overdue: false });
    // On the milestone's own day it is not yet overdue.
    expect(evaluateTarget(target(), acts, '2026-06-30').milestones[1].overdue).toBe(false);
  });

  it('rounds a milestone’s share up: 40% of 7 needs 3', () => {
    const t = target({ terms: [{ from: '2026-01-01', threshold: 7, breadth: {}, milestones: [{ by: '2026-04-30', percent: 40 }] }] });
    expect(evaluateTarget(t, [], '2026-01-02').milestones[0].needed).toBe(3);
    // 100% of 7 is exactly 7, not 8 from floating point.
    const full = target({ terms: [{ from: '2026-01-01', threshold: 7, breadth: {}, milestones: [{ by: '2026-12-31', percent: 100 }] }] });
    expect(evaluateTarget(full, [], '2026-01-02').milestones[0].needed).toBe(7);
  });

  it('projects the count at the pace so far, with 366 days in a leap year', () => {
    expect(daysInclusive('2028-01-01', '2028-12-31')).toBe(366);
    expect(daysInclusive('2026-01-01', '2026-12-31')).toBe(365);
    expect(daysInclusive('2028-02-28', '2028-03-01')).toBe(3);
    const leap = target({ year: { from: '2028-01-01', to: '2028-12-31' }, terms: [{ from: '2028-01-01', threshold: 20, breadth: {}, milestones: [] }] });
    // 61 days elapsed by 2028-03-01 (31 + 29 + 1) with 5 activities: 5 × 366 / 61 = 30.
    const acts = Array.from({ length: 5 }, (_, i) => act(`2028-02-0${i + 1}`));
    const e = evaluateTarget(leap, acts, '2028-03-01');
    expect(e.projection).toEqual({ by: '2028-12-31', count: 30, meets: true });
    // The same five by 2026-03-01 of a common year (60 days): 5 × 365 / 60 = 30.4 → 30.
    const common = target({ terms: [{ from: '2026-01-01', threshold: 20, breadth: {}, milestones: [] }] });
    expect(evaluateTarget(common, acts.map((a) => ({ ...a, day: a.day.replace('2028', '2026') })), '2026-03-01').projection?.count).toBe(30);
    // "At this pace: … of 20": 8 by 06-21, day 172 of 365 → 16.98 → 16 (the 17th is not promised).
    const slow = ['01-10', '02-10', '03-10', '04-10', '05-10', '06-10', '06-15', '06-21'].map((d) => act(`2026-${d}`));
    expect(evaluateTarget(common, slow, '2026-06-21').projection).toEqual({ by: '2026-12-31', count: 16, meets: false });
    // Once the year is over there is nothing to project.
    expect(evaluateTarget(common, slow, '2027-01-05').projection).toBeNull();
  });

  it('uses the terms in force: a target raised mid-year keeps earlier milestones as they were set', () => {
    const t = target({
      terms: [
        { from: '2026-01-01', threshold: 10, breadth: {}, milestones: seedMilestones(2026) },
        { from: '2026-06-01', threshold: 20, breadth: {}, milestones: seedMilestones(2026) },
      ],
    });
    expect(termsOn(t, '2026-05-31').threshold).toBe(10);
    expect(termsOn(t, '2026-06-01').threshold).toBe(20);
    const acts = Array.from({ length: 4 }, (_, i) => act(`2026-0${i + 1}-20`));
    const e = evaluateTarget(t, acts, '2026-07-01');
    expect(e.threshold).toBe(20);
    // April's 40% is of the 10 in force on 04-30 (4: met); June's 60% of the 20 in force on 06-30 (12).
    expect(e.milestones[0]).toMatchObject({ needed: 4, met: true });
    expect(e.milestones[1]).toMatchObject({ needed: 12, met: false, overdue: true });
    // Before the change, the year is judged by the first terms.
    expect(evaluateTarget(t, acts, '2026-05-01').threshold).toBe(10);
  });

  it('checks breadth: subjects, teachers, and a month without any activity', () => {
    const t = target({
      terms: [{ from: '2026-01-01', threshold: 4, breadth: { minSubjects: 2, minTeachers: 3, everyMonth: true, exceptMonths: [2, 7, 8] }, milestones: [] }],
    });
    const acts = [
      act('2026-01-10', 'sync_lesson', { subject: '数学', teacherIds: ['wang'] }),
      act('2026-03-10', 'sync_lesson', { subject: '数学', teacherIds: ['wang', 'li'] }),
      act('2026-05-10', 'send_teaching', { subject: ' 数学 ', teacherIds: ['li'] }),
      act('2026-06-10', 'sync_lesson', { subject: '语文', teacherIds: ['zhang'] }),
    ];
    const e = evaluateTarget(t, acts, '2026-06-15');
    expect(e.met).toBe(true);
    expect(e.breadth.subjects).toEqual({ have: 2, need: 2, met: true });
    expect(e.breadth.teachers).toEqual({ have: 3, need: 3, met: true });
    // January–May are finished months; February is a holiday; April had nothing. June is still running.
    expect(e.breadth.months).toEqual({ missing: ['2026-04'], met: false });
    expect(e.complete).toBe(false);
    // With April filled in, everything holds.
    expect(evaluateTarget(t, [...acts, act('2026-04-01')], '2026-06-15').complete).toBe(true);
  });

  it('refuses a target without kinds, a bad date or a threshold of zero', () => {
    expect(() => target({ kinds: [] })).toThrow();
    expect(() => target({ year: { from: '2026-1-1', to: '2026-12-31' } })).toThrow();
    expect(() => target({ terms: [{ from: '2026-01-01', threshold: 0, breadth: {}, milestones: [] }] })).toThrow();
  });
});

describe('syncLessonAttendance', () => {
  const min = 60_000;
  const base = { plannedMin: 40, citySchoolId: 'city', ruralSchoolId: 'rural', minShare: 0.6 };

  it('counts a lesson both schools attended together for the share of its planned length', () => {
    const a = syncLessonAttendance({
      ...base,
      live: [0, 40 * min],
      presence: [
        { classroomId: 'c1', schoolId: 'city', intervals: [[-5 * min, 41 * min]] },
        // The rural room drops for 4 minutes and comes back: 5..20 and 24..40 = 31 minutes.
        { classroomId: 'r1', schoolId: 'rural', intervals: [[5 * min, 20 * min], [24 * min, 40 * min]] },
      ],
    });
    expect(a).toMatchObject({ counts: true, jointMin: 31, neededMin: 24 });
    // Presence is clipped to the live lesson: the city room's lobby minutes are not attendance.
    expect(a.classrooms[0]).toEqual({ classroomId: 'c1', schoolId: 'city', firstJoinMs: 0, lastLeaveMs: 40 * min, connectedMin: 40 });
    expect(a.classrooms[1]).toMatchObject({ firstJoinMs: 5 * min, lastLeaveMs: 40 * min, connectedMin: 31 });
  });

  it('does not count a lesson that was live with the rural school connected only 5 minutes', () => {
    const a = syncLessonAttendance({
      ...base,
      live: [0, 40 * min],
      presence: [
        { classroomId: 'c1', schoolId: 'city', intervals: [[0, 40 * min]] },
        { classroomId: 'r1', schoolId: 'rural', intervals: [[10 * min, 15 * min]] },
      ],
    });
    expect(a).toMatchObject({ counts: false, jointMin: 5, neededMin: 24 });
  });

  it('counts only the time both were there, and nothing of a lesson that never started', () => {
    const presence = [
      { classroomId: 'c1', schoolId: 'city', intervals: [[0, 20 * min]] as [number, number][] },
      { classroomId: 'r1', schoolId: 'rural', intervals: [[20 * min, 40 * min]] as [number, number][] },
    ];
    expect(syncLessonAttendance({ ...base, live: [0, 40 * min], presence })).toMatchObject({ counts: false, jointMin: 0 });
    expect(syncLessonAttendance({ ...base, live: null, presence: [{ classroomId: 'c1', schoolId: 'city', intervals: [[0, 40 * min]] }, { classroomId: 'r1', schoolId: 'rural', intervals: [[0, 40 * min]] }] })).toMatchObject({ counts: false, jointMin: 0 });
    // Two rural rooms of the same school: the school is present while either is.
    const two = syncLessonAttendance({
      ...base,
      live: [0, 40 * min],
      presence: [
        { classroomId: 'c1', schoolId: 'city', intervals: [[0, 40 * min]] },
        { classroomId: 'r1', schoolId: 'rural', intervals: [[0, 15 * min]] },
        { classroomId: 'r2', schoolId: 'rural', intervals: [[10 * min, 30 * min]] },
      ],
    });
    expect(two).toMatchObject({ counts: true, jointMin: 30 });
  });

  it('merges and intersects intervals', () => {
    expect(unionOf([[5, 7], [1, 3], [2, 4], [8, 8]])).toEqual([[1, 4], [5, 7]]);
    expect(intersect([[0, 10], [20, 30]], [[5, 25]])).toEqual([[5, 10], [20, 25]]);
  });
});
