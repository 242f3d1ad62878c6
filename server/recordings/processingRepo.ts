// What the processing side reads (recordings, tracks, segments: written by capture) and
// writes (recording_outputs, voice_activity).
import type { Queryable } from '../db/db.js';
import type { OutputKind, OutputState, RecordingVisibility, ReplayTrack } from '../contract/recordings.js';
import { parseLessonEvent, type LessonEventData } from '../contract/lessonEvents.js';

export interface RecRow {
  lessonId: string;
  state: 'recording' | 'paused' | 'stopped';
  clockZero: string;
  /** When the recording stopped (set after its recorders have finished: a few seconds after the lesson ended). */
  endedAt: string | null;
  /** When the lesson itself ended. */
  lessonEndedAt: string | null;
  visibility: RecordingVisibility;
}

/** A recorded track as stored: the replay page's shape (contract) before playlists exist. */
export interface TrackRec extends Omit<ReplayTrack, 'playlistUrl' | 'fileUrl' | 'segmentsDone' | 'segmentsTotal'> {
  lessonId: string;
}

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

export async function getRec(db: Queryable, lessonId: string): Promise<RecRow | null> {
  const [r] = await db.query(
    `select r.lesson_id, r.state, r.clock_zero, r.ended_at, r.visibility, l.ended_at as lesson_ended_at
       from recordings r join lessons l on l.id = r.lesson_id where r.lesson_id = $1`,
    [lessonId],
  );
  if (!r) return null;
  return {
    lessonId: String(r.lesson_id),
    state: r.state as RecRow['state'],
    clockZero: iso(r.clock_zero)!,
    endedAt: iso(r.ended_at),
    lessonEndedAt: iso(r.lesson_ended_at),
    visibility: r.visibility as RecordingVisibility,
  };
}

export async function listTracks(db: Queryable, lessonId: string): Promise<TrackRec[]> {
  const rows = await db.query(
    `select id, lesson_id, kind, source, owner, classroom_id, label, start_ms, end_ms
       from recording_tracks where lesson_id = $1 order by start_ms, id`,
    [lessonId],
  );
  return rows.map((r) => ({
    id: String(r.id),
    lessonId: String(r.lesson_id),
    kind: r.kind as TrackRec['kind'],
    source: r.source as TrackRec['source'],
    owner: r.owner as TrackRec['owner'],
    classroomId: (r.classroom_id as string | null) ?? null,
    label: String(r.label),
    startMs: Number(r.start_ms),
    endMs: r.end_ms == null ? null : Number(r.end_ms),
  }));
}

export async function listSegments(db: Queryable, lessonId: string): Promise<SegmentRec[]> {
  const rows = await db.query(
    `select s.track_id, s.seq, s.path, s.start_ms, s.end_ms, s.state
       from recording_segments s join recording_tracks t on t.id = s.track_id
      where t.lesson_id = $1 order by s.track_id, s.seq`,
    [lessonId],
  );
  return rows.map((r) => ({
    trackId: String(r.track_id),
    seq: Number(r.seq),
    path: String(r.path),
    startMs: Number(r.start_ms),
    endMs: r.end_ms == null ? null : Number(r.end_ms),
    state: r.state as SegmentRec['state'],
  }));
}

export async function markSegmentCorrupt(db: Queryable, trackId: string, seq: number): Promise<void> {
  await db.query(`update recording_segments set state = 'corrupt' where track_id = $1 and seq = $2`, [trackId, seq]);
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

export async function listOutputs(db: Queryable, lessonId: string): Promise<OutputRow[]> {
  const rows = await db.query('select * from recording_outputs where lesson_id = $1 order by kind, key', [lessonId]);
  return rows.map(toOutput);
}

export async function getOutput(db: Queryable, lessonId: string, key: string): Promise<OutputRow | null> {
  const [r] = await db.query('select * from recording_outputs where lesson_id = $1 and key = $2', [lessonId, key]);
  return r ? toOutput(r) : null;
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

/** The lesson's event log on the lesson clock. */
export async function listEventsOnClock(db: Queryable, lessonId: string, clockZero: string): Promise<EventRec[]> {
  const rows = await db.query('select at, type, actor_id, payload from lesson_events where lesson_id = $1 order by at, id', [lessonId]);
  const zero = Date.parse(clockZero);
  return rows.flatMap((r) => {
    const e = parseLessonEvent(String(r.type), json<unknown>(r.payload));
    return e ? [{ atMs: Date.parse(iso(r.at)!) - zero, actorId: (r.actor_id as string | null) ?? null, ...e }] : [];
  });
}

/** Merges one segment's detected speech into the track's row (sorted, overlapping spans joined). */
export async function mergeVoiceActivity(db: Queryable, track: TrackRec, spans: [number, number][]): Promise<void> {
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
