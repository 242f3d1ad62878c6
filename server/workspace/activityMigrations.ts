// Offline activities, their evidence files, the bureau's check (核验), notifications and the
// audit log (issue 12): versions 430–449.
import type { Migration } from '../db/migrations.js';

export const ACTIVITY_MIGRATIONS: Migration[] = [
  {
    version: 430,
    sql: `
-- what a school did away from the platform: 送教下乡, visits, student exchanges, offline 教研
create table workspace_activities (
  id text primary key,
  community_id text not null references communities(id),
  school_id text not null references schools(id),
  pairing_id text references pairings(id) on delete set null,
  kind text not null check (kind in ('send_teaching', 'offline_research', 'teacher_visit', 'student_exchange', 'mentoring')),
  day date not null,
  place text not null,
  -- names as written, and the platform's teachers who took part (breadth: distinct teachers)
  people jsonb not null default '[]',
  description text not null default '',
  subject text,
  teacher_ids jsonb not null default '[]',
  created_by text not null references users(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  status text not null default 'draft' check (status in ('draft', 'submitted', 'accepted', 'returned')),
  submitted_at timestamptz,
  review_comment text,
  reviewed_by text references users(id),
  reviewed_at timestamptz,
  -- a returned activity always says why
  check (status <> 'returned' or (review_comment is not null and review_comment <> ''))
);
create index workspace_activities_community on workspace_activities(community_id, day);
create index workspace_activities_school on workspace_activities(school_id, day);
create index workspace_activities_pairing on workspace_activities(pairing_id, day) where pairing_id is not null;
create index workspace_activities_status on workspace_activities(community_id, status);

-- files are on disk under the data folder, named by id; this is what was checked about them
create table evidence_files (
  id text primary key,
  activity_id text not null references workspace_activities(id) on delete cascade,
  path text not null,
  original_name text not null,
  type text not null check (type in ('jpeg', 'png', 'webp', 'pdf', 'docx', 'xlsx')),
  size_bytes bigint not null check (size_bytes > 0),
  sha256 text not null,
  thumb_path text,
  uploaded_by text not null references users(id),
  created_at timestamptz not null default now()
);
create index evidence_files_activity on evidence_files(activity_id, created_at);

-- who did what, when: appended in the same transaction as the change, never changed
create table workspace_audit (
  id text primary key,
  at timestamptz not null default now(),
  -- no foreign keys: the log outlives what it names
  actor_id text,
  actor_name text not null,
  action text not null,
  entity text not null,
  entity_id text not null,
  community_id text,
  before jsonb,
  after jsonb
);
create index workspace_audit_community on workspace_audit(community_id, id);
create index workspace_audit_entity on workspace_audit(entity_id, id);
-- (one line: the migration runner splits statements at a ';' ending a line)
create function workspace_audit_append_only() returns trigger language plpgsql as $$ begin raise exception 'workspace_audit is append-only'; end $$;
create trigger workspace_audit_no_change before update or delete on workspace_audit
  for each row execute function workspace_audit_append_only();

-- one row per person told, so each reads it on their own
create table workspace_notifications (
  id text primary key,
  user_id text not null references users(id),
  school_id text references schools(id),
  activity_id text references workspace_activities(id) on delete set null,
  key text not null,
  params jsonb not null default '{}',
  created_at timestamptz not null default now(),
  read_at timestamptz
);
create index workspace_notifications_user on workspace_notifications(user_id, created_at);

-- the bureau's rule per target year: count only activities it accepted (核验通过)
create table bureau_settings (
  bureau_id text not null references bureaus(id),
  year int not null,
  accepted_only boolean not null default false,
  updated_by text references users(id),
  updated_at timestamptz not null default now(),
  primary key (bureau_id, year)
);
`,
  },
];
