// The demo bureau's template for the current year (issue 12), so a fresh install's workspace
// shows targets in force and the community admin can "start from the bureau's template": the
// seeds' two targets with their 40/60/80/100% milestone line.
import type { Queryable } from '../db/db.js';
import { seedMilestones, type Target } from '../contract/workspace/targets.js';
import { schoolDayOf } from '../contract/time.js';
import { putTemplate } from './targetsRepo.js';

export function demoTemplate(year: number): Target[] {
  const from = `${year}-01-01`;
  const to = `${year}-12-31`;
  return [
    {
      id: 'sync-or-send',
      title: '同步课堂或送教下乡示范课累计不少于10节',
      kinds: ['sync_lesson', 'send_teaching'],
      year: { from, to },
      terms: [{ from, threshold: 10, breadth: { minSubjects: 2 }, milestones: seedMilestones(year) }],
    },
    {
      id: 'research',
      title: '网络研修（集体备课、教学诊断、主题研修）不少于4次',
      kinds: ['collective_prep', 'teaching_diagnosis', 'thematic_research'],
      year: { from, to },
      terms: [{ from, threshold: 4, breadth: {}, milestones: seedMilestones(year) }],
    },
  ];
}

export async function seedDemoTargets(q: Queryable, bureauId: string): Promise<void> {
  const year = Number(schoolDayOf(new Date()).day.slice(0, 4));
  await putTemplate(q, bureauId, year, demoTemplate(year), null);
}
