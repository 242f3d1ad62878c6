// The demo's 师徒结对: 王老师 (滨江实验小学) mentors 李老师 (青山村小学) in 数学 for a school year
// from this month, so `npm start` shows a pair whose activities fill in as the two watch and
// comment on each other's lessons.
import type { Queryable } from '../db/db.js';
import { addDays, schoolDayOf } from '../contract/time.js';
import { createMentorPair } from './mentorRepo.js';

export async function seedDemoMentors(q: Queryable, o: { communityId: string; mentorId: string; menteeId: string; adminId: string }): Promise<void> {
  const startsOn = `${schoolDayOf(new Date()).day.slice(0, 7)}-01`;
  await createMentorPair(q, o.communityId, o.adminId, {
    mentorId: o.mentorId,
    menteeId: o.menteeId,
    subject: '数学',
    startsOn,
    endsOn: addDays(addDays(startsOn, 365), -1),
    goals: '每月互相听课至少两节（直播或回放），每节课写评课意见；共同备一节汇报课。',
  });
}
