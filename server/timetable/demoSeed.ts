// The demo community's bell schedules, timetables, terms and calendars, so the 大课表 shows
// real matches: Monday P1 is 5 minutes apart (just within the default allowance), Tuesday P3
// lines up exactly, Thursday afternoon is 10 minutes apart (a clash), and each school has
// holidays or exam days the other does not.
import type { Queryable } from '../db/db.js';
import type { Classroom, PublicUser, School } from '../contract/domain.js';
import { replaceBells, replaceCalendar, replaceClasses, replaceTerms } from './repo.js';
import type { BellPeriod, CalendarDay, ClassSlotInput } from '../contract/timetable.js';
import { addDays, parseHhmm } from '../contract/time.js';

const hm = (s: string) => parseHhmm(s)!;

function bells(times: [string, string][]): BellPeriod[] {
  const out: BellPeriod[] = [];
  for (let weekday = 1; weekday <= 5; weekday++) {
    times.forEach(([s, e], i) => out.push({ weekday, period: i + 1, startMin: hm(s), endMin: hm(e) }));
  }
  return out;
}

const CITY_BELLS: [string, string][] = [['08:00', '08:40'], ['08:50', '09:30'], ['10:00', '10:40'], ['10:50', '11:30'], ['14:00', '14:40'], ['14:50', '15:30']];
const QINGSHAN_BELLS: [string, string][] = [['08:05', '08:45'], ['08:55', '09:35'], ['10:00', '10:40'], ['10:50', '11:30'], ['13:50', '14:30'], ['14:40', '15:20']];
const SHIQIAO_BELLS: [string, string][] = [['07:55', '08:35'], ['08:45', '09:25'], ['10:00', '10:40'], ['10:50', '11:30'], ['14:00', '14:40'], ['14:50', '15:30']];

type Row = [weekday: number, period: number, subject: string];

function classes(room: Classroom, rows: Row[], teacher: { name: string; id?: string }, other: Record<string, string>): ClassSlotInput[] {
  return rows.map(([weekday, period, subject]) => {
    const t = subject === '数学' ? teacher : { name: other[subject] ?? '' };
    return { weekday, period, classroomId: room.id, subject, grade: room.grade ?? 4, teacherName: t.name, teacherId: t.id ?? null };
  });
}

/** The school year around `today`: autumn term from 1 September, spring term after the Spring Festival. */
function schoolYear(today: Date): number {
  return today.getUTCMonth() >= 7 ? today.getUTCFullYear() : today.getUTCFullYear() - 1;
}

function range(from: string, to: string, kind: CalendarDay['kind'], note: string): CalendarDay[] {
  const out: CalendarDay[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push({ day: d, kind, note });
  return out;
}

export async function seedDemoTimetable(
  q: Queryable,
  opts: {
    city: School;
    qingshan: School;
    shiqiao: School;
    rooms: { city: Classroom; qingshan: Classroom; shiqiao: Classroom };
    teachers: { wang: PublicUser; li: PublicUser };
    today?: Date;
  },
): Promise<void> {
  const y = schoolYear(opts.today ?? new Date());
  const terms = [
    { name: `${y}学年第一学期`, startsOn: `${y}-09-01`, endsOn: `${y + 1}-01-22` },
    { name: `${y}学年第二学期`, startsOn: `${y + 1}-02-23`, endsOn: `${y + 1}-07-03` },
  ];
  const shared = [...range(`${y}-10-01`, `${y}-10-07`, 'holiday', '国庆节'), ...range(`${y + 1}-01-01`, `${y + 1}-01-01`, 'holiday', '元旦'), ...range(`${y + 1}-05-01`, `${y + 1}-05-05`, 'holiday', '劳动节')];
  const { city, qingshan, shiqiao, rooms, teachers } = opts;

  await replaceBells(q, city.id, bells(CITY_BELLS));
  await replaceBells(q, qingshan.id, bells(QINGSHAN_BELLS));
  await replaceBells(q, shiqiao.id, bells(SHIQIAO_BELLS));

  const wang = { name: teachers.wang.displayName, id: teachers.wang.id };
  await replaceClasses(
    q,
    city.id,
    classes(rooms.city, [[1, 1, '数学'], [1, 2, '语文'], [2, 3, '数学'], [3, 1, '英语'], [3, 3, '语文'], [4, 5, '数学'], [5, 2, '科学'], [5, 3, '数学']], wang, {
      语文: '孙老师',
      英语: '吴老师',
      科学: '郑老师',
    }),
  );
  await replaceClasses(
    q,
    qingshan.id,
    classes(rooms.qingshan, [[1, 1, '数学'], [1, 3, '语文'], [2, 3, '数学'], [3, 1, '英语'], [4, 5, '数学'], [5, 2, '科学'], [5, 4, '数学']], { name: teachers.li.displayName, id: teachers.li.id }, {
      语文: teachers.li.displayName,
      英语: '马老师',
      科学: '马老师',
    }),
  );
  await replaceClasses(
    q,
    shiqiao.id,
    classes(rooms.shiqiao, [[1, 2, '语文'], [2, 3, '数学'], [3, 1, '英语'], [5, 3, '数学']], { name: '周老师' }, { 语文: '周老师', 英语: '何老师' }),
  );

  await replaceTerms(q, city.id, terms);
  await replaceTerms(q, qingshan.id, terms);
  await replaceTerms(q, shiqiao.id, terms);
  await replaceCalendar(q, city.id, [...shared, ...range(`${y}-11-12`, `${y}-11-13`, 'exam', '期中考试'), ...range(`${y + 1}-01-14`, `${y + 1}-01-15`, 'exam', '期末考试')].sort((a, b) => a.day.localeCompare(b.day)));
  await replaceCalendar(q, qingshan.id, [...shared, ...range(`${y}-11-17`, `${y}-11-17`, 'exam', '期中考试'), ...range(`${y + 1}-06-02`, `${y + 1}-06-03`, 'holiday', '农忙假')].sort((a, b) => a.day.localeCompare(b.day)));
  await replaceCalendar(q, shiqiao.id, [...shared].sort((a, b) => a.day.localeCompare(b.day)));
}
