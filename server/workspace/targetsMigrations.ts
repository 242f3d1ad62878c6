// Stored yearly targets and bureau templates (issue 12), versions 410–429.
import type { Migration } from '../db/migrations.js';

/**
 * The research module's per-pairing targets (min lessons, min sessions) become two targets of
 * that pairing's year. Exported so the test runs this very statement on rows it wrote.
 */
export const RESEARCH_TARGETS_TO_WORKSPACE = `
-- the research module's per-pairing targets (min lessons, min sessions) become two targets of
-- that pairing's year: synchronous lessons, and 网络研修 sessions of any kind
insert into workspace_targets (community_id, pairing_id, year, target_id, position, target)
select p.community_id, t.pairing_id, t.year, x.target_id, x.position,
       jsonb_build_object(
         'id', x.target_id, 'title', x.title, 'kinds', x.kinds,
         'year', jsonb_build_object('from', t.year || '-01-01', 'to', t.year || '-12-31'),
         'terms', jsonb_build_array(jsonb_build_object('from', t.year || '-01-01', 'threshold', x.threshold, 'breadth', '{}'::jsonb, 'milestones', '[]'::jsonb)))
  from research_targets t
  join pairings p on p.id = t.pairing_id
  cross join lateral (values
    ('research-lessons', 0, '同步课堂不少于' || t.min_lessons || '节', '["sync_lesson"]'::jsonb, t.min_lessons),
    ('research-sessions', 1, '网络研修不少于' || t.min_sessions || '次', '["collective_prep", "teaching_diagnosis", "thematic_research"]'::jsonb, t.min_sessions)
  ) as x(target_id, position, title, kinds, threshold)
 where x.threshold >= 1 and t.year between 2000 and 2100;
`;

export const TARGET_MIGRATIONS: Migration[] = [
  {
    version: 410,
    sql: `
-- one row per target of a scope's year: a pairing's own, or its community's (in force for every
-- pairing of the community that has none of its own). The target is the contract's Target,
-- validated by targetSchema on write and again on read.
create table workspace_targets (
  community_id text not null references communities(id) on delete cascade,
  -- null: the community's plan
  pairing_id text references pairings(id) on delete cascade,
  year int not null check (year between 2000 and 2100),
  target_id text not null,
  position int not null default 0,
  target jsonb not null,
  updated_by text references users(id),
  updated_at timestamptz not null default now()
);
create unique index workspace_targets_scope on workspace_targets(community_id, coalesce(pairing_id, ''), year, target_id);
create index workspace_targets_year on workspace_targets(year, community_id);

-- a bureau's template for a year: the targets a community's year starts from when it has none
create table workspace_target_templates (
  bureau_id text not null references bureaus(id) on delete cascade,
  year int not null check (year between 2000 and 2100),
  targets jsonb not null,
  published_by text references users(id),
  published_at timestamptz not null default now(),
  primary key (bureau_id, year)
);

${RESEARCH_TARGETS_TO_WORKSPACE}
`,
  },
  {
    version: 411,
    sql: `
-- what the progress queries look up, for a bureau's 300 pairings at once: the city schools'
-- classrooms, the lessons they hosted in the year, the rural classrooms receiving them, and
-- the research sessions held for each pairing
create index if not exists classrooms_school on classrooms(school_id);
create index if not exists lessons_host_started on lessons(host_classroom_id, started_at);
-- the few lessons live right now (judged afresh at each look)
create index if not exists lessons_host_live on lessons(host_classroom_id, started_at) where ended_at is null;
create index if not exists lesson_classrooms_classroom on lesson_classrooms(classroom_id, lesson_id);
create index if not exists research_sessions_pairing on research_sessions(pairing_id, scheduled_at);
`,
  },
  {
    version: 412,
    sql: `
-- each ended synchronous lesson judged once per pairing by the attendance rule, with its figures:
-- dashboards read these instead of every lesson's presence log (server/workspace/syncLessonsRepo.ts)
create table workspace_sync_verdicts (
  lesson_id text not null references lessons(id) on delete cascade,
  pairing_id text not null references pairings(id) on delete cascade,
  -- the lesson's Shanghai day, 'YYYY-MM-DD'
  day text not null,
  subject text not null,
  teacher_id text not null,
  counts boolean not null,
  joint_min real not null,
  needed_min real not null,
  -- the share of the planned length it was judged by: another share judges again
  min_share real not null,
  judged_at timestamptz not null default now(),
  primary key (lesson_id, pairing_id)
);
create index workspace_sync_verdicts_pairing on workspace_sync_verdicts(pairing_id, day);

-- lessons ended and not judged yet: a trigger queues each one as it ends, however it ends (the
-- live server, a restart's cleanup, an import), so a dashboard finds what is new in one query
create table workspace_judge_queue (
  lesson_id text primary key references lessons(id) on delete cascade,
  queued_at timestamptz not null default now()
);
-- (one line: the migration runner splits statements at a ';' ending a line)
create function workspace_queue_ended_lesson() returns trigger language plpgsql as $fn$ begin if new.ended_at is not null and new.started_at is not null then insert into workspace_judge_queue (lesson_id) values (new.id) on conflict do nothing; end if; return new; end $fn$;
create trigger lessons_queue_judging after insert or update of started_at, ended_at on lessons
  for each row execute function workspace_queue_ended_lesson();
-- the lessons held before this migration
insert into workspace_judge_queue (lesson_id) select id from lessons where started_at is not null and ended_at is not null;
`,
  },
];
