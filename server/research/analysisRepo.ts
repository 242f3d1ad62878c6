// Loads what the classroom analysis needs — the lesson's length on its clock, the per-track
// voice-activity timelines, corrections and Flanders-coded notes — and runs the pure analysis.
import type { Queryable } from '../db/db.js';
import type { Lesson } from '../contract/domain.js';
import { json } from '../community/sql.js';
import { flandersRatios, flandersSequence } from '../contract/analysis/flanders.js';
import { analyseSt, type StCode, type StInterval, type StMethod } from '../contract/analysis/st.js';
import { analyseTalk } from '../contract/analysis/talk.js';
import type { Span } from '../contract/analysis/timeline.js';
import type { LessonAnalysis, TrackLeak, VoiceTrack } from '../contract/research.js';

/** Lesson-clock length: recording end − clock zero, else the lesson's own start/end, else the last speech. */
export async function lessonClock(db: Queryable, lesson: Lesson): Promise<{ clockZero: Date | null; durationMs: number }> {
  const rows = await db.query<{ clock_zero: Date | string; ended_at: Date | string | null }>(
    'select clock_zero, ended_at from recordings where lesson_id = $1',
    [lesson.id],
  );
  const rec = rows[0];
  const clockZero = rec ? new Date(rec.clock_zero) : lesson.startedAt ? new Date(lesson.startedAt) : null;
  const end = rec?.ended_at ? new Date(rec.ended_at) : lesson.endedAt ? new Date(lesson.endedAt) : lesson.state === 'live' ? new Date() : null;
  const durationMs = clockZero && end ? Math.max(0, end.getTime() - clockZero.getTime()) : 0;
  return { clockZero, durationMs };
}

/**
 * The columns a VoiceTrack is read from (voice_activity as v): the figures' timeline is the
 * attributed speech once the lesson's attribution ran, the raw voice activity before.
 */
export const VOICE_TRACK_COLUMNS = `v.track_id, v.speaker, v.classroom_id, coalesce(v.attributed, v.segments) as segments,
  v.segments as raw, v.uncertain, v.leaks, v.attributed is not null as attributed`;

export function voiceTrackOf(r: Record<string, unknown>, label = ''): VoiceTrack {
  return {
    trackId: String(r.track_id),
    speaker: r.speaker as 'teacher' | 'classroom',
    classroomId: (r.classroom_id as string | null) ?? null,
    label,
    segments: json<Span[]>(r.segments),
    raw: json<Span[]>(r.raw),
    uncertain: json<Span[]>(r.uncertain ?? '[]'),
    attribution: r.attributed ? 'attributed' : 'raw',
    leaks: json<TrackLeak[]>(r.leaks ?? '[]'),
  };
}

export async function voiceTracks(db: Queryable, lessonId: string): Promise<VoiceTrack[]> {
  const rows = await db.query(
    `select ${VOICE_TRACK_COLUMNS}, coalesce(t.label, v.speaker) as label
       from voice_activity v left join recording_tracks t on t.id = v.track_id
      where v.lesson_id = $1 order by v.speaker desc, v.classroom_id nulls first, v.track_id`,
    [lessonId],
  );
  return rows.map((r) => voiceTrackOf(r, String(r.label)));
}

export async function corrections(db: Queryable, lessonId: string, intervalS: StInterval): Promise<Map<number, StCode>> {
  const rows = await db.query<{ sample_index: number; code: StCode }>(
    'select sample_index, code from st_corrections where lesson_id = $1 and interval_s = $2',
    [lessonId, intervalS],
  );
  return new Map(rows.map((r) => [Number(r.sample_index), r.code]));
}

export async function setCorrection(db: Queryable, lessonId: string, userId: string, c: { intervalS: number; sampleIndex: number; code: StCode | null }) {
  if (c.code === null) {
    await db.query('delete from st_corrections where lesson_id = $1 and interval_s = $2 and sample_index = $3', [lessonId, c.intervalS, c.sampleIndex]);
    return;
  }
  await db.query(
    `insert into st_corrections (lesson_id, interval_s, sample_index, code, corrected_by) values ($1, $2, $3, $4, $5)
     on conflict (lesson_id, interval_s, sample_index) do update set code = excluded.code, corrected_by = excluded.corrected_by, corrected_at = now()`,
    [lessonId, c.intervalS, c.sampleIndex, c.code, userId],
  );
}

/** "school room" names of the lesson's host and receiving classrooms, by id. */
export async function classroomNames(db: Queryable, lesson: Lesson): Promise<Record<string, string>> {
  const names = await db.query<{ id: string; name: string; school: string }>(
    `select c.id, c.name, s.name as school from classrooms c join schools s on s.id = c.school_id
      where c.id = $1 or c.id in (select classroom_id from lesson_classrooms where lesson_id = $2)`,
    [lesson.hostClassroomId, lesson.id],
  );
  return Object.fromEntries(names.map((n) => [n.id, `${n.school} ${n.name}`]));
}

export async function analyseLesson(db: Queryable, lesson: Lesson, intervalS: StInterval, method: StMethod = 'window'): Promise<LessonAnalysis> {
  const [{ durationMs: clockMs }, tracks, fixes, names, coded] = await Promise.all([
    lessonClock(db, lesson),
    voiceTracks(db, lesson.id),
    corrections(db, lesson.id, intervalS),
    classroomNames(db, lesson),
    db.query<{ code: string; at_ms: number; end_ms: number | null }>(
      `select code, at_ms, end_ms from annotations where lesson_id = $1 and framework = 'flanders' and parent_id is null`,
      [lesson.id],
    ),
  ]);
  // A lesson without a recording end (e.g. imported timelines) still analyses its speech.
  const lastSpeech = Math.max(0, ...tracks.flatMap((t) => t.segments.map((s) => s[1])));
  const durationMs = clockMs || lastSpeech;
  const t0 = performance.now();
  const st = analyseSt(tracks, durationMs, intervalS, fixes, method);
  const talk = analyseTalk(tracks, durationMs);
  const flanders = flandersRatios(
    flandersSequence(
      coded.map((c) => ({ code: c.code, atMs: Number(c.at_ms), endMs: c.end_ms === null ? null : Number(c.end_ms) })),
      durationMs,
    ),
  );
  return {
    lessonId: lesson.id,
    title: lesson.title,
    durationMs,
    tracks,
    classroomNames: names,
    st,
    talk,
    flanders,
    computeMs: performance.now() - t0,
  };
}
