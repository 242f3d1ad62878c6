// A held lesson's evidence (server/contract/workspace/lessonEvidence.ts), for many lessons at
// once: seven queries whatever their number, so an activity list or a report does not query per lesson.
import type { Queryable } from '../db/db.js';
import type { LessonEvidence } from '../contract/workspace/lessonEvidence.js';
import { classroomAttendance } from '../contract/workspace/attendance.js';
import { presenceIntervals } from '../contract/lessonEvents.js';
import { syncLessonRecords } from './activitiesRepo.js';

type Pieces = Omit<LessonEvidence, 'links'>;

export async function lessonEvidence(db: Queryable, lessonIds: readonly string[]): Promise<Map<string, Pieces>> {
  const records = await syncLessonRecords(db, lessonIds);
  const ids = records.map((r) => r.lessonId);
  if (!ids.length) return new Map();
  const [meta, rooms, recordings, analysed, raters, plans, sessions] = [
    await db.query<{ id: string; host_classroom_id: string; teacher_name: string }>(
      'select l.id, l.host_classroom_id, u.display_name as teacher_name from lessons l join users u on u.id = l.teacher_id where l.id = any($1::text[])',
      [ids],
    ),
    await db.query<{ id: string; name: string; school_id: string; school_name: string }>(
      `select c.id, c.name, c.school_id, s.name as school_name from classrooms c join schools s on s.id = c.school_id
        where c.id in (select host_classroom_id from lessons where id = any($1::text[]))
           or c.id in (select classroom_id from lesson_classrooms where lesson_id = any($1::text[]))`,
      [ids],
    ),
    await db.query<{ lesson_id: string; state: 'recording' | 'paused' | 'stopped' }>('select lesson_id, state from recordings where lesson_id = any($1::text[])', [ids]),
    await db.query<{ lesson_id: string }>('select distinct lesson_id from voice_activity where lesson_id = any($1::text[])', [ids]),
    await db.query<{ lesson_id: string; n: number }>('select lesson_id, count(*)::int as n from rubric_scores where lesson_id = any($1::text[]) group by lesson_id', [ids]),
    await db.query<{ id: string; lesson_id: string; title: string; versions: number }>(
      `select p.id, p.lesson_id, p.title, (select count(*)::int from plan_versions v where v.plan_id = p.id) as versions
         from plans p where p.lesson_id = any($1::text[]) order by p.created_at`,
      [ids],
    ),
    await db.query<{ id: string; lesson_id: string; title: string; kind: string; minutes: string }>(
      'select id, lesson_id, title, kind, minutes from research_sessions where lesson_id = any($1::text[]) order by scheduled_at',
      [ids],
    ),
  ];
  const room = new Map(rooms.map((r) => [r.id, r]));
  const out = new Map<string, Pieces>();
  for (const rec of records) {
    const m = meta.find((x) => x.id === rec.lessonId)!;
    const start = Date.parse(rec.startedAt);
    const end = rec.endedAt ? Date.parse(rec.endedAt) : Date.now();
    const intervals = presenceIntervals(rec.presence, end);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    out.set(rec.lessonId, {
      lessonId: rec.lessonId,
      title: rec.title,
      subject: rec.subject,
      teacherName: m.teacher_name,
      startedAt: rec.startedAt,
      endedAt: rec.endedAt,
      plannedMin: rec.plannedMin,
      attendance: classroomAttendance(
        [start, end],
        rec.classrooms.map((c) => ({ ...c, intervals: intervals.get(c.classroomId) ?? [] })),
      ).map((a) => ({
        classroomId: a.classroomId,
        classroomName: room.get(a.classroomId)?.name ?? '',
        schoolId: a.schoolId,
        schoolName: room.get(a.classroomId)?.school_name ?? '',
        host: a.classroomId === m.host_classroom_id,
        firstJoinAt: iso(a.firstJoinMs),
        lastLeaveAt: iso(a.lastLeaveMs),
        connectedMin: a.connectedMin,
        intervals: a.during.map(([f, t]) => [new Date(f).toISOString(), new Date(t).toISOString()] as [string, string]),
      })),
      recording: recordings.find((r) => r.lesson_id === rec.lessonId) ? { state: recordings.find((r) => r.lesson_id === rec.lessonId)!.state } : null,
      analysis: analysed.some((a) => a.lesson_id === rec.lessonId),
      rubricRaters: Number(raters.find((r) => r.lesson_id === rec.lessonId)?.n ?? 0),
      plans: plans.filter((p) => p.lesson_id === rec.lessonId).map((p) => ({ id: p.id, title: p.title, versions: Number(p.versions) })),
      sessions: sessions
        .filter((x) => x.lesson_id === rec.lessonId)
        .map((x) => ({ id: x.id, title: x.title, kind: x.kind, hasMinutes: x.minutes.trim().length > 0 })),
    });
  }
  return out;
}

/** The community a lesson belongs to, and whether `schoolId` has a classroom in it. */
export async function lessonPlace(db: Queryable, lessonId: string, schoolId: string | null): Promise<{ communityId: string; schoolTakesPart: boolean } | null> {
  const rows = await db.query<{ community_id: string; takes_part: boolean }>(
    `select l.community_id,
            exists (select 1 from classrooms c where c.school_id = $2
                       and (c.id = l.host_classroom_id or c.id in (select classroom_id from lesson_classrooms where lesson_id = l.id))) as takes_part
       from lessons l where l.id = $1`,
    [lessonId, schoolId ?? ''],
  );
  return rows[0] ? { communityId: rows[0].community_id, schoolTakesPart: Boolean(rows[0].takes_part) } : null;
}
