// SQL of the capture side: the recording of a lesson, its tracks, segments and gaps
// (tables of migrations 100–101; layout shared with processing, see docs/architecture.md).
import type { Queryable } from '../db/db.js';
import type { RecordingVisibility } from '../contract/recordings.js';
import type { RecordingStatus } from '../contract/domain.js';

export type RecordingState = 'recording' | 'paused' | 'stopped';
/** Why a recording stopped by itself while its lesson went on (the `stop_reason` column; null: it did not). */
export type StopReason = Exclude<RecordingStatus['reason'], null>;

/** A lesson's recording as stored: the one row type of `recordings`, for capture and processing alike. */
export interface RecordingRow {
  lessonId: string;
  state: RecordingState;
  /** ISO time of the lesson clock's zero. */
  clockZero: string;
  /** When the recording stopped (set after its recorders have finished: a few seconds after the lesson ended). */
  endedAt: string | null;
  /** When the lesson itself ended. */
  lessonEndedAt: string | null;
  visibility: RecordingVisibility;
  stopReason: StopReason | null;
}

/** A recorded track as stored: the one row type of `recording_tracks`. */
export interface TrackRow {
  id: string;
  lessonId: string;
  kind: 'audio' | 'video';
  source: 'camera' | 'mic' | 'screen';
  owner: 'teacher' | 'classroom';
  classroomId: string | null;
  /** The teacher's user id for a teacher's track (null for a classroom's). */
  userId: string | null;
  label: string;
  /** Where the track starts on the lesson clock. */
  startMs: number;
  endMs: number | null;
}

/** What identifies a track within its lesson: one per owner (teacher or classroom) and source. */
export type TrackKey = Pick<TrackRow, 'kind' | 'source' | 'owner' | 'classroomId' | 'userId'>;

const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v == null ? null : new Date(String(v)).toISOString());

// Every reader takes a list of lessons: the recordings page asks for up to 200 at once, in one
// query per table instead of several per lesson; the single-lesson forms are the same query.

export async function getRecordings(db: Queryable, lessonIds: readonly string[]): Promise<RecordingRow[]> {
  if (!lessonIds.length) return [];
  const rows = await db.query(
    `select r.lesson_id, r.state, r.clock_zero, r.ended_at, r.visibility, r.stop_reason, l.ended_at as lesson_ended_at
       from recordings r join lessons l on l.id = r.lesson_id where r.lesson_id = any($1::text[])`,
    [lessonIds],
  );
  return rows.map((r) => ({
    lessonId: String(r.lesson_id),
    state: r.state as RecordingState,
    clockZero: iso(r.clock_zero)!,
    endedAt: iso(r.ended_at),
    lessonEndedAt: iso(r.lesson_ended_at),
    visibility: r.visibility as RecordingVisibility,
    stopReason: (r.stop_reason as StopReason | null) ?? null,
  }));
}

export async function getRecording(db: Queryable, lessonId: string): Promise<RecordingRow | null> {
  return (await getRecordings(db, [lessonId]))[0] ?? null;
}

export async function listTracksOf(db: Queryable, lessonIds: readonly string[]): Promise<TrackRow[]> {
  if (!lessonIds.length) return [];
  const rows = await db.query(
    `select id, lesson_id, kind, source, owner, classroom_id, user_id, label, start_ms, end_ms
       from recording_tracks where lesson_id = any($1::text[]) order by start_ms, id`,
    [lessonIds],
  );
  return rows.map(toTrack);
}

export function listTracks(db: Queryable, lessonId: string): Promise<TrackRow[]> {
  return listTracksOf(db, [lessonId]);
}

function toTrack(r: Record<string, unknown>): TrackRow {
  return {
    id: String(r.id),
    lessonId: String(r.lesson_id),
    kind: r.kind as TrackRow['kind'],
    source: r.source as TrackRow['source'],
    owner: r.owner as TrackRow['owner'],
    classroomId: (r.classroom_id as string | null) ?? null,
    userId: (r.user_id as string | null) ?? null,
    label: String(r.label),
    startMs: Number(r.start_ms),
    endMs: r.end_ms == null ? null : Number(r.end_ms),
  };
}

/** Creates the recording at the lesson's start (idempotent: a second start keeps the first clock). */
export async function ensureRecording(db: Queryable, lessonId: string, clockZero: Date, statusMessage: string | null): Promise<RecordingRow> {
  await db.query(
    `insert into recordings (lesson_id, state, clock_zero, status_message) values ($1, 'recording', $2, $3)
     on conflict (lesson_id) do nothing`,
    [lessonId, clockZero.toISOString(), statusMessage],
  );
  return (await getRecording(db, lessonId))!;
}

/**
 * The recording's state; `stopReason` is why it stopped by itself (kept when the lesson then
 * ends: a recording that a full disk stopped says so afterwards too); `statusMessage` the text
 * the product shows (never read back to decide anything).
 */
export async function setRecordingState(
  db: Queryable,
  lessonId: string,
  s: { state: RecordingState; stopReason: StopReason | null; statusMessage: string | null; ended?: boolean },
): Promise<void> {
  await db.query(
    `update recordings set state = $2, stop_reason = $3, status_message = $4, updated_at = now()${s.ended ? ', ended_at = now()' : ''} where lesson_id = $1`,
    [lessonId, s.state, s.stopReason, s.statusMessage],
  );
}

/** A recording that never was (its lesson did not go live after all): the row and any track a first packet stored. */
export async function deleteRecording(db: Queryable, lessonId: string): Promise<void> {
  await db.query('delete from recording_tracks where lesson_id = $1', [lessonId]);
  await db.query('delete from recordings where lesson_id = $1', [lessonId]);
}

/** The lesson's track of this owner and source (recorded before a server restart), and the next segment number to write. */
export async function findTrack(db: Queryable, lessonId: string, k: TrackKey): Promise<{ track: TrackRow; nextSeq: number } | null> {
  const rows = await db.query(
    `select t.id, t.lesson_id, t.kind, t.source, t.owner, t.classroom_id, t.user_id, t.label, t.start_ms, t.end_ms,
            coalesce((select max(seq) from recording_segments s where s.track_id = t.id), 0) + 1 as next_seq
       from recording_tracks t
      where t.lesson_id = $1 and t.kind = $2 and t.source = $3 and t.owner = $4
        and coalesce(t.classroom_id, '') = $5 and coalesce(t.user_id, '') = $6
      order by t.created_at limit 1`,
    [lessonId, k.kind, k.source, k.owner, k.classroomId ?? '', k.owner === 'teacher' ? (k.userId ?? '') : ''],
  );
  const r = rows[0];
  return r ? { track: toTrack(r), nextSeq: Number(r.next_seq) } : null;
}

/** Where the track's written media ends on the lesson clock (null: nothing written yet). */
export async function trackMediaEnd(db: Queryable, trackId: string): Promise<number | null> {
  const rows = await db.query<{ end_ms: number | null }>('select max(end_ms) as end_ms from recording_segments where track_id = $1', [trackId]);
  return rows[0]?.end_ms == null ? null : Number(rows[0].end_ms);
}

/** Segments a crash left open (ffmpeg was writing them). */
export async function listOpenSegments(db: Queryable, trackId: string): Promise<{ seq: number; path: string; startMs: number }[]> {
  const rows = await db.query<{ seq: number; path: string; start_ms: number }>(
    "select seq, path, start_ms from recording_segments where track_id = $1 and state = 'open'",
    [trackId],
  );
  return rows.map((r) => ({ seq: Number(r.seq), path: r.path, startMs: Number(r.start_ms) }));
}

export async function insertTrack(
  db: Queryable,
  t: TrackKey & { id: string; lessonId: string; label: string; codec: string; startMs: number },
): Promise<void> {
  await db.query(
    `insert into recording_tracks (id, lesson_id, kind, source, owner, classroom_id, user_id, label, codec, start_ms)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [t.id, t.lessonId, t.kind, t.source, t.owner, t.classroomId, t.owner === 'teacher' ? t.userId : null, t.label, t.codec, t.startMs],
  );
}

export async function setTrackEnd(db: Queryable, trackId: string, endMs: number): Promise<void> {
  await db.query('update recording_tracks set end_ms = greatest(coalesce(end_ms, 0), $2) where id = $1', [trackId, endMs]);
}

export async function openSegment(db: Queryable, s: { trackId: string; seq: number; path: string; startMs: number }): Promise<void> {
  await db.query(
    `insert into recording_segments (track_id, seq, path, start_ms, state) values ($1, $2, $3, $4, 'open')
     on conflict (track_id, seq) do nothing`,
    [s.trackId, s.seq, s.path, s.startMs],
  );
}

export async function closeSegment(
  db: Queryable,
  s: { trackId: string; seq: number; path: string; startMs: number; endMs: number; bytes: number; state: 'closed' | 'corrupt' },
): Promise<void> {
  await db.query(
    `insert into recording_segments (track_id, seq, path, start_ms, end_ms, bytes, state) values ($1, $2, $3, $4, $5, $6, $7)
     on conflict (track_id, seq) do update set start_ms = excluded.start_ms, end_ms = excluded.end_ms, bytes = excluded.bytes, state = excluded.state`,
    [s.trackId, s.seq, s.path, s.startMs, s.endMs, s.bytes, s.state],
  );
}

export async function insertGap(
  db: Queryable,
  g: { lessonId: string; trackId: string | null; fromMs: number; toMs: number; reason: string },
): Promise<void> {
  await db.query('insert into recording_gaps (lesson_id, track_id, from_ms, to_ms, reason) values ($1, $2, $3, $4, $5)', [
    g.lessonId,
    g.trackId,
    Math.round(g.fromMs),
    Math.round(g.toMs),
    g.reason,
  ]);
}

/** Receiving classrooms of the lesson whose school has said no to recording. */
export async function unconsentedClassrooms(db: Queryable, classroomIds: string[]): Promise<{ id: string; name: string; school: string }[]> {
  if (!classroomIds.length) return [];
  const ph = classroomIds.map((_, i) => `$${i + 1}`).join(', ');
  const rows = await db.query<{ id: string; name: string; school: string }>(
    `select c.id, c.name, s.name as school from classrooms c join schools s on s.id = c.school_id
      where c.id in (${ph}) and not s.recording_consent order by s.name, c.name`,
    classroomIds,
  );
  return rows;
}

/** The lesson's classrooms whose consent counts: the receiving ones and the host's (its teacher films that class). */
export async function consentClassroomIds(db: Queryable, lessonId: string): Promise<string[]> {
  const rows = await db.query<{ classroom_id: string }>(
    `select classroom_id from lesson_classrooms where lesson_id = $1
     union select host_classroom_id from lessons where id = $1`,
    [lessonId],
  );
  return rows.map((r) => r.classroom_id);
}

/** "School classroom", the way a classroom's track is labelled. */
export async function classroomLabel(db: Queryable, classroomId: string): Promise<string | null> {
  const rows = await db.query<{ name: string; school: string }>(
    'select c.name, s.name as school from classrooms c join schools s on s.id = c.school_id where c.id = $1',
    [classroomId],
  );
  return rows[0] ? `${rows[0].school} ${rows[0].name}` : null;
}
