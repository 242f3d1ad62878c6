// The processing side's tables (versions 150–159 of the recordings range), spread into
// RECORDING_MIGRATIONS. Append only.
import type { Migration } from '../db/migrations.js';

export const PROCESSING_MIGRATIONS: Migration[] = [
  {
    version: 150,
    sql: `
-- who spoke when, per audio track, on the lesson clock (research tools read it)
create table voice_activity (
  track_id text primary key references recording_tracks(id) on delete cascade,
  lesson_id text not null references lessons(id) on delete cascade,
  speaker text not null check (speaker in ('teacher', 'classroom')),
  classroom_id text references classrooms(id),
  segments jsonb not null,
  updated_at timestamptz not null default now()
);
create index voice_activity_lesson on voice_activity(lesson_id);
`,
  },
  {
    version: 151,
    sql: `
-- one row per processing job (key = its BullMQ job id): the recordings page's progress bars
create table recording_outputs (
  lesson_id text not null references lessons(id) on delete cascade,
  key text not null,
  kind text not null check (kind in ('track', 'window', 'composite', 'thumbnails', 'peaks', 'vad')),
  track_id text references recording_tracks(id) on delete cascade,
  seq integer,
  state text not null check (state in ('queued', 'active', 'done', 'failed')),
  progress integer not null default 0,
  attempts integer not null default 0,
  error text,
  path text,
  meta jsonb not null default '{}',
  updated_at timestamptz not null default now(),
  primary key (lesson_id, key)
);
create index recording_outputs_kind on recording_outputs(lesson_id, kind);
`,
  },
  {
    version: 152,
    sql: `
-- a track's research playback as one file, joined after the end (job type trackFile)
alter table recording_outputs drop constraint recording_outputs_kind_check;
alter table recording_outputs add constraint recording_outputs_kind_check
  check (kind in ('trackFile', 'track', 'window', 'composite', 'thumbnails', 'peaks', 'vad'));
`,
  },
  {
    version: 153,
    sql: `
-- cross-track attribution (workers/analysis/attribution.ts): per track, the speech that was this
-- room's own (the figures use it), where that was unsure, and which tracks leaked into it.
-- segments stays the detector's raw voice activity.
alter table voice_activity add column attributed jsonb;
alter table voice_activity add column uncertain jsonb not null default '[]';
alter table voice_activity add column leaks jsonb not null default '[]';
alter table recording_outputs drop constraint recording_outputs_kind_check;
alter table recording_outputs add constraint recording_outputs_kind_check
  check (kind in ('trackFile', 'track', 'window', 'composite', 'thumbnails', 'peaks', 'vad', 'attribution'));
`,
  },
];
