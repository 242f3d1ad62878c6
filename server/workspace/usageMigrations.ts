// Usage statistics (issue 12), versions 450–469: one row per user × module × terminal × day with
// its visit count, so 人 (distinct users) and 人次 (visits) per month are a group-by, and the write
// is one upsert per batch whatever the traffic.
import type { Migration } from '../db/migrations.js';

export const USAGE_MIGRATIONS: Migration[] = [
  {
    version: 450,
    sql: `
create table usage_visits (
  day date not null,
  user_id text not null references users(id) on delete cascade,
  module text not null check (module in ('sync_lesson', 'collective_prep', 'research', 'recording', 'remote_course', 'workspace')),
  terminal text not null check (terminal in ('projector', 'pc', 'mobile')),
  -- the user's role and organisation on the day (a teacher who moves school keeps last year's rows)
  role text not null,
  school_id text references schools(id),
  community_id text references communities(id),
  bureau_id text references bureaus(id),
  visits int not null check (visits >= 0),
  primary key (user_id, module, terminal, day)
);
create index usage_visits_community on usage_visits(community_id, day);
create index usage_visits_bureau on usage_visits(bureau_id, day) where bureau_id is not null;
`,
  },
];
