// 教共体 activities counted from the product's own records (issue 12), on the real database:
// a pairing's synchronous lessons with their presence log, the attendance rule applied to each,
// and the counted ones evaluated against a target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLesson, recordLessonEvent, setLessonState } from '../../server/lessons/repo.js';
import { countedSyncLessons, getPairingSchools, syncLessonsOfPairing, type PairingSchools } from '../../server/workspace/activitiesRepo.js';
import { evaluateTarget, seedMilestones, targetSchema } from '../../server/contract/workspace/targets.js';
import type { PublicUser } from '../../server/contract/domain.js';
import { seededDb, type Demo } from './api.helpers.js';

let demo: Demo;
let wang: PublicUser;
let pairing: PairingSchools;
let rooms: { city: string; qingshan: string; shiqiao: string };
const MIN = 60_000;

beforeAll(async () => {
  demo = await seededDb();
  wang = await demo.user('teacher-wang');
  rooms = { city: await demo.classroomId('四年级(1)班'), qingshan: await demo.classroomId('四年级'), shiqiao: await demo.classroomId('四年级(2)班') };
  const [city, qingshan] = [await demo.schoolId('滨江实验小学'), await demo.schoolId('青山村小学')];
  const rows = await demo.db.query<{ id: string }>('select id from pairings where city_school_id = $1 and rural_school_id = $2', [city, qingshan]);
  pairing = (await getPairingSchools(demo.db, rows[0].id))!;
});
afterAll(async () => {
  await demo?.db.close();
});

/** A 40-minute lesson held on `day` at 09:00 Shanghai, with presence [classroom, fromMin, toMin] relative to its start. */
async function heldLesson(day: string, receiving: string[], presence: [string, number, number][], subject = '数学') {
  const startedAt = new Date(Date.parse(`${day}T01:00:00Z`));
  const lesson = await createLesson(demo.db, wang, {
    title: `${subject} ${day}`,
    subject,
    grade: 4,
    hostClassroomId: rooms.city,
    receivingClassroomIds: receiving,
    scheduledAt: startedAt.toISOString(),
    durationMin: 40,
  });
  await setLessonState(demo.db, lesson.id, 'live', startedAt);
  await setLessonState(demo.db, lesson.id, 'ended', new Date(startedAt.getTime() + 40 * MIN));
  for (const [i, [classroomId, from, to]] of presence.entries()) {
    for (const [type, at] of [['presence:join', from], ['presence:leave', to]] as const) {
      await recordLessonEvent(demo.db, lesson.id, type, null, { classroomId, peerId: `p${i}` });
      // The log's own time is when the row was written; a test sets it to the scripted moment.
      await demo.db.query(`update lesson_events set at = $2 where id = (select max(id) from lesson_events where lesson_id = $1)`, [lesson.id, new Date(startedAt.getTime() + at * MIN)]);
    }
  }
  return lesson;
}

describe('a pairing’s synchronous lessons', () => {
  it('are read with their classrooms and presence, and count only when both schools were there together long enough', async () => {
    const full = await heldLesson('2026-03-10', [rooms.qingshan], [
      [rooms.city, -2, 40],
      [rooms.qingshan, 1, 38],
    ]);
    // The rural room was there 5 minutes: the city class had this lesson alone.
    const brief = await heldLesson('2026-03-12', [rooms.qingshan], [
      [rooms.city, 0, 40],
      [rooms.qingshan, 10, 15],
    ]);
    // Another pairing's lesson (石桥 only) is not this pairing's.
    await heldLesson('2026-03-13', [rooms.shiqiao], [
      [rooms.city, 0, 40],
      [rooms.shiqiao, 0, 40],
    ]);
    // Outside the period.
    await heldLesson('2026-05-02', [rooms.qingshan], [
      [rooms.city, 0, 40],
      [rooms.qingshan, 0, 40],
    ]);

    const lessons = await syncLessonsOfPairing(demo.db, pairing, '2026-03-01', '2026-04-30');
    expect(lessons.map((l) => l.lessonId)).toEqual([full.id, brief.id]);
    expect(lessons[0].classrooms).toEqual(expect.arrayContaining([{ classroomId: rooms.city, schoolId: pairing.citySchoolId }, { classroomId: rooms.qingshan, schoolId: pairing.ruralSchoolId }]));
    expect(lessons[0].presence.map((e) => e.type)).toEqual(['presence:join', 'presence:join', 'presence:leave', 'presence:leave']); // in time order

    const verdicts = countedSyncLessons(pairing, lessons, 0.6);
    expect(verdicts[0].attendance).toMatchObject({ counts: true, jointMin: 37, neededMin: 24 });
    // Lobby minutes are not attendance: the city room is counted from the start.
    expect(verdicts[0].attendance.classrooms.find((c) => c.classroomId === rooms.city)).toMatchObject({ connectedMin: 40 });
    expect(verdicts[0].activity).toEqual({ id: full.id, kind: 'sync_lesson', day: '2026-03-10', subject: '数学', teacherIds: [wang.id] });
    expect(verdicts[1].attendance).toMatchObject({ counts: false, jointMin: 5 });
    expect(verdicts[1].activity).toBeNull();

    // Into a target: one counted lesson of 10, April's 40% not reached by 04-30.
    const target = targetSchema.parse({
      id: 't',
      title: '同步课堂不少于10节',
      kinds: ['sync_lesson'],
      year: { from: '2026-01-01', to: '2026-12-31' },
      terms: [{ from: '2026-01-01', threshold: 10, milestones: seedMilestones(2026) }],
    });
    const e = evaluateTarget(target, verdicts.flatMap((v) => (v.activity ? [v.activity] : [])), '2026-05-01');
    expect(e.count).toBe(1);
    expect(e.milestones[0]).toMatchObject({ needed: 4, reached: 1, overdue: true });
  });

  it('a lesson on the period’s last Shanghai day is inside it (09:00 there is 01:00 UTC)', async () => {
    const last = await heldLesson('2026-06-30', [rooms.qingshan], [
      [rooms.city, 0, 40],
      [rooms.qingshan, 0, 40],
    ]);
    expect((await syncLessonsOfPairing(demo.db, pairing, '2026-06-01', '2026-06-30')).map((l) => l.lessonId)).toEqual([last.id]);
    expect(await syncLessonsOfPairing(demo.db, pairing, '2026-07-01', '2026-07-31')).toEqual([]);
  });
});
