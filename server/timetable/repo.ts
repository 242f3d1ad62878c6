// Bell schedules, class timetables, calendars and terms of a school; lesson series; feed tokens.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import { AppError } from '../contract/errors.js';
import { inTx, iso, rowMapper } from '../community/sql.js';
import type { Booking } from './clashes.js';
import type { Directory } from './importRows.js';
import type { BellPeriod, CalendarDay, ClassSlot, ClassSlotInput, FeedKind, SchoolTimetable, Term, TermInput } from '../contract/timetable.js';

export async function loadSchoolTimetable(db: Queryable, schoolId: string): Promise<SchoolTimetable> {
  const school = (await db.query<{ name: string; kind: 'city' | 'rural' }>('select name, kind from schools where id = $1', [schoolId]))[0];
  if (!school) throw new AppError('NOT_FOUND', 'school not found');
  const bells = await db.query(
    'select weekday, period, start_min, end_min from tt_periods where school_id = $1 order by weekday, period',
    [schoolId],
  );
  const classes = await db.query(
    `select t.id, t.school_id, t.weekday, t.period, t.classroom_id, c.name as classroom_name, t.subject, t.grade, t.teacher_name, t.teacher_id
       from tt_classes t join classrooms c on c.id = t.classroom_id
      where t.school_id = $1 order by t.weekday, t.period, c.name`,
    [schoolId],
  );
  const calendar = await db.query('select day, kind, note from tt_calendar where school_id = $1 order by day', [schoolId]);
  const terms = await db.query('select id, name, starts_on, ends_on from tt_terms where school_id = $1 order by starts_on', [schoolId]);
  return {
    schoolId,
    schoolName: school.name,
    kind: school.kind,
    bells: bells.map((r) => ({ weekday: Number(r.weekday), period: Number(r.period), startMin: Number(r.start_min), endMin: Number(r.end_min) })),
    classes: classes.map(toClassSlot),
    calendar: calendar.map((r) => ({ day: String(r.day), kind: r.kind as CalendarDay['kind'], note: String(r.note) })),
    terms: terms.map((r) => ({ id: String(r.id), name: String(r.name), startsOn: String(r.starts_on), endsOn: String(r.ends_on) })),
  };
}

const toClassSlot = rowMapper<ClassSlot>({
  str: ['id', 'schoolId', 'classroomId', 'classroomName', 'subject', 'teacherName'],
  num: ['weekday', 'period', 'grade'],
  strOrNull: ['teacherId'],
});

export async function getClassSlot(db: Queryable, id: string): Promise<ClassSlot | null> {
  const rows = await db.query(
    `select t.id, t.school_id, t.weekday, t.period, t.classroom_id, c.name as classroom_name, t.subject, t.grade, t.teacher_name, t.teacher_id
       from tt_classes t join classrooms c on c.id = t.classroom_id where t.id = $1`,
    [id],
  );
  return rows[0] ? toClassSlot(rows[0]) : null;
}

/** What an import needs to resolve names: the school's classrooms and teachers. */
export async function schoolDirectory(db: Queryable, schoolId: string): Promise<Directory> {
  const classrooms = await db.query('select id, name, grade from classrooms where school_id = $1 order by name', [schoolId]);
  const teachers = await db.query(
    `select id, display_name, username from users where school_id = $1 and role = 'teacher' order by display_name`,
    [schoolId],
  );
  return {
    classrooms: classrooms.map((r) => ({ id: String(r.id), name: String(r.name), grade: r.grade === null ? null : Number(r.grade) })),
    teachers: teachers.map((r) => ({ id: String(r.id), displayName: String(r.display_name), username: String(r.username) })),
  };
}

export async function replaceBells(db: Queryable, schoolId: string, periods: BellPeriod[]): Promise<void> {
  const seen = new Set<string>();
  for (const p of periods) {
    const key = `${p.weekday}/${p.period}`;
    if (seen.has(key)) throw new AppError('BAD_REQUEST', `weekday ${p.weekday} period ${p.period} appears twice`);
    seen.add(key);
    const other = periods.find((o) => o !== p && o.weekday === p.weekday && o.startMin < p.endMin && p.startMin < o.endMin);
    if (other) throw new AppError('BAD_REQUEST', `weekday ${p.weekday}: periods ${p.period} and ${other.period} overlap`);
  }
  await inTx(db, async (q) => {
    await q.query('delete from tt_periods where school_id = $1', [schoolId]);
    for (const p of periods) {
      await q.query('insert into tt_periods (school_id, weekday, period, start_min, end_min) values ($1, $2, $3, $4, $5)', [
        schoolId,
        p.weekday,
        p.period,
        p.startMin,
        p.endMin,
      ]);
    }
  });
}

export async function replaceClasses(db: Queryable, schoolId: string, classes: ClassSlotInput[]): Promise<void> {
  const dir = await schoolDirectory(db, schoolId);
  const rooms = new Set(dir.classrooms.map((c) => c.id));
  const teachers = new Map(dir.teachers.map((t) => [t.id, t]));
  const seen = new Set<string>();
  for (const c of classes) {
    if (!rooms.has(c.classroomId)) throw new AppError('BAD_REQUEST', `classroom ${c.classroomId} is not in this school`);
    if (c.teacherId && !teachers.has(c.teacherId)) throw new AppError('BAD_REQUEST', `teacher ${c.teacherId} is not a teacher of this school`);
    const key = `${c.classroomId}/${c.weekday}/${c.period}`;
    if (seen.has(key)) throw new AppError('BAD_REQUEST', 'a class has two subjects in one period');
    seen.add(key);
  }
  await inTx(db, async (q) => {
    await q.query('delete from tt_classes where school_id = $1', [schoolId]);
    for (const c of classes) {
      const teacherName = c.teacherName || (c.teacherId ? teachers.get(c.teacherId)!.displayName : '');
      await q.query(
        `insert into tt_classes (id, school_id, weekday, period, classroom_id, subject, grade, teacher_name, teacher_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [randomUUID(), schoolId, c.weekday, c.period, c.classroomId, c.subject, c.grade, teacherName ?? '', c.teacherId ?? null],
      );
    }
  });
}

export async function replaceCalendar(db: Queryable, schoolId: string, days: CalendarDay[]): Promise<void> {
  if (new Set(days.map((d) => d.day)).size !== days.length) throw new AppError('BAD_REQUEST', 'a day appears twice in the calendar');
  await inTx(db, async (q) => {
    await q.query('delete from tt_calendar where school_id = $1', [schoolId]);
    for (const d of days) {
      await q.query('insert into tt_calendar (school_id, day, kind, note) values ($1, $2, $3, $4)', [schoolId, d.day, d.kind, d.note ?? '']);
    }
  });
}

export async function replaceTerms(db: Queryable, schoolId: string, terms: TermInput[]): Promise<Term[]> {
  if (new Set(terms.map((t) => t.name)).size !== terms.length) throw new AppError('BAD_REQUEST', 'two terms have the same name');
  return inTx(db, async (q) => {
    await q.query('delete from tt_terms where school_id = $1', [schoolId]);
    const out: Term[] = [];
    for (const t of terms) {
      const id = randomUUID();
      await q.query('insert into tt_terms (id, school_id, name, starts_on, ends_on) values ($1, $2, $3, $4, $5)', [id, schoolId, t.name, t.startsOn, t.endsOn]);
      out.push({ id, ...t });
    }
    return out;
  });
}

/** Lessons not yet ended that involve the teacher or any of the classrooms, overlapping [from, to). */
export async function bookingsFor(
  db: Queryable,
  opts: { teacherId: string; classroomIds: string[]; from: Date; to: Date },
): Promise<Booking[]> {
  const rows = await db.query(
    `select l.id, l.title, l.teacher_id, l.host_classroom_id, l.scheduled_at, l.duration_min,
            coalesce((select json_agg(lc.classroom_id) from lesson_classrooms lc where lc.lesson_id = l.id), '[]'::json) as receiving
       from lessons l
      where l.state <> 'ended'
        and l.scheduled_at < $4::timestamptz
        and l.scheduled_at + l.duration_min * interval '1 minute' > $3::timestamptz
        and (l.teacher_id = $1 or l.host_classroom_id = any($2)
             or exists (select 1 from lesson_classrooms lc where lc.lesson_id = l.id and lc.classroom_id = any($2)))`,
    [opts.teacherId, opts.classroomIds, opts.from.toISOString(), opts.to.toISOString()],
  );
  return rows.map((r) => {
    const start = new Date(iso(r.scheduled_at));
    const receiving = (typeof r.receiving === 'string' ? JSON.parse(r.receiving) : r.receiving) as string[];
    return {
      lessonId: String(r.id),
      title: String(r.title),
      teacherId: String(r.teacher_id),
      classroomIds: [String(r.host_classroom_id), ...receiving],
      start,
      end: new Date(start.getTime() + Number(r.duration_min) * 60_000),
    };
  });
}

export async function insertSeries(
  q: Queryable,
  s: {
    pairingId: string;
    weekday: number;
    cityClassroomId: string;
    ruralClassroomId: string;
    teacherId: string;
    subject: string;
    grade: number;
    startMin: number;
    endMin: number;
    from: string;
    to: string;
    createdBy: string;
  },
): Promise<string> {
  const id = randomUUID();
  await q.query(
    `insert into tt_series (id, pairing_id, weekday, city_classroom_id, rural_classroom_id, teacher_id, subject, grade, start_min, end_min, from_day, to_day, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [id, s.pairingId, s.weekday, s.cityClassroomId, s.ruralClassroomId, s.teacherId, s.subject, s.grade, s.startMin, s.endMin, s.from, s.to, s.createdBy],
  );
  return id;
}

export async function linkSeriesLesson(q: Queryable, seriesId: string, lessonId: string, day: string): Promise<void> {
  await q.query('insert into tt_series_lessons (lesson_id, series_id, day) values ($1, $2, $3)', [lessonId, seriesId, day]);
}

// ---- iCalendar feed tokens ----

const hash = (token: string) => createHash('sha256').update(token).digest('hex');

/** A new token for the feed; the old one (if any) stops working at once. Returns the token in clear, once. */
export async function regenerateFeedToken(db: Queryable, kind: FeedKind, ownerId: string, createdBy: string): Promise<{ token: string; createdAt: string }> {
  const token = randomBytes(24).toString('base64url');
  const rows = await db.query(
    `insert into tt_feed_tokens (owner_kind, owner_id, token_hash, created_by) values ($1, $2, $3, $4)
     on conflict (owner_kind, owner_id) do update set token_hash = excluded.token_hash, created_by = excluded.created_by, created_at = now()
     returning created_at`,
    [kind, ownerId, hash(token), createdBy],
  );
  return { token, createdAt: iso(rows[0].created_at) };
}

export async function feedStatus(db: Queryable, kind: FeedKind, ownerId: string): Promise<string | null> {
  const rows = await db.query('select created_at from tt_feed_tokens where owner_kind = $1 and owner_id = $2', [kind, ownerId]);
  return rows[0] ? iso(rows[0].created_at) : null;
}

export async function feedOwner(db: Queryable, token: string): Promise<{ kind: FeedKind; id: string } | null> {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(token)) return null;
  const rows = await db.query<{ owner_kind: FeedKind; owner_id: string }>('select owner_kind, owner_id from tt_feed_tokens where token_hash = $1', [hash(token)]);
  return rows[0] ? { kind: rows[0].owner_kind, id: rows[0].owner_id } : null;
}

export interface FeedLesson {
  id: string;
  title: string;
  subject: string;
  grade: number;
  teacherName: string;
  hostClassroomId: string;
  hostName: string;
  receiving: string[];
  scheduledAt: Date;
  durationMin: number;
  state: string;
}

/** The owner's synchronous lessons from 60 days back to a year ahead (at most 1000). */
export async function feedLessons(db: Queryable, kind: FeedKind, ownerId: string): Promise<FeedLesson[]> {
  const who =
    kind === 'teacher'
      ? 'l.teacher_id = $1'
      : '(l.host_classroom_id = $1 or exists (select 1 from lesson_classrooms x where x.lesson_id = l.id and x.classroom_id = $1))';
  const rows = await db.query(
    `select l.id, l.title, l.subject, l.grade, u.display_name as teacher_name, l.host_classroom_id,
            hs.name || ' ' || hc.name as host_name, l.scheduled_at, l.duration_min, l.state,
            coalesce((select json_agg(s.name || ' ' || c.name order by s.name, c.name)
                        from lesson_classrooms lc join classrooms c on c.id = lc.classroom_id join schools s on s.id = c.school_id
                       where lc.lesson_id = l.id), '[]'::json) as receiving
       from lessons l join users u on u.id = l.teacher_id
       join classrooms hc on hc.id = l.host_classroom_id join schools hs on hs.id = hc.school_id
      where ${who}
        and l.scheduled_at > now() - interval '60 days' and l.scheduled_at < now() + interval '366 days'
      order by l.scheduled_at, l.id limit 1000`,
    [ownerId],
  );
  return rows.map((r) => ({
    id: String(r.id),
    title: String(r.title),
    subject: String(r.subject),
    grade: Number(r.grade),
    teacherName: String(r.teacher_name),
    hostClassroomId: String(r.host_classroom_id),
    hostName: String(r.host_name),
    receiving: (typeof r.receiving === 'string' ? JSON.parse(r.receiving) : r.receiving) as string[],
    scheduledAt: new Date(iso(r.scheduled_at)),
    durationMin: Number(r.duration_min),
    state: String(r.state),
  }));
}
