// 师徒结对 (issue 12), versions 470–489: mentor pairs, how long people watch lessons (live and
// recorded), and who edited which plan on which day (the plan history compacts its updates away,
// so the authors are kept here, by a trigger on every stored update).
import type { Migration } from '../db/migrations.js';

export const MENTOR_MIGRATIONS: Migration[] = [
  {
    version: 470,
    sql: `
-- a city teacher (mentor) and a rural teacher (mentee) of one community, for a period, with goals
create table mentor_pairs (
  id text primary key,
  community_id text not null references communities(id),
  mentor_id text not null references users(id),
  mentee_id text not null references users(id),
  subject text not null default '',
  starts_on date not null,
  ends_on date not null,
  -- set when the community admin ends the pair before its planned end
  ended_on date,
  goals text not null default '',
  created_by text not null references users(id),
  created_at timestamptz not null default now(),
  check (ends_on >= starts_on),
  check (ended_on is null or ended_on >= starts_on),
  check (mentor_id <> mentee_id)
);
create index mentor_pairs_community on mentor_pairs(community_id);
create index mentor_pairs_mentor on mentor_pairs(mentor_id);
create index mentor_pairs_mentee on mentor_pairs(mentee_id);

-- seconds a user watched a lesson, per Shanghai day: live (as observer or teacher of another's
-- lesson, written when they leave) or its recording (the replay page's heartbeats, capped by the
-- wall clock since the previous beat: last_at)
create table lesson_watch (
  user_id text not null references users(id),
  lesson_id text not null references lessons(id) on delete cascade,
  mode text not null check (mode in ('live', 'replay')),
  day date not null,
  seconds int not null default 0 check (seconds >= 0),
  last_at timestamptz not null default now(),
  primary key (user_id, lesson_id, mode, day)
);
create index lesson_watch_lesson on lesson_watch(lesson_id);

-- who edited a plan on which Shanghai day (co-writing), kept beside plan_updates, which compaction deletes
create table plan_editors (
  plan_id text not null references plans(id) on delete cascade,
  user_id text not null references users(id),
  day date not null,
  edits int not null default 0,
  primary key (plan_id, user_id, day)
);
create index plan_editors_user on plan_editors(user_id, day);
-- (the migration runner splits statements at a ';' that ends a line: the body keeps its own
-- semicolons mid-line)
create function plan_editors_note() returns trigger language plpgsql as $fn$
begin
  if new.user_id is not null then insert into plan_editors (plan_id, user_id, day, edits)
    values (new.plan_id, new.user_id, ((new.created_at at time zone 'UTC') + interval '8 hours')::date, 1)
    on conflict (plan_id, user_id, day) do update set edits = plan_editors.edits + 1; end if; return new; end
$fn$;
create trigger plan_updates_editors after insert on plan_updates for each row execute function plan_editors_note();
-- the updates not compacted yet
insert into plan_editors (plan_id, user_id, day, edits)
select plan_id, user_id, ((created_at at time zone 'UTC') + interval '8 hours')::date, count(*)
  from plan_updates where user_id is not null and user_id in (select id from users)
 group by 1, 2, 3;
`,
  },
];
