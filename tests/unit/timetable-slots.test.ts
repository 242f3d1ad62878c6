// 大课表 slot matching: same subject and grade, overlapping periods, bells within the allowance.
import { describe, expect, it } from 'vitest';
import { findSlots, pairTiming, sameCourse } from '../../server/timetable/slots.js';
import type { ClassSlot } from '../../server/contract/timetable.js';
import { parseHhmm } from '../../server/contract/time.js';

const hm = (s: string) => parseHhmm(s)!;
let n = 0;
function cls(schoolId: string, weekday: number, period: number, subject = '数学', grade = 4): ClassSlot {
  return { id: `c${++n}`, schoolId, weekday, period, classroomId: `${schoolId}-room`, classroomName: `${schoolId} 四年级`, subject, grade, teacherName: '', teacherId: null };
}
const bell = (weekday: number, period: number, s: string, e: string) => ({ weekday, period, startMin: hm(s), endMin: hm(e) });

describe('findSlots', () => {
  const cityBells = [bell(1, 1, '08:00', '08:40'), bell(1, 2, '08:50', '09:30'), bell(2, 1, '08:00', '08:40')];

  it('matches the same subject and grade when the bells are within the allowance', () => {
    const city = { classes: [cls('city', 1, 1)], bells: cityBells };
    const rural = { classes: [cls('rural', 1, 1)], bells: [bell(1, 1, '08:03', '08:43')] };
    const slots = findSlots(city, rural, 5);
    expect(slots).toHaveLength(1);
    expect(slots[0]).toMatchObject({ weekday: 1, misalignMin: 3, startMin: hm('08:03'), endMin: hm('08:40') });
  });

  it('matches at exactly the allowance and not one minute beyond', () => {
    const city = { classes: [cls('city', 1, 1)], bells: cityBells };
    const at = { classes: [cls('rural', 1, 1)], bells: [bell(1, 1, '08:05', '08:45')] };
    const beyond = { classes: [cls('rural', 1, 1)], bells: [bell(1, 1, '08:06', '08:46')] };
    expect(findSlots(city, at, 5).map((s) => s.misalignMin)).toEqual([5]);
    expect(findSlots(city, beyond, 5)).toEqual([]);
    expect(findSlots(city, beyond, 6)).toHaveLength(1);
    // A rural bell that rings early is misaligned the same way.
    const early = { classes: [cls('rural', 1, 1)], bells: [bell(1, 1, '07:55', '08:35')] };
    expect(findSlots(city, early, 5)[0]).toMatchObject({ misalignMin: 5, startMin: hm('08:00'), endMin: hm('08:35') });
  });

  it('the allowance is configurable: 0 demands the same bell', () => {
    const city = { classes: [cls('city', 1, 1)], bells: cityBells };
    expect(findSlots(city, { classes: [cls('rural', 1, 1)], bells: [bell(1, 1, '08:01', '08:41')] }, 0)).toEqual([]);
    expect(findSlots(city, { classes: [cls('rural', 1, 1)], bells: [bell(1, 1, '08:00', '08:40')] }, 0)).toHaveLength(1);
  });

  it('does not match another subject or another grade', () => {
    const city = { classes: [cls('city', 1, 1, '数学', 4)], bells: cityBells };
    expect(findSlots(city, { classes: [cls('rural', 1, 1, '语文', 4)], bells: [bell(1, 1, '08:00', '08:40')] }, 5)).toEqual([]);
    expect(findSlots(city, { classes: [cls('rural', 1, 1, '数学', 5)], bells: [bell(1, 1, '08:00', '08:40')] }, 5)).toEqual([]);
    // Spacing and case of the subject do not matter.
    expect(sameCourse({ subject: ' Math ', grade: 3 }, { subject: 'math', grade: 3 })).toBe(true);
  });

  it('does not match the same times on different weekdays', () => {
    const city = { classes: [cls('city', 1, 1)], bells: cityBells };
    const rural = { classes: [cls('rural', 2, 1)], bells: [bell(2, 1, '08:00', '08:40')] };
    expect(findSlots(city, rural, 5)).toEqual([]);
    expect(pairTiming({ weekday: 1, startMin: 480, endMin: 520 }, { weekday: 2, startMin: 480, endMin: 520 })).toBeNull();
  });

  it('needs the periods to overlap, and a bell for each class', () => {
    expect(pairTiming({ weekday: 1, startMin: 480, endMin: 520 }, { weekday: 1, startMin: 520, endMin: 560 })).toBeNull();
    const city = { classes: [cls('city', 1, 2)], bells: cityBells };
    expect(findSlots(city, { classes: [cls('rural', 1, 2)], bells: [] }, 5)).toEqual([]);
  });

  it('finds every pair and sorts by weekday and time', () => {
    const city = { classes: [cls('city', 2, 1), cls('city', 1, 2), cls('city', 1, 1)], bells: cityBells };
    const rural = {
      classes: [cls('rural', 1, 1), cls('rural', 1, 2), cls('rural', 2, 1)],
      bells: [bell(1, 1, '08:00', '08:40'), bell(1, 2, '08:52', '09:32'), bell(2, 1, '08:04', '08:44')],
    };
    const slots = findSlots(city, rural, 5);
    expect(slots.map((s) => [s.weekday, s.city.period, s.rural.period])).toEqual([
      [1, 1, 1],
      [1, 2, 2],
      [2, 1, 1],
    ]);
  });
});
