// Clash rules, one function each, every one pure and giving its reason in Chinese and English.
import type { CalendarDay, Clash, TermInput } from '../contract/timetable.js';
import { formatHhmm } from '../contract/time.js';

/** Something already booked: an existing lesson (or one planned earlier in the same run). */
export interface Booking {
  lessonId: string;
  title: string;
  teacherId: string;
  classroomIds: string[];
  start: Date;
  end: Date;
}

export interface Occurrence {
  start: Date;
  end: Date;
  teacher: { id: string; name: string };
  classrooms: { id: string; name: string; side: 'city' | 'rural' }[];
}

export interface SchoolSide {
  name: string;
  calendar: CalendarDay[];
  terms: TermInput[];
}

const overlaps = (a: { start: Date; end: Date }, b: { start: Date; end: Date }) => a.start < b.end && b.start < a.end;
const hm = (d: Date) => formatHhmm(Math.floor(((d.getTime() / 60_000 + 8 * 60) % 1440 + 1440) % 1440));

/** The two bells: they must overlap, and ring at most `allowanceMin` apart (exactly the allowance is fine). */
export function bellClash(
  city: { startMin: number; endMin: number },
  rural: { startMin: number; endMin: number },
  allowanceMin: number,
): Clash | null {
  const misalign = Math.abs(city.startMin - rural.startMin);
  const overlap = Math.min(city.endMin, rural.endMin) - Math.max(city.startMin, rural.startMin);
  if (overlap > 0 && misalign <= allowanceMin) return null;
  const c = `${formatHhmm(city.startMin)}–${formatHhmm(city.endMin)}`;
  const r = `${formatHhmm(rural.startMin)}–${formatHhmm(rural.endMin)}`;
  return {
    code: 'bell_misaligned',
    message:
      overlap <= 0
        ? { zh: `两校上课时间不重叠（城区 ${c}，乡村 ${r}）`, en: `The two periods do not overlap (city ${c}, rural ${r})` }
        : {
            zh: `两校上课铃相差 ${misalign} 分钟，超过允许的 ${allowanceMin} 分钟（城区 ${c}，乡村 ${r}）`,
            en: `Bells are ${misalign} min apart, more than the allowed ${allowanceMin} min (city ${c}, rural ${r})`,
          },
  };
}

/** Holidays and exam days on either school's calendar; a day outside a school's terms. */
export function calendarClashes(day: string, sides: { city: SchoolSide; rural: SchoolSide }): Clash[] {
  const out: Clash[] = [];
  for (const side of ['city', 'rural'] as const) {
    const s = sides[side];
    const entry = s.calendar.find((c) => c.day === day);
    if (entry) {
      const note = entry.note ? `（${entry.note}）` : '';
      const noteEn = entry.note ? ` (${entry.note})` : '';
      out.push(
        entry.kind === 'holiday'
          ? { code: 'holiday', side, message: { zh: `${day} 是${s.name}的假期${note}`, en: `${day} is a holiday at ${s.name}${noteEn}` } }
          : { code: 'exam_day', side, message: { zh: `${day} 是${s.name}的考试日${note}`, en: `${day} is an exam day at ${s.name}${noteEn}` } },
      );
    }
    // A school that has entered no terms is not restricted by them.
    if (s.terms.length && !s.terms.some((t) => t.startsOn <= day && day <= t.endsOn)) {
      out.push({ code: 'outside_term', side, message: { zh: `${day} 不在${s.name}的学期内`, en: `${day} is outside ${s.name}'s term` } });
    }
  }
  return out;
}

/** The teacher already teaches another lesson at an overlapping time. */
export function teacherClashes(occ: Occurrence, bookings: Booking[]): Clash[] {
  return bookings
    .filter((b) => b.teacherId === occ.teacher.id && overlaps(occ, b))
    .map((b) => ({
      code: 'teacher_double_booked' as const,
      side: 'city' as const,
      message: {
        zh: `${occ.teacher.name}在 ${hm(b.start)}–${hm(b.end)} 已有课「${b.title}」`,
        en: `${occ.teacher.name} already teaches “${b.title}” ${hm(b.start)}–${hm(b.end)}`,
      },
    }));
}

/** A classroom of either school is already in another lesson at an overlapping time. */
export function classroomClashes(occ: Occurrence, bookings: Booking[]): Clash[] {
  const out: Clash[] = [];
  for (const room of occ.classrooms) {
    for (const b of bookings) {
      if (!b.classroomIds.includes(room.id) || !overlaps(occ, b)) continue;
      out.push({
        code: 'classroom_double_booked',
        side: room.side,
        message: {
          zh: `${room.name}在 ${hm(b.start)}–${hm(b.end)} 已有同步课「${b.title}」`,
          en: `${room.name} is already in “${b.title}” ${hm(b.start)}–${hm(b.end)}`,
        },
      });
    }
  }
  return out;
}

/** A lesson that would already be over is not worth creating. */
export function pastClash(occ: Pick<Occurrence, 'end'>, now: Date): Clash | null {
  return occ.end <= now ? { code: 'past', message: { zh: '这一天的课时已经过去', en: 'This date is already over' } } : null;
}
