// A demo community so a fresh install can be tried end to end: a city school teaching two village schools.
import type { Db, Queryable } from '../db/db.js';
import type { Role } from '../contract/domain.js';
import { issueDeviceCode } from '../auth/deviceCodes.js';
import { createLesson } from '../lessons/repo.js';
import { seedDemoTimetable } from '../timetable/demoSeed.js';
import { addPairingRound, createBureau, setCommunityOrg, setPairingLeader } from '../workspace/orgRepo.js';
import { seedDemoMentors } from '../workspace/mentorSeed.js';
import { seedDemoTargets } from '../workspace/targetsDemo.js';
import {
  createClassroom,
  createCommunity,
  createPairing,
  createSchool,
  createUser,
  findCommunityByName,
  setCoreSchool,
} from './repo.js';
import { inTx, isUniqueViolation } from './sql.js';

export const DEMO_COMMUNITY_NAME = '滨江教共体';
export const DEMO_BUREAU_NAME = '滨江区教育局';

export interface DemoAccounts {
  password: string;
  users: { username: string; displayName: string; role: Role }[];
  deviceCodes: { classroom: string; school: string; code: string }[];
  lessonId: string;
}

/** Idempotent: null when the demo community is already there. */
export async function seedDemo(db: Db | Queryable, opts: { password: string }): Promise<DemoAccounts | null> {
  if (await findCommunityByName(db, DEMO_COMMUNITY_NAME)) return null;
  try {
    return await inTx(db, (q) => seed(q, opts.password));
  } catch (err) {
    // Another process seeded between our check and insert: that is the "already there" case.
    if (isUniqueViolation(err) && (await findCommunityByName(db, DEMO_COMMUNITY_NAME))) return null;
    throw err;
  }
}

async function seed(q: Queryable, password: string): Promise<DemoAccounts> {
  const community = await createCommunity(q, { name: DEMO_COMMUNITY_NAME });
  const city = await createSchool(q, { communityId: community.id, name: '滨江实验小学', kind: 'city' });
  const qingshan = await createSchool(q, { communityId: community.id, name: '青山村小学', kind: 'rural' });
  const shiqiao = await createSchool(q, { communityId: community.id, name: '石桥乡中心小学', kind: 'rural' });
  await setCoreSchool(q, community.id, city.id);
  // The bureau above the community, as the region's plans have it: a county-level 共建型 教共体.
  const bureau = await createBureau(q, { name: DEMO_BUREAU_NAME, region: '滨江区' });
  await setCommunityOrg(q, community.id, { bureauId: bureau.id, kind: 'cobuild', scope: 'county' });
  await seedDemoTargets(q, bureau.id);
  const pairings = [
    await createPairing(q, { citySchoolId: city.id, ruralSchoolId: qingshan.id }),
    await createPairing(q, { citySchoolId: city.id, ruralSchoolId: shiqiao.id }),
  ];
  // The current three-year round (Zhejiang's rounds: 教师互访年 → 学生互访年 → 持续发展年).
  const roundStart = new Date().getUTCFullYear() - 1;
  for (const pairing of pairings) {
    await addPairingRound(q, pairing.id, {
      round: 1,
      startsOn: `${roundStart}-09-01`,
      endsOn: `${roundStart + 3}-08-31`,
      yearThemes: ['教师互访年', '学生互访年', '持续发展年'],
    });
  }

  const cityRoom = await createClassroom(q, { schoolId: city.id, name: '四年级(1)班', grade: 4 });
  const qingshanRoom = await createClassroom(q, { schoolId: qingshan.id, name: '四年级', grade: 4 });
  const shiqiaoRoom = await createClassroom(q, { schoolId: shiqiao.id, name: '四年级(2)班', grade: 4 });

  const people: { username: string; displayName: string; role: Role; schoolId?: string }[] = [
    { username: 'admin', displayName: '张主任', role: 'community_admin' },
    { username: 'city-admin', displayName: '刘校长', role: 'school_admin', schoolId: city.id },
    { username: 'qingshan-admin', displayName: '陈校长', role: 'school_admin', schoolId: qingshan.id },
    { username: 'shiqiao-admin', displayName: '周校长', role: 'school_admin', schoolId: shiqiao.id },
    { username: 'teacher-wang', displayName: '王老师', role: 'teacher', schoolId: city.id },
    { username: 'teacher-li', displayName: '李老师', role: 'teacher', schoolId: qingshan.id },
    { username: 'researcher-zhao', displayName: '赵老师', role: 'researcher', schoolId: city.id },
    // A second researcher, at a village school, so 评课 and research groups can span schools.
    { username: 'researcher-qian', displayName: '钱老师', role: 'researcher', schoolId: shiqiao.id },
  ];
  const users = [];
  for (const p of people) {
    users.push(await createUser(q, { ...p, password, communityId: community.id }));
  }
  users.push(await createUser(q, { username: 'bureau-li', displayName: '李科长', role: 'bureau_reviewer', password, bureauId: bureau.id }));
  const leaders: [number, string, string][] = [
    [0, 'city-admin', '统筹结对工作，审定年度计划'],
    [0, 'qingshan-admin', '组织本校教师参加同步课堂与教研，上传佐证材料'],
    [1, 'city-admin', '统筹结对工作，审定年度计划'],
    [1, 'shiqiao-admin', '组织本校教师参加同步课堂与教研，上传佐证材料'],
  ];
  for (const [i, username, duty] of leaders) {
    await setPairingLeader(q, pairings[i], users.find((u) => u.username === username)!.id, duty);
  }
  const admin = users.find((u) => u.username === 'admin')!;
  const wang = users.find((u) => u.username === 'teacher-wang')!;
  const li = users.find((u) => u.username === 'teacher-li')!;
  await seedDemoTimetable(q, {
    city,
    qingshan,
    shiqiao,
    rooms: { city: cityRoom, qingshan: qingshanRoom, shiqiao: shiqiaoRoom },
    teachers: { wang, li },
  });
  await seedDemoMentors(q, { communityId: community.id, mentorId: wang.id, menteeId: li.id, adminId: admin.id });

  const nextHour = new Date();
  nextHour.setUTCMinutes(0, 0, 0);
  nextHour.setUTCHours(nextHour.getUTCHours() + 1);
  const lesson = await createLesson(q, wang, {
    title: '分数的初步认识',
    subject: '数学',
    grade: 4,
    hostClassroomId: cityRoom.id,
    receivingClassroomIds: [qingshanRoom.id, shiqiaoRoom.id],
    scheduledAt: nextHour.toISOString(),
    durationMin: 40,
  });

  const deviceCodes = [];
  for (const [room, school] of [
    [qingshanRoom, qingshan],
    [shiqiaoRoom, shiqiao],
  ] as const) {
    const { code } = await issueDeviceCode(q, { classroomId: room.id, issuedBy: admin.id });
    deviceCodes.push({ classroom: room.name, school: school.name, code });
  }

  return {
    password,
    users: users.map((u) => ({ username: u.username, displayName: u.displayName, role: u.role })),
    deviceCodes,
    lessonId: lesson.id,
  };
}
