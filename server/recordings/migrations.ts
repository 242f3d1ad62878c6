// Schema of this feature; versions 100–199 (see server/db/migrations.ts). Append only.
// The capture/processing interface (docs/architecture.md, "Recording processing"): the capture
// side writes tracks, segments and gaps; the processing side reads them and adds its own
// tables (150–159, processingMigrations.ts); capture's later changes take 101–149.
import type { Migration } from '../db/migrations.js';
import { PROCESSING_MIGRATIONS } from './processingMigrations.js';

export const RECORDING_MIGRATIONS: Migration[] = [
  {
    version: 100,
    sql: `
create table recordings (
  lesson_id text primary key references lessons(id) on delete cascade,
  state text not null check (state in ('recording', 'paused', 'stopped')),
  clock_zero timestamptz not null,
  ended_at timestamptz,
  visibility text not null default 'participants' check (visibility in ('participants', 'pairing', 'community')),
  status_message text,
  updated_at timestamptz not null default now()
);
create table recording_tracks (
  id text primary key,
  lesson_id text not null references lessons(id) on delete cascade,
  kind text not null check (kind in ('audio', 'video')),
  source text not null check (source in ('camera', 'mic', 'screen')),
  owner text not null check (owner in ('teacher', 'classroom')),
  classroom_id text references classrooms(id),
  user_id text references users(id),
  label text not null,
  codec text not null,
  start_ms integer not null,
  end_ms integer,
  created_at timestamptz not null default now()
);
create index recording_tracks_lesson on recording_tracks(lesson_id);
create table recording_segments (
  track_id text not null references recording_tracks(id) on delete cascade,
  seq integer not null,
  path text not null,
  start_ms integer not null,
  end_ms integer,
  bytes bigint,
  state text not null check (state in ('open', 'closed', 'corrupt')),
  primary key (track_id, seq)
);
create table recording_gaps (
  id bigserial primary key,
  lesson_id text not null references lessons(id) on delete cascade,
  track_id text references recording_tracks(id) on delete cascade,
  from_ms integer not null,
  to_ms integer not null,
  reason text not null
);
`,
  },
  ...PROCESSING_MIGRATIONS,
  {
    // Why a recording stopped by itself, as data: a restarted server used to find out by
    // searching the UI's sentence in status_message (which stays, for display only).
    version: 101,
    sql: `
alter table recordings add column stop_reason text check (stop_reason in ('disk_full', 'error'));
update recordings set stop_reason = 'disk_full' where status_message like '%磁盘空间不足%';
`,
  },
];
