// Plan a term from a chosen pair of classes (preview), and schedule it: one lesson per free date.
import type { Queryable } from '../db/db.js';
import type { Pairing, PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { getUser } from '../auth/users.js';
import { inTx } from '../community/sql.js';
import { createLesson } from '../lessons/repo.js';
import { planTerm } from './plan.js';
import { assertCanSchedule } from './policy.js';
import { bookingsFor, getClassSlot, insertSeries, linkSeriesLesson, loadSchoolTimetable } from './repo.js';
import type { ClassSlot, PlanBody, ScheduleResult, TermPlan } from '../contract/timetable.js';
import { sameCourse, periodTime } from './slots.js';
import { addDays, schoolInstant } from '../contract/time.js';

interface Prepared {
  plan: TermPlan;
  city: ClassSlot;
  rural: ClassSlot;
  teacher: PublicUser | null;
  title: string;
}

async function prepare(q: Queryable, pairing: Pairing, body: Required<Omit<PlanBody, 'title'>> & { title?: string }, now: Date): Promise<Prepared> {
  const [city, rural] = [await getClassSlot(q, body.cityClassId), await getClassSlot(q, body.ruralClassId)];
  if (!city || city.schoolId !== pairing.citySchoolId) throw new AppError('NOT_FOUND', "city class not found in this pairing's city school");
  if (!rural || rural.schoolId !== pairing.ruralSchoolId) throw new AppError('NOT_FOUND', "rural class not found in this pairing's rural school");
  if (!sameCourse(city, rural)) throw new AppError('BAD_REQUEST', 'the two classes must have the same subject and grade');
  const [cityTt, ruralTt] = [await loadSchoolTimetable(q, pairing.citySchoolId), await loadSchoolTimetable(q, pairing.ruralSchoolId)];
  const cityTime = periodTime(cityTt.bells, city.weekday, city.period);
  const ruralTime = periodTime(ruralTt.bells, rural.weekday, rural.period);
  if (!cityTime) throw new AppError('BAD_REQUEST', `${cityTt.schoolName} has no bell time for that period`);
  if (!ruralTime) throw new AppError('BAD_REQUEST', `${ruralTt.schoolName} has no bell time for that period`);
  const teacher = city.teacherId ? await getUser(q, city.teacherId) : null;
  const bookings = await bookingsFor(q, {
    teacherId: teacher?.id ?? '',
    classroomIds: [city.classroomId, rural.classroomId],
    from: schoolInstant(body.from, 0),
    to: schoolInstant(addDays(body.to, 1), 0),
  });
  const plan = planTerm({
    city: { slot: city, time: cityTime, side: { name: cityTt.schoolName, calendar: cityTt.calendar, terms: cityTt.terms } },
    rural: { slot: rural, time: ruralTime, side: { name: ruralTt.schoolName, calendar: ruralTt.calendar, terms: ruralTt.terms } },
    teacher: { id: teacher?.id ?? '', name: teacher?.displayName ?? city.teacherName },
    from: body.from,
    to: body.to,
    allowanceMin: body.allowanceMin,
    bookings,
    now,
  });
  // The preview still shows every date; only scheduling needs someone to teach the lessons.
  if (!teacher) {
    const name = city.teacherName || '—';
    plan.blocking.push({
      code: 'no_teacher_account',
      side: 'city',
      message: { zh: `城区班级的任课教师（${name}）没有同步课堂账号，无法排课`, en: `The city class's teacher (${name}) has no Tongbu account, so no lessons can be scheduled` },
    });
  }
  const title = body.title ?? `${city.subject} · ${city.classroomName} × ${ruralTt.schoolName}${rural.classroomName}`;
  return { plan, city, rural, teacher, title: title.slice(0, 120) };
}

export async function previewTerm(db: Queryable, pairing: Pairing, body: Required<Omit<PlanBody, 'title'>> & { title?: string }, now = new Date()): Promise<TermPlan> {
  return (await prepare(db, pairing, body, now)).plan;
}

/** Creates the lessons of every 'ok' date in one transaction; a bell clash refuses the whole term. */
export async function scheduleTerm(
  db: Queryable,
  user: PublicUser,
  pairing: Pairing,
  body: Required<Omit<PlanBody, 'title'>> & { title?: string },
  now = new Date(),
): Promise<ScheduleResult> {
  return inTx(db, async (q) => {
    const p = await prepare(q, pairing, body, now);
    assertCanSchedule(user, pairing, p.city.teacherId);
    if (p.plan.blocking.length || !p.teacher) throw new AppError('CONFLICT', p.plan.blocking.map((c) => `${c.message.zh} / ${c.message.en}`).join('; '));
    const ok = p.plan.dates.filter((d) => d.status === 'ok');
    if (!ok.length) throw new AppError('CONFLICT', '没有可以排课的日期 / no date in this range is free');
    const seriesId = await insertSeries(q, {
      pairingId: pairing.id,
      weekday: p.plan.weekday,
      cityClassroomId: p.city.classroomId,
      ruralClassroomId: p.rural.classroomId,
      teacherId: p.teacher!.id,
      subject: p.city.subject,
      grade: p.city.grade,
      startMin: p.plan.startMin,
      endMin: p.plan.endMin,
      from: body.from,
      to: body.to,
      createdBy: user.id,
    });
    const lessonIds: string[] = [];
    for (const d of ok) {
      const lesson = await createLesson(q, p.teacher!, {
        title: p.title,
        subject: p.city.subject,
        grade: p.city.grade,
        hostClassroomId: p.city.classroomId,
        receivingClassroomIds: [p.rural.classroomId],
        scheduledAt: d.startsAt,
        durationMin: Math.max(5, p.plan.endMin - p.plan.startMin),
      });
      await linkSeriesLesson(q, seriesId, lesson.id, d.day);
      lessonIds.push(lesson.id);
    }
    return { seriesId, plan: p.plan, lessonIds };
  });
}
