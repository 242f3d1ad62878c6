// The rural side's participation measured from the lessons (issue 12), on the real database:
// lessons, presence, hands, stage, quizzes and voice activity written as the product writes them,
// the figures checked against what the script makes them by hand.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublicUser } from '../../server/contract/domain.js';
import { getPairingSchools, type PairingSchools } from '../../server/workspace/activitiesRepo.js';
import { pairingLessons } from '../../server/workspace/participationRepo.js';
import { pairingParticipation } from '../../server/workspace/participation.js';
import { buildReport } from '../../server/workspace/report/build.js';
import { emptySources } from '../../server/workspace/report/sources.js';
import { createClassroom, createPairing, createSchool } from '../../server/community/repo.js';
import type { Queryable } from '../../server/db/db.js';
import { seededDb, type Demo } from './api.helpers.js';
import { LessonScript } from './workspace-report.helpers.js';

let demo: Demo;
let wang: PublicUser;
let qingshanPairing: PairingSchools;
let shiqiaoPairing: PairingSchools;
let rooms: { city: string; qingshan: string; shiqiao: string };

beforeAll(async () => {
  demo = await seededDb();
  wang = await demo.user('teacher-wang');
  rooms = { city: await demo.classroomId('四年级(1)班'), qingshan: await demo.classroomId('四年级'), shiqiao: await demo.classroomId('四年级(2)班') };
  const city = await demo.schoolId('滨江实验小学');
  const pairingOf = async (rural: string) => {
    const rows = await demo.db.query<{ id: string }>('select id from pairings where city_school_id = $1 and rural_school_id = $2', [city, await demo.schoolId(rural)]);
    return (await getPairingSchools(demo.db, rows[0].id))!;
  };
  qingshanPairing = await pairingOf('青山村小学');
  shiqiaoPairing = await pairingOf('石桥乡中心小学');
});
afterAll(async () => {
  await demo?.db.close();
});

describe('rural participation per classroom', () => {
  it('counts hands, stage minutes, quizzes, connected minutes and talk share from the lessons themselves', async () => {
    // A full lesson with everything: 青山 connected 1–38, hands at 5 and 12, on stage 10–14 and
    // 30 until the end (stage:on of 石桥's lesson elsewhere does not matter), two quizzes of which
    // 青山 answered one, and a recording in which 青山 spoke 30–36 of 40 minutes.
    const a = await LessonScript.held(demo.db, wang, { day: '2026-03-10', host: rooms.city, receiving: [rooms.qingshan], title: '分数的意义' });
    await a.present(rooms.city, -2, 40);
    await a.present(rooms.qingshan, 1, 38);
    await a.event('hand:raise', { classroomId: rooms.qingshan }, 5);
    await a.event('hand:lower', { classroomId: rooms.qingshan }, 6);
    await a.event('stage:on', { classroomId: rooms.qingshan }, 10);
    await a.event('hand:raise', { classroomId: rooms.qingshan }, 12);
    await a.event('stage:off', { classroomId: null }, 14);
    await a.event('stage:on', { classroomId: rooms.qingshan }, 30);
    await a.quiz([rooms.qingshan, rooms.city], wang);
    await a.quiz([rooms.city], wang);
    await a.voice([
      ['teacher', null, [[0, 30]]],
      ['classroom', rooms.qingshan, [[30, 36]]],
    ]);
    // 青山 there 5 minutes, one hand, nothing else: the lesson does not count, its figures still do.
    const b = await LessonScript.held(demo.db, wang, { day: '2026-03-12', host: rooms.city, receiving: [rooms.qingshan] });
    await b.present(rooms.city, 0, 40);
    await b.present(rooms.qingshan, 10, 15);
    await b.event('hand:raise', { classroomId: rooms.qingshan }, 11);
    // 石桥's lesson is the other pairing's.
    const c = await LessonScript.held(demo.db, wang, { day: '2026-03-13', host: rooms.city, receiving: [rooms.shiqiao] });
    await c.present(rooms.city, 0, 40);
    await c.present(rooms.shiqiao, 0, 40);
    await c.event('hand:raise', { classroomId: rooms.shiqiao }, 3);
    await c.event('stage:on', { classroomId: rooms.shiqiao }, 20);
    await c.event('stage:off', { classroomId: null }, 25);
    // Outside the year.
    const d = await LessonScript.held(demo.db, wang, { day: '2025-12-30', host: rooms.city, receiving: [rooms.qingshan] });
    await d.present(rooms.qingshan, 0, 40);

    const byPairing = await pairingLessons(demo.db, [qingshanPairing, shiqiaoPairing], '2026-01-01', '2026-12-31');
    expect(byPairing.get(qingshanPairing.pairingId)!.map((l) => l.lessonId)).toEqual([a.id, b.id]);
    expect(byPairing.get(shiqiaoPairing.pairingId)!.map((l) => l.lessonId)).toEqual([c.id]);

    const q = pairingParticipation(qingshanPairing, byPairing.get(qingshanPairing.pairingId)!, 0.6);
    expect(q.lessons.map((l) => [l.day, l.counts, l.jointMin])).toEqual([
      ['2026-03-10', true, 37],
      ['2026-03-12', false, 5],
    ]);
    expect(q.lessons[0].rural).toEqual([
      {
        classroomId: rooms.qingshan,
        classroomName: '青山村小学 四年级',
        connectedMin: 37,
        hands: 2,
        stageMin: 14, // 10–14 and 30–40
        quizzesAsked: 2,
        quizzesAnswered: 1,
        talkShare: 120 / 800, // 6 of 40 minutes in 3-second cells
        speechS: 360,
      },
    ]);
    expect(q.lessons[1].rural[0]).toMatchObject({ connectedMin: 5, hands: 1, stageMin: 0, quizzesAsked: 0, quizzesAnswered: 0, talkShare: null, speechS: null });
    // The city classroom is in the attendance, not in the rural figures.
    expect(q.lessons[0].attendance.map((x) => [x.classroomName, x.side, x.connectedMin])).toEqual(
      expect.arrayContaining([
        ['滨江实验小学 四年级(1)班', 'city', 40],
        ['青山村小学 四年级', 'rural', 37],
      ]),
    );
    expect(q.participation).toEqual([
      {
        classroomId: rooms.qingshan,
        classroomName: '青山村小学 四年级',
        lessons: 2,
        attended: 2,
        connectedMin: 42,
        hands: 3,
        stageMin: 14,
        quizzesAsked: 2,
        quizzesAnswered: 1,
        quizRate: 0.5,
        analysedLessons: 1,
        talkShare: 0.15,
        speechS: 360,
      },
    ]);

    const s = pairingParticipation(shiqiaoPairing, byPairing.get(shiqiaoPairing.pairingId)!, 0.6);
    expect(s.participation).toEqual([expect.objectContaining({ classroomName: '石桥乡中心小学 四年级(2)班', lessons: 1, hands: 1, stageMin: 5, connectedMin: 40, quizRate: null, talkShare: null })]);
  });
});

describe('the report’s queries', () => {
  it('do not grow with the number of pairings and lessons', async () => {
    const counting = () => {
      let n = 0;
      const db: Queryable = { query: (sql, params) => (n++, demo.db.query(sql, params)) };
      return { db, count: () => n };
    };
    const communityId = (await demo.db.query<{ community_id: string }>('select community_id from schools where id = $1', [qingshanPairing.citySchoolId]))[0].community_id;
    // At least one lesson before (the loader stops after its first query when there is none).
    const first = await LessonScript.held(demo.db, wang, { day: '2026-08-01', host: rooms.city, receiving: [rooms.qingshan] });
    await first.present(rooms.qingshan, 0, 40);
    const before = counting();
    const small = await buildReport(before.db, emptySources, { communityId, year: 2026 });
    // Three more pairings, each with two lessons.
    for (let i = 0; i < 3; i++) {
      const rural = await createSchool(demo.db, { communityId, name: `新村小学${i}`, kind: 'rural' });
      await createPairing(demo.db, { citySchoolId: qingshanPairing.citySchoolId, ruralSchoolId: rural.id });
      const room = await createClassroom(demo.db, { schoolId: rural.id, name: `新村${i}班`, grade: 4 });
      for (const day of ['2026-09-01', '2026-09-02']) {
        const l = await LessonScript.held(demo.db, wang, { day, host: rooms.city, receiving: [room.id] });
        await l.present(room.id, 0, 40);
        await l.event('hand:raise', { classroomId: room.id }, 3);
      }
    }
    const after = counting();
    const big = await buildReport(after.db, emptySources, { communityId, year: 2026 });
    expect(big.pairings.length).toBe(small.pairings.length + 3);
    expect(big.pairings.filter((p) => p.ruralSchool.name.startsWith('新村')).map((p) => p.participation[0]?.hands)).toEqual([2, 2, 2]);
    expect(after.count()).toBe(before.count());
    expect(after.count()).toBeLessThanOrEqual(15);
  });
});
