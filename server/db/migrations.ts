// Ordered schema migrations; the same SQL runs on embedded PGlite and on PostgreSQL.
// Append only: never edit a migration that has shipped.
// Each feature keeps its own list in a reserved version range, so features grow independently:
//   1–99 core (this file) · 100–199 recordings · 200–249 lesson plans · 250–299 timetable · 300–399 research
//   · 400–499 教共体 workspace
import { chatTableSql } from './chatTableSql.js';
import { PLAN_MIGRATIONS } from '../plans/migrations.js';
import { RECORDING_MIGRATIONS } from '../recordings/migrations.js';
import { RESEARCH_MIGRATIONS } from '../research/migrations.js';
import { TIMETABLE_MIGRATIONS } from '../timetable/migrations.js';
import { WORKSPACE_MIGRATIONS } from '../workspace/migrations.js';

export interface Migration {
  version: number;
  sql: string;
}

const CORE_MIGRATIONS: Migration[] = [
  {
    version: 1,
    sql: `
create table communities (
  id text primary key,
  name text not null,
  core_school_id text
);
create table schools (
  id text primary key,
  community_id text not null references communities(id),
  name text not null,
  kind text not null check (kind in ('city', 'rural')),
  -- pupils are minors: each school decides whether its classrooms may be recorded
  recording_consent boolean not null default true
);
create table pairings (
  id text primary key,
  community_id text not null references communities(id),
  city_school_id text not null references schools(id),
  rural_school_id text not null references schools(id),
  unique (city_school_id, rural_school_id)
);
create table classrooms (
  id text primary key,
  school_id text not null references schools(id),
  name text not null,
  grade int
);
create table users (
  id text primary key,
  community_id text not null references communities(id),
  school_id text references schools(id),
  classroom_id text references classrooms(id),
  username text not null unique,
  display_name text not null,
  role text not null check (role in ('community_admin', 'school_admin', 'teacher', 'classroom', 'researcher')),
  password_hash text,
  created_at timestamptz not null default now()
);
create table device_codes (
  code_hash text primary key,
  classroom_id text not null references classrooms(id),
  issued_by text not null references users(id),
  expires_at timestamptz not null,
  used_at timestamptz
);
create table sessions (
  id_hash text primary key,
  user_id text not null references users(id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user on sessions(user_id);
create table lessons (
  id text primary key,
  community_id text not null references communities(id),
  title text not null,
  subject text not null,
  grade int not null,
  teacher_id text not null references users(id),
  host_classroom_id text not null references classrooms(id),
  scheduled_at timestamptz not null,
  duration_min int not null,
  state text not null default 'scheduled' check (state in ('scheduled', 'live', 'ended')),
  started_at timestamptz,
  ended_at timestamptz,
  recording boolean not null default true
);
create index lessons_scheduled on lessons(community_id, scheduled_at);
create table lesson_classrooms (
  lesson_id text not null references lessons(id) on delete cascade,
  classroom_id text not null references classrooms(id),
  primary key (lesson_id, classroom_id)
);
${chatTableSql('chat_messages', 'lesson_id', 'lessons', 'chat_lesson')}
-- the lesson's event log: stage switches, hands, mutes, start/end; replay lines up on it
create table lesson_events (
  id bigserial primary key,
  lesson_id text not null references lessons(id) on delete cascade,
  at timestamptz not null default now(),
  type text not null,
  actor_id text,
  payload jsonb not null default '{}'
);
create index lesson_events_lesson on lesson_events(lesson_id, at);
create table quizzes (
  id text primary key,
  lesson_id text not null references lessons(id) on delete cascade,
  kind text not null check (kind in ('choice', 'truefalse')),
  question text not null,
  options jsonb not null,
  created_at timestamptz not null default now(),
  closed_at timestamptz
);
create table quiz_answers (
  quiz_id text not null references quizzes(id) on delete cascade,
  classroom_id text not null references classrooms(id),
  counts jsonb not null,
  answered_by text not null references users(id),
  answered_at timestamptz not null default now(),
  primary key (quiz_id, classroom_id)
);
`,
  },
  {
    version: 2,
    sql: `
-- stage, muted classrooms and raised hands of a live lesson, so a server restart resumes them
alter table lessons add column live_state jsonb not null default '{}';
`,
  },
];

export const MIGRATIONS: Migration[] = [
  ...CORE_MIGRATIONS,
  ...RECORDING_MIGRATIONS,
  ...PLAN_MIGRATIONS,
  ...TIMETABLE_MIGRATIONS,
  ...RESEARCH_MIGRATIONS,
  ...WORKSPACE_MIGRATIONS,
].sort((a, b) => a.version - b.version);
