// SQL of the capture side: the recording of a lesson, its tracks, segments and gaps
// (tables of migration 100; layout shared with processing, see docs/architecture.md).
import type { Queryable } from '../db/db.js';

export type RecordingState = 'recording' | 'paused' | 'stopped';

export interface RecordingRow {
  lessonId: string;
  state: RecordingState;
  clockZero: Date;
  statusMessage: string | null;
}

export interface TrackKey {
  kind: 'audio' | 'video';
  source: 'camera' | 'mic' | 'screen';
  owner: 'teacher' | 'classroom';
  classroomId: string | null;
  userId: string | null;
}

export interface TrackRow extends TrackKey {
  id: string;
  startMs: number;
  /** Next segment number to write (segments continue across recorder restarts). */
  nextSeq: number;
}

export async function getRecording(db: Queryable, lessonId: string): Promise<RecordingRow | null> {
  const rows = await db.query<{ state: RecordingState; clock_zero: Date | string; status_message: string | null }>(
    'select state, clock_zero, status_message from recordings where lesson_id = $1',
    [lessonId],
  );
  const r = rows[0];
  return r ? { lessonId, state: r.state, clockZero: new Date(r.clock_zero), statusMessage: r.status_message } : null;
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

export async function setRecordingState(
  db: Queryable,
  lessonId: string,
  state: RecordingState,
  statusMessage: string | null,
  ended = false,
): Promise<void> {
  await db.query(
    `update recordings set state = $2, status_message = $3, updated_at = now()${ended ? ', ended_at = now()' : ''} where lesson_id = $1`,
    [lessonId, state, statusMessage],
  );
}

export async function findTrack(db: Queryable, lessonId: string, k: TrackKey): Promise<TrackRow | null> {
  const rows = await db.query<{ id: string; start_ms: number; next_seq: number }>(
    `select t.id, t.start_ms, coalesce((select max(seq) from recording_segments s where s.track_id = t.id), 0) + 1 as next_seq
       from recording_tracks t
      where t.lesson_id = $1 and t.kind = $2 and t.source = $3 and t.owner = $4
        and coalesce(t.classroom_id, '') = $5 and coalesce(t.user_id, '') = $6
      order by t.created_at limit 1`,
    [lessonId, k.kind, k.source, k.owner, k.classroomId ?? '', k.owner === 'teacher' ? (k.userId ?? '') : ''],
  );
  const r = rows[0];
  return r ? { ...k, id: r.id, startMs: Number(r.start_ms), nextSeq: Number(r.next_seq) } : null;
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
