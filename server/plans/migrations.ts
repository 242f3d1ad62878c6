// Schema of this feature; versions 200–249 (see server/db/migrations.ts). Append only.
import type { Migration } from '../db/migrations.js';
import { chatTableSql } from '../db/chatTableSql.js';

export const PLAN_MIGRATIONS: Migration[] = [
  {
    version: 200,
    sql: `
-- 集体备课: a plan belongs to a lesson or stands alone in a pairing's library
create table plans (
  id text primary key,
  community_id text not null references communities(id),
  lesson_id text references lessons(id) on delete set null,
  pairing_id text references pairings(id),
  title text not null,
  created_by text not null references users(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- 教学过程 phases (title + planned minutes), derived from the document on change
  phases jsonb not null default '[]',
  check (lesson_id is not null or pairing_id is not null)
);
create index plans_lesson on plans(lesson_id);
create index plans_pairing on plans(pairing_id);
-- every Yjs update as it arrives; compaction folds them into plan_snapshots
create table plan_updates (
  id bigserial primary key,
  plan_id text not null references plans(id) on delete cascade,
  data bytea not null,
  user_id text,
  created_at timestamptz not null default now()
);
create index plan_updates_plan on plan_updates(plan_id, id);
create table plan_snapshots (
  plan_id text primary key references plans(id) on delete cascade,
  data bytea not null,
  merged int not null default 0,
  updated_at timestamptz not null default now()
);
create table plan_versions (
  id text primary key,
  plan_id text not null references plans(id) on delete cascade,
  name text not null,
  data bytea not null,
  created_by text not null references users(id),
  created_at timestamptz not null default now()
);
create index plan_versions_plan on plan_versions(plan_id, created_at);
create table plan_comments (
  id text primary key,
  plan_id text not null references plans(id) on delete cascade,
  parent_id text references plan_comments(id) on delete cascade,
  user_id text not null references users(id),
  text text not null,
  anchor jsonb,
  resolved_at timestamptz,
  resolved_by text references users(id),
  created_at timestamptz not null default now()
);
create index plan_comments_plan on plan_comments(plan_id, created_at);
${chatTableSql('plan_chat_messages', 'plan_id', 'plans', 'plan_chat_plan')}
`,
  },
];
