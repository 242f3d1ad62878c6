// Schema of this feature; versions 250–299 (see server/db/migrations.ts). Append only.
// Times of day are minutes since midnight and days are 'YYYY-MM-DD' text, both Asia/Shanghai
// wall-clock: a bell schedule is local time, and text days avoid driver time-zone conversions.
import type { Migration } from '../db/migrations.js';

export const TIMETABLE_MIGRATIONS: Migration[] = [
  {
    version: 250,
    sql: `
-- 作息时间表: one row per weekday and period
create table tt_periods (
  school_id text not null references schools(id) on delete cascade,
  weekday int not null check (weekday between 1 and 7),
  period int not null check (period between 1 and 20),
  start_min int not null check (start_min between 0 and 1439),
  end_min int not null check (end_min between 1 and 1440),
  primary key (school_id, weekday, period),
  check (end_min > start_min)
);
-- 课程表: which class has which subject in which period
create table tt_classes (
  id text primary key,
  school_id text not null references schools(id) on delete cascade,
  weekday int not null check (weekday between 1 and 7),
  period int not null check (period between 1 and 20),
  classroom_id text not null references classrooms(id),
  subject text not null,
  grade int not null check (grade between 1 and 12),
  teacher_name text not null default '',
  teacher_id text references users(id),
  unique (classroom_id, weekday, period)
);
create index tt_classes_school on tt_classes(school_id, weekday);
-- 校历: holidays and exam days
create table tt_calendar (
  school_id text not null references schools(id) on delete cascade,
  day text not null check (day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  kind text not null check (kind in ('holiday', 'exam')),
  note text not null default '',
  primary key (school_id, day)
);
create table tt_terms (
  id text primary key,
  school_id text not null references schools(id) on delete cascade,
  name text not null,
  starts_on text not null check (starts_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  ends_on text not null check (ends_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  unique (school_id, name),
  check (ends_on >= starts_on)
);
-- a term of weekly synchronous lessons scheduled from one matching slot
create table tt_series (
  id text primary key,
  pairing_id text not null references pairings(id),
  weekday int not null,
  city_classroom_id text not null references classrooms(id),
  rural_classroom_id text not null references classrooms(id),
  teacher_id text not null references users(id),
  subject text not null,
  grade int not null,
  start_min int not null,
  end_min int not null,
  from_day text not null,
  to_day text not null,
  created_by text not null references users(id),
  created_at timestamptz not null default now()
);
create table tt_series_lessons (
  lesson_id text primary key references lessons(id) on delete cascade,
  series_id text not null references tt_series(id) on delete cascade,
  day text not null
);
create index tt_series_lessons_series on tt_series_lessons(series_id);
-- iCalendar subscription tokens; only the sha256 is kept, so a leaked backup reveals no feed
create table tt_feed_tokens (
  owner_kind text not null check (owner_kind in ('teacher', 'classroom')),
  owner_id text not null,
  token_hash text not null unique,
  created_by text not null references users(id),
  created_at timestamptz not null default now(),
  primary key (owner_kind, owner_id)
);
`,
  },
];
