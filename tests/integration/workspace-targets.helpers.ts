// Shared by the workspace-targets tests: held lessons with a scripted presence log, research
// sessions, targets, and JSON calls with any method.
import { createLesson, recordLessonEvent, setLessonState } from '../../server/lessons/repo.js';
import { createGroup, createSession, updateSession } from '../../server/research/groupsRepo.js';
import type { PublicUser } from '../../server/contract/domain.js';
import type { Db } from '../../server/db/db.js';
import type { Target } from '../../server/contract/workspace/targets.js';

const MIN = 60_000;

/** A 40-minute lesson held on `day` at 09:00 Shanghai, with presence [classroom, fromMin, toMin] relative to its start. */
export async function heldLesson(
  db: Db,
  teacher: PublicUser,
  o: { day: string; host: string; receiving: string[]; presence: [string, number, number][]; subject?: string },
) {
  const subject = o.subject ?? '数学';
  const startedAt = new Date(Date.parse(`${o.day}T01:00:00Z`));
  const lesson = await createLesson(db, teacher, {
    title: `${subject} ${o.day}`,
    subject,
    grade: 4,
    hostClassroomId: o.host,
    receivingClassroomIds: o.receiving,
    scheduledAt: startedAt.toISOString(),
    durationMin: 40,
  });
  await setLessonState(db, lesson.id, 'live', startedAt);
  await setLessonState(db, lesson.id, 'ended', new Date(startedAt.getTime() + 40 * MIN));
  for (const [i, [classroomId, from, to]] of o.presence.entries()) {
    for (const [type, at] of [['presence:join', from], ['presence:leave', to]] as const) {
      await recordLessonEvent(db, lesson.id, type, null, { classroomId, peerId: `p${i}` });
      // The log's own time is when the row was written; the test sets it to the scripted moment.
      await db.query(`update lesson_events set at = $2 where id = (select max(id) from lesson_events where lesson_id = $1)`, [
        lesson.id,
        new Date(startedAt.getTime() + at * MIN),
      ]);
    }
  }
  return lesson;
}

/** A research group of `lead` with `members`, and a session of it for the pairing on `day` 15:00 Shanghai; minutes written when given. */
export async function researchSession(
  db: Db,
  lead: PublicUser,
  o: { memberIds: string[]; subject: string; pairingId: string; day: string; kind: 'planning' | 'diagnosis' | 'thematic'; minutes?: string; groupId?: string },
) {
  const groupId = o.groupId ?? (await createGroup(db, lead, { name: `组 ${o.day} ${o.kind}`, subject: o.subject, memberIds: o.memberIds })).id;
  const session = await createSession(db, lead, {
    groupId,
    kind: o.kind,
    title: `${o.kind} ${o.day}`,
    lessonId: null,
    pairingId: o.pairingId,
    scheduledAt: `${o.day}T07:00:00Z`,
    agenda: '',
  });
  if (o.minutes) await updateSession(db, session.id, { minutes: o.minutes });
  return { session, groupId };
}

/** A calendar-year target of `year` with one version of its terms. */
export function target(year: number, o: { id: string; kinds: Target['kinds']; threshold: number; breadth?: Target['terms'][number]['breadth']; milestones?: Target['terms'][number]['milestones'] }): Target {
  return {
    id: o.id,
    title: `${o.id} ≥ ${o.threshold}`,
    kinds: o.kinds,
    year: { from: `${year}-01-01`, to: `${year}-12-31` },
    terms: [{ from: `${year}-01-01`, threshold: o.threshold, breadth: o.breadth ?? {}, milestones: o.milestones ?? [] }],
  };
}

export async function call(url: string, method: string, path: string, cookie: string | null, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(url + path, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(cookie ? { cookie } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
