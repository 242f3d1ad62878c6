// Every clash rule of the 大课表, one by one, and the term plan that combines them.
import { describe, expect, it } from 'vitest';
import { bellClash, calendarClashes, classroomClashes, pastClash, teacherClashes, type Booking, type Occurrence } from '../../server/timetable/clashes.js';
import { planTerm, type PlanInput } from '../../server/timetable/plan.js';
import type { ClassSlot } from '../../server/contract/timetable.js';
import { addDays, schoolInstant, weekdayOf, weekdaysBetween } from '../../server/contract/time.js';

const t = (day: string, hhmm: string) => schoolInstant(day, Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3)));
const occ = (day: string, s: string, e: string): Occurrence => ({
  start: t(day, s),
  end: t(day, e),
  teacher: { id: 'wang', name: '王老师' },
  classrooms: [
    { id: 'city-room', name: '滨江实验小学 四年级(1)班', side: 'city' },
    { id: 'rural-room', name: '青山村小学 四年级', side: 'rural' },
  ],
});
const booking = (day: string, s: string, e: string, over: Partial<Booking> = {}): Booking => ({
  lessonId: 'x',
  title: '分数的初步认识',
  teacherId: 'someone',
  classroomIds: ['elsewhere'],
  start: t(day, s),
  end: t(day, e),
  ...over,
});

describe('time in Asia/Shanghai', () => {
  it('08:00 on a school day is 00:00 UTC; weekdays are ISO', () => {
    expect(t('2026-11-23', '08:00').toISOString()).toBe('2026-11-23T00:00:00.000Z');
    expect(t('2026-11-23', '07:30').toISOString()).toBe('2026-11-22T23:30:00.000Z');
    expect(weekdayOf('2026-11-23')).toBe(1);
    expect(weekdayOf('2026-11-29')).toBe(7);
    expect(weekdaysBetween('2026-11-23', '2026-12-07', 1)).toEqual(['2026-11-23', '2026-11-30', '2026-12-07']);
    expect(weekdaysBetween('2026-11-24', '2026-12-06', 1)).toEqual(['2026-11-30']);
  });
});

describe('bell misalignment', () => {
  it('exactly at the allowance is fine; one minute beyond is a clash with both times in the reason', () => {
    expect(bellClash({ startMin: 480, endMin: 520 }, { startMin: 485, endMin: 525 }, 5)).toBeNull();
    const c = bellClash({ startMin: 480, endMin: 520 }, { startMin: 486, endMin: 526 }, 5);
    expect(c?.code).toBe('bell_misaligned');
    expect(c?.message.zh).toContain('相差 6 分钟');
    expect(c?.message.zh).toContain('08:00–08:40');
    expect(c?.message.en).toContain('6 min apart');
    expect(c?.message.en).toContain('08:06–08:46');
  });

  it('periods that do not overlap clash whatever the allowance', () => {
    const c = bellClash({ startMin: 480, endMin: 520 }, { startMin: 520, endMin: 560 }, 60);
    expect(c?.code).toBe('bell_misaligned');
    expect(c?.message.en).toMatch(/do not overlap/);
  });
});

describe('calendars and terms', () => {
  const city = { name: '滨江实验小学', calendar: [{ day: '2026-10-01', kind: 'holiday' as const, note: '国庆节' }], terms: [{ name: '秋', startsOn: '2026-09-01', endsOn: '2027-01-22' }] };
  const rural = { name: '青山村小学', calendar: [{ day: '2026-11-17', kind: 'exam' as const, note: '期中考试' }], terms: [{ name: '秋', startsOn: '2026-09-07', endsOn: '2027-01-15' }] };

  it('a holiday on only the city calendar is still a reason, naming the city school', () => {
    const r = calendarClashes('2026-10-01', { city, rural });
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ code: 'holiday', side: 'city' });
    expect(r[0].message.zh).toBe('2026-10-01 是滨江实验小学的假期（国庆节）');
    expect(r[0].message.en).toBe('2026-10-01 is a holiday at 滨江实验小学 (国庆节)');
  });

  it('an exam day on only the rural calendar is a reason, naming the rural school', () => {
    const r = calendarClashes('2026-11-17', { city, rural });
    expect(r.map((c) => [c.code, c.side])).toEqual([['exam_day', 'rural']]);
  });

  it('term boundaries are inclusive, on each side separately', () => {
    expect(calendarClashes('2026-09-07', { city, rural })).toEqual([]); // first day of the rural term
    expect(calendarClashes('2027-01-15', { city, rural })).toEqual([]); // last day of the rural term
    expect(calendarClashes('2026-09-04', { city, rural }).map((c) => [c.code, c.side])).toEqual([['outside_term', 'rural']]);
    expect(calendarClashes('2027-01-18', { city, rural }).map((c) => [c.code, c.side])).toEqual([['outside_term', 'rural']]);
    expect(calendarClashes('2027-01-25', { city, rural }).map((c) => c.side)).toEqual(['city', 'rural']);
  });

  it('a school without terms is not restricted by them; an ordinary day has no reason', () => {
    expect(calendarClashes('2030-03-04', { city: { ...city, terms: [] }, rural: { ...rural, terms: [] } })).toEqual([]);
    expect(calendarClashes('2026-11-18', { city, rural })).toEqual([]);
  });
});

describe('double booking', () => {
  it('teacher: an overlapping lesson of the same teacher clashes; touching end-to-start does not', () => {
    const o = occ('2026-11-23', '08:00', '08:40');
    expect(teacherClashes(o, [booking('2026-11-23', '08:30', '09:10', { teacherId: 'wang' })]).map((c) => c.code)).toEqual(['teacher_double_booked']);
    expect(teacherClashes(o, [booking('2026-11-23', '08:40', '09:20', { teacherId: 'wang' })])).toEqual([]);
    expect(teacherClashes(o, [booking('2026-11-23', '08:00', '08:40', { teacherId: 'other' })])).toEqual([]);
    const [c] = teacherClashes(o, [booking('2026-11-23', '07:50', '08:30', { teacherId: 'wang' })]);
    expect(c.message.zh).toBe('王老师在 07:50–08:30 已有课「分数的初步认识」');
    expect(c.message.en).toContain('王老师 already teaches “分数的初步认识” 07:50–08:30');
  });

  it('the same time on another weekday is no clash', () => {
    const o = occ('2026-11-23', '08:00', '08:40');
    expect(teacherClashes(o, [booking('2026-11-24', '08:00', '08:40', { teacherId: 'wang' })])).toEqual([]);
    expect(classroomClashes(o, [booking('2026-11-24', '08:00', '08:40', { classroomIds: ['rural-room'] })])).toEqual([]);
  });

  it('classroom: either school’s classroom already in a lesson clashes, saying which side', () => {
    const o = occ('2026-11-23', '08:00', '08:40');
    const rural = classroomClashes(o, [booking('2026-11-23', '08:10', '08:50', { classroomIds: ['other-city', 'rural-room'] })]);
    expect(rural.map((c) => [c.code, c.side])).toEqual([['classroom_double_booked', 'rural']]);
    expect(rural[0].message.zh).toContain('青山村小学 四年级在 08:10–08:50 已有同步课');
    const city = classroomClashes(o, [booking('2026-11-23', '07:30', '08:01', { classroomIds: ['city-room'] })]);
    expect(city.map((c) => c.side)).toEqual(['city']);
    expect(classroomClashes(o, [booking('2026-11-23', '07:20', '08:00', { classroomIds: ['city-room'] })])).toEqual([]);
  });

  it('a date already over is skipped', () => {
    const o = occ('2026-11-23', '08:00', '08:40');
    expect(pastClash(o, t('2026-11-23', '08:39'))).toBeNull();
    expect(pastClash(o, t('2026-11-23', '08:40'))?.code).toBe('past');
  });
});

describe('planTerm', () => {
  const slot = (side: string, weekday: number): ClassSlot => ({
    id: side,
    schoolId: side,
    weekday,
    period: 1,
    classroomId: `${side}-room`,
    classroomName: '四年级',
    subject: '数学',
    grade: 4,
    teacherName: '王老师',
    teacherId: 'wang',
  });
  const base = (): PlanInput => ({
    city: { slot: slot('city', 1), time: { startMin: 480, endMin: 520 }, side: { name: '滨江实验小学', calendar: [{ day: '2026-11-30', kind: 'holiday', note: '' }], terms: [{ name: '秋', startsOn: '2026-09-01', endsOn: '2027-01-22' }] } },
    rural: { slot: slot('rural', 1), time: { startMin: 485, endMin: 525 }, side: { name: '青山村小学', calendar: [{ day: '2026-12-14', kind: 'exam', note: '' }], terms: [{ name: '秋', startsOn: '2026-09-01', endsOn: '2026-12-20' }] } },
    teacher: { id: 'wang', name: '王老师' },
    from: '2026-11-23',
    to: '2026-12-28',
    allowanceMin: 5,
    bookings: [booking('2026-12-07', '08:20', '09:00', { teacherId: 'wang' })],
    now: t('2026-11-22', '12:00'),
  });

  it('lists each Monday with its status and the reasons, at the shared time in Asia/Shanghai', () => {
    const plan = planTerm(base());
    expect(plan.blocking).toEqual([]);
    expect(plan).toMatchObject({ weekday: 1, startMin: 485, endMin: 520 });
    expect(plan.dates.map((d) => [d.day, d.status, d.reasons.map((r) => r.code).join(',')])).toEqual([
      ['2026-11-23', 'ok', ''],
      ['2026-11-30', 'skipped', 'holiday'],
      ['2026-12-07', 'clash', 'teacher_double_booked'],
      ['2026-12-14', 'skipped', 'exam_day'],
      ['2026-12-21', 'skipped', 'outside_term'],
      ['2026-12-28', 'skipped', 'outside_term'],
    ]);
    expect(plan.dates[0].startsAt).toBe('2026-11-23T00:05:00.000Z');
    expect(plan.dates[0].endsAt).toBe('2026-11-23T00:40:00.000Z');
  });

  it('a bell beyond the allowance blocks the whole term', () => {
    const input = base();
    input.allowanceMin = 4;
    expect(planTerm(input).blocking.map((c) => c.code)).toEqual(['bell_misaligned']);
  });

  it('classes on different weekdays block the term', () => {
    const input = base();
    input.rural.slot = slot('rural', 2);
    expect(planTerm(input).blocking.map((c) => c.code)).toEqual(['bell_misaligned']);
  });

  it('dates before `now` are skipped as past', () => {
    const input = base();
    input.now = t('2026-11-30', '12:00');
    expect(planTerm(input).dates[0]).toMatchObject({ day: '2026-11-23', status: 'skipped' });
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});
