// 教共体 workspace migrations (400–499). Each slice keeps its own sub-range so slices grow
// independently: 400–409 organisations and roles (this file) · 410–429 targets · 430–449
// activities, evidence and 核验 · 450–469 usage statistics · 470–489 mentor pairs.
import type { Migration } from '../db/migrations.js';
import { ACTIVITY_MIGRATIONS } from './activityMigrations.js';
import { MENTOR_MIGRATIONS } from './mentorMigrations.js';
import { USAGE_MIGRATIONS } from './usageMigrations.js';
import { TARGET_MIGRATIONS } from './targetsMigrations.js';

export const ORG_MIGRATIONS: Migration[] = [
  {
    version: 400,
    sql: `
-- the education bureau (教育局) above communities: it sets targets and checks (核验) the work
create table bureaus (
  id text primary key,
  name text not null unique,
  -- the area it governs, as its documents name it (余姚市)
  region text not null default ''
);
alter table communities add column bureau_id text references bureaus(id);
-- 融合型 (fusion) / 共建型 (cobuild); 县域 / 市域 / 省域
alter table communities add column kind text not null default 'cobuild' check (kind in ('fusion', 'cobuild'));
alter table communities add column scope text not null default 'county' check (scope in ('county', 'city', 'province'));
create index communities_bureau on communities(bureau_id);

-- pairings run in rounds (Zhejiang: three-year rounds), each year with its theme
create table pairing_rounds (
  id text primary key,
  pairing_id text not null references pairings(id) on delete cascade,
  round int not null check (round >= 1),
  starts_on date not null,
  ends_on date not null,
  -- one theme per year of the round: 教师互访年, 学生互访年, 持续发展年
  year_themes jsonb not null default '[]',
  check (ends_on >= starts_on),
  unique (pairing_id, round)
);
-- each pairing's leaders and what each is responsible for (责任分工)
create table pairing_leaders (
  pairing_id text not null references pairings(id) on delete cascade,
  user_id text not null references users(id),
  duty text not null,
  primary key (pairing_id, user_id)
);

-- a bureau reviewer belongs to a bureau and no community; everyone else to a community only
alter table users alter column community_id drop not null;
alter table users add column bureau_id text references bureaus(id);
alter table users drop constraint users_role_check;
alter table users add constraint users_role_check
  check (role in ('community_admin', 'school_admin', 'teacher', 'classroom', 'researcher', 'bureau_reviewer'));
alter table users add constraint users_organisation check (
  (role = 'bureau_reviewer' and bureau_id is not null and community_id is null and school_id is null)
  or (role <> 'bureau_reviewer' and community_id is not null and bureau_id is null));
create index users_bureau on users(bureau_id) where bureau_id is not null;
`,
  },
];

/** Every workspace slice's migrations; each slice appends to its own list. */
export const WORKSPACE_MIGRATIONS: Migration[] = [...ORG_MIGRATIONS, ...TARGET_MIGRATIONS, ...ACTIVITY_MIGRATIONS, ...USAGE_MIGRATIONS, ...MENTOR_MIGRATIONS];
