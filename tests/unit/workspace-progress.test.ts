// The dashboards' grouping (issue 12): activities alike in kind, month, subject, teachers and
// the span between breakpoints evaluate identically, so a group of n on its first day stands for
// its n members — checked against evaluateTarget one by one on random activities, with the
// width_bucket rule the SQL uses (bounds on or before the day, the bounds being the day after
// each breakpoint). Also the plan's validation and the copy of last year's dates.
import { describe, expect, it } from 'vitest';
import { addDays } from '../../server/contract/time.js';
import { evaluateTarget, seedMilestones, type CountedActivity, type Target } from '../../server/contract/workspace/targets.js';
import { planTargetsSchema, shiftTargetOneYear } from '../../server/contract/workspace/plan.js';
import { breakpointsOf } from '../../server/workspace/progressRepo.js';
import { afterEach } from '../../server/workspace/syncLessonsRepo.js';

/** PostgreSQL's width_bucket(operand, thresholds): how many thresholds are ≤ the operand. */
const widthBucket = (day: string, bounds: readonly string[]) => bounds.filter((b) => b <= day).length;

function lcg(seed: number) {
  let s = seed;
  return () => (s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

const targets: Target[] = [
  {
    id: 'a',
    title: 'a',
    kinds: ['sync_lesson', 'thematic_research'],
    year: { from: '2026-01-01', to: '2026-12-31' },
    terms: [
      { from: '2026-01-01', threshold: 12, breadth: { minSubjects: 3, minTeachers: 2, everyMonth: true, exceptMonths: [2, 7, 8] }, milestones: seedMilestones(2026) },
      { from: '2026-06-15', threshold: 16, breadth: { minSubjects: 3 }, milestones: [{ by: '2026-06-14', percent: 50 }, { by: '2026-09-09', percent: 75 }] },
    ],
  },
  // A school year across two calendar years, with odd milestone days.
  { id: 'b', title: 'b', kinds: ['collective_prep'], year: { from: '2026-03-05', to: '2027-02-27' }, terms: [{ from: '2026-03-05', threshold: 5, breadth: {}, milestones: [{ by: '2026-05-17', percent: 40 }, { by: '2026-11-03', percent: 90 }] }] },
];

describe('grouped activities', () => {
  it('evaluate exactly as one by one, on every day of the year', () => {
    const rnd = lcg(7);
    const kinds = ['sync_lesson', 'thematic_research', 'collective_prep'] as const;
    const activities: CountedActivity[] = Array.from({ length: 400 }, (_, i) => ({
      id: `x${i}`,
      kind: kinds[Math.floor(rnd() * 3)],
      day: addDays('2025-12-20', Math.floor(rnd() * 450)),
      subject: ['数学', '语文', '英语', '科学'][Math.floor(rnd() * 4)],
      teacherIds: [['t1', 't2', 't3'][Math.floor(rnd() * 3)]],
    }));
    for (const asOf of ['2026-01-01', '2026-04-30', '2026-05-01', '2026-06-14', '2026-06-15', '2026-09-09', '2026-12-31', '2027-02-27', '2027-06-01']) {
      const bounds = afterEach(breakpointsOf(targets, asOf));
      const groups = new Map<string, { first: CountedActivity; n: number }>();
      for (const a of activities) {
        if (a.day > asOf) continue;
        const key = [a.kind, a.day.slice(0, 7), a.subject, a.teacherIds!.join(','), widthBucket(a.day, bounds)].join('|');
        const g = groups.get(key);
        if (!g) groups.set(key, { first: a, n: 1 });
        else {
          g.n++;
          if (a.day < g.first.day) g.first = { ...g.first, day: a.day };
        }
      }
      const expanded = [...groups.values()].flatMap(({ first, n }) => Array.from({ length: n }, (_, k) => ({ ...first, id: `${first.id}:${k}` })));
      expect(groups.size).toBeLessThan(activities.length);
      for (const t of targets) expect(evaluateTarget(t, expanded, asOf)).toEqual(evaluateTarget(t, activities, asOf));
    }
  });

  it('would not with a bucket that counts a breakpoint on the day itself (the day after each is needed)', () => {
    // 04-30 (a milestone) and 05-01 share a month and a span if the bound were 04-30 itself.
    const bounds = breakpointsOf(targets, '2026-12-31');
    expect(widthBucket('2026-04-30', bounds)).toBe(widthBucket('2026-04-29', bounds) + 1);
    const strict = afterEach(bounds);
    expect(widthBucket('2026-04-30', strict)).toBe(widthBucket('2026-04-29', strict));
    expect(widthBucket('2026-05-01', strict)).toBe(widthBucket('2026-04-30', strict) + 1);
  });
});

describe('a year’s plan', () => {
  it('copies last year with every date a year later', () => {
    const next = shiftTargetOneYear(targets[1]);
    expect(next.year).toEqual({ from: '2027-03-05', to: '2028-02-27' });
    expect(next.terms[0].milestones.map((m) => m.by)).toEqual(['2027-05-17', '2027-11-03']);
    expect(planTargetsSchema(2027).safeParse([next]).success).toBe(true);
    expect(planTargetsSchema(2026).safeParse([next]).success).toBe(false);
  });
});
