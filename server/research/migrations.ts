// Schema of this feature; versions 300–399 (see server/db/migrations.ts). Append only.
import type { Migration } from '../db/migrations.js';

export const RESEARCH_MIGRATIONS: Migration[] = [
  {
    version: 300,
    sql: `
-- 教研组: teaching-research groups whose members come from several schools of a community
create table research_groups (
  id text primary key,
  community_id text not null references communities(id),
  name text not null,
  subject text not null default '',
  created_by text not null references users(id),
  created_at timestamptz not null default now()
);
create table research_group_members (
  group_id text not null references research_groups(id) on delete cascade,
  user_id text not null references users(id),
  role text not null default 'member' check (role in ('lead', 'member')),
  primary key (group_id, user_id)
);
create index research_group_members_user on research_group_members(user_id);
-- 网络研修: 集体备课 / 教学诊断 / 主题研修 against a recording or a live lesson
create table research_sessions (
  id text primary key,
  group_id text not null references research_groups(id) on delete cascade,
  kind text not null check (kind in ('planning', 'diagnosis', 'thematic')),
  title text not null,
  lesson_id text references lessons(id) on delete set null,
  pairing_id text references pairings(id),
  scheduled_at timestamptz not null,
  agenda text not null default '',
  minutes text not null default '',
  conclusions text not null default '',
  created_by text not null references users(id),
  created_at timestamptz not null default now()
);
create index research_sessions_group on research_sessions(group_id, scheduled_at);
create index research_sessions_lesson on research_sessions(lesson_id);
-- yearly targets per pairing (defaults: 10 synchronous lessons, 4 research sessions)
create table research_targets (
  pairing_id text not null references pairings(id) on delete cascade,
  year int not null,
  min_lessons int not null default 10,
  min_sessions int not null default 4,
  primary key (pairing_id, year)
);
-- the community's observation rubric (criteria and score levels), configurable by its admins
create table research_rubrics (
  community_id text primary key references communities(id),
  criteria jsonb not null,
  levels jsonb not null,
  updated_at timestamptz not null default now()
);
-- 评课: point (end_ms null) or range annotations on the lesson clock, threaded by parent_id
create table annotations (
  id text primary key,
  lesson_id text not null references lessons(id) on delete cascade,
  author_id text not null references users(id),
  group_id text references research_groups(id) on delete set null,
  parent_id text references annotations(id) on delete cascade,
  framework text not null check (framework in ('none', 'st', 'flanders', 'rubric')),
  code text,
  at_ms integer not null check (at_ms >= 0),
  end_ms integer,
  text text not null,
  live boolean not null default false,
  created_at timestamptz not null default now(),
  check (end_ms is null or end_ms >= at_ms)
);
create index annotations_lesson on annotations(lesson_id, at_ms);
create table annotation_mentions (
  annotation_id text not null references annotations(id) on delete cascade,
  user_id text not null references users(id),
  read_at timestamptz,
  primary key (annotation_id, user_id)
);
create index annotation_mentions_user on annotation_mentions(user_id, read_at);
-- researcher corrections of automatic S-T codes; the automatic coding is recomputed, never overwritten
create table st_corrections (
  lesson_id text not null references lessons(id) on delete cascade,
  interval_s int not null check (interval_s in (15, 30, 60)),
  sample_index int not null check (sample_index >= 0),
  code text not null check (code in ('T', 'S')),
  corrected_by text not null references users(id),
  corrected_at timestamptz not null default now(),
  primary key (lesson_id, interval_s, sample_index)
);
create table rubric_scores (
  lesson_id text not null references lessons(id) on delete cascade,
  rater_id text not null references users(id),
  scores jsonb not null,
  comment text not null default '',
  updated_at timestamptz not null default now(),
  primary key (lesson_id, rater_id)
);
`,
  },
];
