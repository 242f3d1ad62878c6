// A term of weekly synchronous lessons from one slot: every date on the weekday, each with the
// reasons it is skipped (calendars, terms, past) or clashes (double-booked). Pure.
import type { ClassSlot, Clash, PlannedDate, TermPlan } from '../contract/timetable.js';
import { bellClash, calendarClashes, classroomClashes, pastClash, teacherClashes, type Booking, type SchoolSide } from './clashes.js';
import { schoolInstant, weekdaysBetween } from '../contract/time.js';

export interface PlanInput {
  city: { slot: ClassSlot; time: { startMin: number; endMin: number }; side: SchoolSide };
  rural: { slot: ClassSlot; time: { startMin: number; endMin: number }; side: SchoolSide };
  teacher: { id: string; name: string };
  from: string;
  to: string;
  allowanceMin: number;
  bookings: Booking[];
  now: Date;
}

const SKIP: Clash['code'][] = ['holiday', 'exam_day', 'outside_term', 'past'];

export function planTerm(input: PlanInput): TermPlan {
  const { city, rural } = input;
  const weekday = city.slot.weekday;
  const startMin = Math.max(city.time.startMin, rural.time.startMin);
  const endMin = Math.min(city.time.endMin, rural.time.endMin);
  const blocking: Clash[] = [];
  if (city.slot.weekday !== rural.slot.weekday) {
    blocking.push({
      code: 'bell_misaligned',
      message: { zh: '两个班不在同一天上这门课', en: 'The two classes have this subject on different weekdays' },
    });
  } else {
    const bell = bellClash(city.time, rural.time, input.allowanceMin);
    if (bell) blocking.push(bell);
  }
  const dates: PlannedDate[] = [];
  for (const day of weekdaysBetween(input.from, input.to, weekday)) {
    const start = schoolInstant(day, startMin);
    const end = schoolInstant(day, Math.max(endMin, startMin));
    const occ = {
      start,
      end,
      teacher: input.teacher,
      classrooms: [
        { id: city.slot.classroomId, name: `${city.side.name} ${city.slot.classroomName}`, side: 'city' as const },
        { id: rural.slot.classroomId, name: `${rural.side.name} ${rural.slot.classroomName}`, side: 'rural' as const },
      ],
    };
    const reasons: Clash[] = [...calendarClashes(day, { city: city.side, rural: rural.side })];
    const past = pastClash(occ, input.now);
    if (past) reasons.push(past);
    reasons.push(...teacherClashes(occ, input.bookings), ...classroomClashes(occ, input.bookings));
    const status = reasons.length === 0 ? 'ok' : reasons.some((r) => SKIP.includes(r.code)) ? 'skipped' : 'clash';
    dates.push({ day, startsAt: start.toISOString(), endsAt: end.toISOString(), status, reasons });
  }
  return { weekday, startMin, endMin, blocking, dates };
}
