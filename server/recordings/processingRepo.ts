// What the processing side reads (recordings, tracks, segments: written by capture) and
// writes (recording_outputs, voice_activity).
import type { Queryable } from '../db/db.js';
import type { OutputKind, OutputState } from '../contract/recordings.js';
import type { TrackRow } from './repo.js';
import { parseLessonEvent, type LessonEventData } from '../contract/lessonEvents.js';

export interface SegmentRec {
  trackId: string;
  seq: number;
  path: string;
  startMs: number;
  endMs: number | null;
  state: 'open' | 'closed' | 'corrupt';
}

export interface OutputRow {
  lessonId: string;
  key: string;
  kind: OutputKind;
  trackId: string | null;
  seq: number | null;
  state: OutputState;
  progress: number;
  attempts: number;
  error: string | null;
  path: string | null;
  meta: Record<string, unknown>;
}

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v == null ? null : new Date(String(v)).toISOString());
const json = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

// Every reader takes a list of lessons (see repo.ts): one query per table for the recordings page's 200.

export async function listSegmentsOf(db: Queryable, lessonIds: readonly string[]): Promise<(SegmentRec & { lessonId: string })[]> {
  if (!lessonIds.length) return [];
  const rows = await db.query(
    `select t.lesson_id, s.track_id, s.seq, s.path, s.start_ms, s.end_ms, s.state
       from recording_segments s join recording_tracks t on t.id = s.track_id
      where t.lesson_id = any($1::text[]) order by s.track_id, s.seq`,
    [lessonIds],
  );
  return rows.map((r) => ({
    lessonId: String(r.lesson_id),
    trackId: String(r.track_id),
    seq: Number(r.seq),
    path: String(r.path),
    startMs: Number(r.start_ms),
    endMs: r.end_ms == null ? null : Number(r.end_ms),
    state: r.state as SegmentRec['state'],
  }));
}

export async function listSegments(db: Queryable, lessonId: string): Promise<SegmentRec[]> {
  return (await listSegmentsOf(db, [lessonId])).map(({ lessonId: _, ...s }) => s);
}

export async function markSegmentCorrupt(db: Queryable, trackId: string, seq: number): Promise<void> {
  await db.query(`update recording_segments set state = 'corrupt' where track_id = $1 and seq = $2`, [trackId, seq]);
}

/** Undoes markSegmentCorrupt (a retried job gets its segment back); a segment marked otherwise stays. */
export async function unmarkSegmentCorrupt(db: Queryable, trackId: string, seq: number): Promise<void> {
  await db.query(`update recording_segments set state = 'closed' where track_id = $1 and seq = $2 and state = 'corrupt'`, [trackId, seq]);
}

/** The track's start on the lesson clock and its kind; null if the lesson has no such track. */
export async function getTrackHead(db: Queryable, lessonId: string, trackId: string): Promise<{ startMs: number; kind: TrackRow['kind'] } | null> {
  const [r] = await db.query('select start_ms, kind from recording_tracks where id = $1 and lesson_id = $2', [trackId, lessonId]);
  return r ? { startMs: Number(r.start_ms), kind: r.kind as TrackRow['kind'] } : null;
}

function toOutput(r: Record<string, unknown>): OutputRow {
  return {
    lessonId: String(r.lesson_id),
    key: String(r.key),
    kind: r.kind as OutputKind,
    trackId: (r.track_id as string | null) ?? null,
    seq: r.seq == null ? null : Number(r.seq),
    state: r.state as OutputState,
    progress: Number(r.progress),
    attempts: Number(r.attempts),
    error: (r.error as string | null) ?? null,
    path: (r.path as string | null) ?? null,
    meta: json<Record<string, unknown>>(r.meta) ?? {},
  };
}

export async function listOutputsOf(db: Queryable, lessonIds: readonly string[]): Promise<OutputRow[]> {
  if (!lessonIds.length) return [];
  const rows = await db.query('select * from recording_outputs where lesson_id = any($1::text[]) order by kind, key', [lessonIds]);
  return rows.map(toOutput);
}

export function listOutputs(db: Queryable, lessonId: string): Promise<OutputRow[]> {
  return listOutputsOf(db, [lessonId]);
}

export async function getOutput(db: Queryable, lessonId: string, key: string): Promise<OutputRow | null> {
  const [r] = await db.query('select * from recording_outputs where lesson_id = $1 and key = $2', [lessonId, key]);
  return r ? toOutput(r) : null;
}

export async function deleteOutput(db: Queryable, lessonId: string, key: string): Promise<void> {
  await db.query('delete from recording_outputs where lesson_id = $1 and key = $2', [lessonId, key]);
}

/** Lessons whose processing may have been cut by a restart: still recording, without peaks yet, or with a job in flight. */
export async function listUnsettledLessonIds(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ lesson_id: string }>(
    `select r.lesson_id from recordings r
      where r.state <> 'stopped'
         or not exists (select 1 from recording_outputs o where o.lesson_id = r.lesson_id and o.kind = 'peaks' and o.state = 'done')
         or exists (select 1 from recording_outputs o where o.lesson_id = r.lesson_id and o.state in ('queued', 'active'))`,
  );
  return rows.map((r) => r.lesson_id);
}

/** Inserts a queued output; false if it already existed (its job was queued before). */
export async function insertOutput(
  db: Queryable,
  o: { lessonId: string; key: string; kind: OutputKind; trackId?: string | null; seq?: number | null; path: string | null },
): Promise<boolean> {
  const rows = await db.query(
    `insert into recording_outputs (lesson_id, key, kind, track_id, seq, state, path)
     values ($1, $2, $3, $4, $5, 'queued', $6) on conflict do nothing returning key`,
    [o.lessonId, o.key, o.kind, o.trackId ?? null, o.seq ?? null, o.path],
  );
  return rows.length > 0;
}

export async function updateOutput(
  db: Queryable,
  lessonId: string,
  key: string,
  patch: Partial<Pick<OutputRow, 'state' | 'progress' | 'attempts' | 'error' | 'meta'>>,
): Promise<void> {
  await db.query(
    `update recording_outputs set
        state = coalesce($3, state), progress = coalesce($4, progress), attempts = coalesce($5, attempts),
        error = case when $6::boolean then $7 else error end,
        meta = coalesce($8::jsonb, meta), updated_at = now()
      where lesson_id = $1 and key = $2`,
    [
      lessonId,
      key,
      patch.state ?? null,
      patch.progress ?? null,
      patch.attempts ?? null,
      'error' in patch,
      patch.error ?? null,
      patch.meta ? JSON.stringify(patch.meta) : null,
    ],
  );
}

export type EventRec = { atMs: number; actorId: string | null } & LessonEventData;

/** Each lesson's event log on its own lesson clock (`clockZeros`: lesson id → the recording's clock zero). */
export async function listEventsOnClockOf(db: Queryable, clockZeros: ReadonlyMap<string, string>): Promise<(EventRec & { lessonId: string })[]> {
  if (!clockZeros.size) return [];
  const rows = await db.query('select lesson_id, at, type, actor_id, payload from lesson_events where lesson_id = any($1::text[]) order by at, id', [
    [...clockZeros.keys()],
  ]);
  return rows.flatMap((r) => {
    const lessonId = String(r.lesson_id);
    const e = parseLessonEvent(String(r.type), json<unknown>(r.payload));
    const zero = Date.parse(clockZeros.get(lessonId)!);
    return e ? [{ lessonId, atMs: Date.parse(iso(r.at)!) - zero, actorId: (r.actor_id as string | null) ?? null, ...e }] : [];
  });
}

/** The lesson's event log on the lesson clock. */
export async function listEventsOnClock(db: Queryable, lessonId: string, clockZero: string): Promise<EventRec[]> {
  return (await listEventsOnClockOf(db, new Map([[lessonId, clockZero]]))).map(({ lessonId: _, ...e }) => e as EventRec);
}

/** Title and start of each lesson, for the progress summaries. */
export async function lessonHeads(db: Queryable, lessonIds: readonly string[]): Promise<Map<string, { title: string; startedAt: string | null }>> {
  if (!lessonIds.length) return new Map();
  const rows = await db.query('select id, title, started_at from lessons where id = any($1::text[])', [lessonIds]);
  return new Map(rows.map((r) => [String(r.id), { title: String(r.title), startedAt: iso(r.started_at) }]));
}

/** The newest recordings of the caller's community (at most `limit`), newest first. */
export async function listCommunityRecordingIds(db: Queryable, userId: string, limit: number): Promise<string[]> {
  const rows = await db.query<{ lesson_id: string }>(
    `select r.lesson_id from recordings r join lessons l on l.id = r.lesson_id
      where l.community_id = (select community_id from users where id = $1)
      order by r.clock_zero desc limit $2`,
    [userId, limit],
  );
  return rows.map((r) => r.lesson_id);
}

/**
 * Of `lessonIds`, those whose recording the user may watch (server/recordings/policy.ts's rules):
 * `observerByRole` for researchers and community admins, `bySchool` the school of a teacher or
 * school admin (null otherwise).
 */
export async function listVisibleRecordingIds(
  db: Queryable,
  o: { userId: string; lessonIds: readonly string[]; observerByRole: boolean; bySchool: string | null },
): Promise<string[]> {
  const rows = await db.query<{ lesson_id: string }>(
    `with wanted as (
       select r.lesson_id, r.visibility, l.teacher_id, l.community_id, l.host_classroom_id
         from recordings r join lessons l on l.id = r.lesson_id
        where r.lesson_id = any($2::text[])),
     schools as (
       select w.lesson_id, c.school_id from wanted w
         join classrooms c on c.id = w.host_classroom_id
                           or c.id in (select classroom_id from lesson_classrooms lc where lc.lesson_id = w.lesson_id))
     select w.lesson_id from wanted w
      where w.teacher_id = $1
         or (w.community_id = (select community_id from users where id = $1)
             and (w.visibility = 'community'
                  or $3::boolean
                  or exists (select 1 from schools s where s.lesson_id = w.lesson_id and s.school_id = $4)
                  or (w.visibility = 'pairing' and exists (
                        select 1 from pairings p join schools s on s.lesson_id = w.lesson_id
                         where (p.city_school_id = $4 and p.rural_school_id = s.school_id)
                            or (p.rural_school_id = $4 and p.city_school_id = s.school_id)))))`,
    [o.userId, o.lessonIds, o.observerByRole, o.bySchool],
  );
  return rows.map((r) => String(r.lesson_id));
}

/** Merges one segment's detected speech into the track's row (sorted, overlapping spans joined). */
export async function mergeVoiceActivity(db: Queryable, track: TrackRow, spans: [number, number][]): Promise<void> {
  const [r] = await db.query('select segments from voice_activity where track_id = $1', [track.id]);
  const all = [...(r ? json<[number, number][]>(r.segments) : []), ...spans].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [a, b] of all) {
    const last = merged[merged.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  await db.query(
    `insert into voice_activity (track_id, lesson_id, speaker, classroom_id, segments)
     values ($1, $2, $3, $4, $5::jsonb)
     on conflict (track_id) do update set segments = excluded.segments, updated_at = now()`,
    [track.id, track.lessonId, track.owner, track.classroomId, JSON.stringify(merged)],
  );
}

/** Stores the lesson's attribution per track: attributed speech, unsure spans, leaks. */
export async function setAttribution(
  db: Queryable,
  lessonId: string,
  tracks: Array<{ trackId: string; raw?: [number, number][]; attributed: [number, number][]; uncertain: [number, number][]; leaks: unknown[] }>,
): Promise<void> {
  for (const t of tracks) {
    await db.query(
      `update voice_activity set segments = coalesce($6::jsonb, segments), attributed = $3::jsonb, uncertain = $4::jsonb, leaks = $5::jsonb, updated_at = now()
        where lesson_id = $1 and track_id = $2`,
      [lessonId, t.trackId, JSON.stringify(t.attributed), JSON.stringify(t.uncertain), JSON.stringify(t.leaks), t.raw ? JSON.stringify(t.raw) : null],
    );
  }
}
