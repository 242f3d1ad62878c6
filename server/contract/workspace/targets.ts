// 教共体 yearly targets, evaluated against the activities that happened (issue 12). Pure: the
// server evaluates for the dashboards and reports, the client uses the same code to draw the
// milestone line and the projection, and the unit tests check it on hand-computed cases.
//
// All dates are Shanghai calendar days, 'YYYY-MM-DD' (server/contract/time.ts): a target year,
// a milestone and an activity are days in a school's calendar, not instants.
import { z } from 'zod';
import { addDays } from '../time.js';

/** What a community does and reports, as the bureaus' plans name it. */
export const ACTIVITY_KINDS = [
  'sync_lesson', // 同步课堂
  'send_teaching', // 送教下乡 (on-site demonstration lessons)
  'remote_course', // 远程专递课堂
  'collective_prep', // 网络研修 · 集体备课
  'teaching_diagnosis', // 网络研修 · 教学诊断
  'thematic_research', // 网络研修 · 主题研修
  'offline_research', // 线下教研
  'teacher_visit', // 教师互访
  'student_exchange', // 学生互访 / 手拉手
  'mentoring', // 师徒结对 activities
  'report', // reports published
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

/** Breadth conditions beside the count: the seeds' "across ≥ 2 subjects", "≥ 3 teachers", "at least one per month". */
export const breadthSchema = z
  .object({
    minSubjects: z.number().int().min(1).max(50).optional(),
    minTeachers: z.number().int().min(1).max(500).optional(),
    /** At least one counted activity in every month of the target year up to today (school holidays excepted). */
    everyMonth: z.boolean().optional(),
    /** Months (1–12) everyMonth leaves out: 寒假 and 暑假. */
    exceptMonths: z.array(z.number().int().min(1).max(12)).max(12).optional(),
  })
  .strict();
export type Breadth = z.infer<typeof breadthSchema>;

/** A dated share of the threshold: "40% by April". */
export const milestoneSchema = z.object({ by: day, percent: z.number().min(0).max(100) }).strict();
export type Milestone = z.infer<typeof milestoneSchema>;

/** One version of a target's terms; a target changed mid-year keeps its earlier versions. */
export const targetTermsSchema = z
  .object({
    /** The day these terms take effect (the first version: the year's first day). */
    from: day,
    threshold: z.number().int().min(1).max(100_000),
    breadth: breadthSchema.default({}),
    milestones: z.array(milestoneSchema).max(24).default([]),
  })
  .strict();
export type TargetTerms = z.infer<typeof targetTermsSchema>;

export const targetSchema = z
  .object({
    id: z.string().min(1).max(64),
    title: z.string().min(1).max(200),
    /** The kinds counted together: "同步课堂或送教下乡示范课累计不少于10节" is [sync_lesson, send_teaching]. */
    kinds: z.array(z.enum(ACTIVITY_KINDS)).min(1).max(ACTIVITY_KINDS.length),
    year: z.object({ from: day, to: day }).strict(),
    terms: z.array(targetTermsSchema).min(1).max(20),
  })
  .strict();
export type Target = z.infer<typeof targetSchema>;

/** What evaluation needs of an activity that counts (the caller has applied 核验 and the counting rules). */
export interface CountedActivity {
  id: string;
  kind: ActivityKind;
  day: string;
  subject?: string | null;
  teacherIds?: readonly string[];
}

export interface MilestoneResult extends Milestone {
  /** Activities needed by that day: ⌈percent × threshold in force on that day⌉. */
  needed: number;
  /** Counted activities on or before that day. */
  reached: number;
  met: boolean;
  /** Its day has passed (before `today`) and it was not met. */
  overdue: boolean;
}

export interface TargetEvaluation {
  targetId: string;
  /** The terms in force today (or on the year's last day, once it is over). */
  terms: TargetTerms;
  count: number;
  threshold: number;
  met: boolean;
  /** count / threshold, in percent (may pass 100). */
  percent: number;
  breadth: {
    subjects?: { have: number; need: number; met: boolean };
    teachers?: { have: number; need: number; met: boolean };
    /** Months (YYYY-MM) of the year up to today without a counted activity. */
    months?: { missing: string[]; met: boolean };
  };
  milestones: MilestoneResult[];
  /** At the pace so far (count over the days elapsed), the count by the year's last day. */
  projection: { by: string; count: number; meets: boolean } | null;
  /** Every condition met: the count and each breadth condition. */
  complete: boolean;
}

/** Days from `a` to `b` inclusive (both 'YYYY-MM-DD'); leap days count. */
export function daysInclusive(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The terms in force on `on`: the latest version whose `from` is not after it (the first, before any). */
export function termsOn(target: Target, on: string): TargetTerms {
  const sorted = [...target.terms].sort((x, y) => (x.from < y.from ? -1 : x.from > y.from ? 1 : 0));
  let current = sorted[0];
  for (const t of sorted) if (t.from <= on) current = t;
  return current;
}

const monthsOf = (from: string, to: string): string[] => {
  const out: string[] = [];
  let [y, m] = [Number(from.slice(0, 4)), Number(from.slice(5, 7))];
  const [ty, tm] = [Number(to.slice(0, 4)), Number(to.slice(5, 7))];
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, '0')}`);
    [y, m] = m === 12 ? [y + 1, 1] : [y, m + 1];
  }
  return out;
};

/**
 * Evaluates one target on `today`. Only activities of the target's kinds inside its year count;
 * an activity on a milestone's day counts toward that milestone. Milestones are judged by the
 * threshold in force on their own day (a target raised in June does not make April's milestone
 * retroactively missed); the yearly result by the terms in force now.
 */
export function evaluateTarget(target: Target, activities: readonly CountedActivity[], today: string): TargetEvaluation {
  const { from, to } = target.year;
  const kinds = new Set<ActivityKind>(target.kinds);
  const counted = activities.filter((a) => kinds.has(a.kind) && a.day >= from && a.day <= to && a.day <= today);
  const asOf = today < to ? today : to;
  const terms = termsOn(target, asOf);
  const count = counted.length;

  const breadth: TargetEvaluation['breadth'] = {};
  const b = terms.breadth;
  if (b.minSubjects) {
    const have = new Set(counted.map((a) => a.subject?.trim()).filter(Boolean)).size;
    breadth.subjects = { have, need: b.minSubjects, met: have >= b.minSubjects };
  }
  if (b.minTeachers) {
    const have = new Set(counted.flatMap((a) => a.teacherIds ?? [])).size;
    breadth.teachers = { have, need: b.minTeachers, met: have >= b.minTeachers };
  }
  if (b.everyMonth && asOf >= from) {
    const except = new Set(b.exceptMonths ?? []);
    const seen = new Set(counted.map((a) => a.day.slice(0, 7)));
    // The current month is not missing yet while it is still running.
    const lastFull = asOf === to ? to : addDays(`${asOf.slice(0, 7)}-01`, -1);
    const missing = lastFull < from ? [] : monthsOf(from, lastFull).filter((m) => !except.has(Number(m.slice(5, 7))) && !seen.has(m));
    breadth.months = { missing, met: missing.length === 0 };
  }

  const milestones = [...terms.milestones]
    .sort((x, y) => (x.by < y.by ? -1 : x.by > y.by ? 1 : 0))
    .map((m): MilestoneResult => {
      const needed = Math.ceil((m.percent / 100) * termsOn(target, m.by).threshold - 1e-9);
      const reached = counted.filter((a) => a.day <= m.by).length;
      const met = reached >= needed;
      return { ...m, needed, reached, met, overdue: !met && m.by < today };
    });

  let projection: TargetEvaluation['projection'] = null;
  if (today >= from && today < to) {
    const elapsed = daysInclusive(from, today);
    const projected = Math.floor((count * daysInclusive(from, to)) / elapsed);
    projection = { by: to, count: projected, meets: projected >= terms.threshold };
  }

  const met = count >= terms.threshold;
  return {
    targetId: target.id,
    terms,
    count,
    threshold: terms.threshold,
    met,
    percent: Math.round((count / terms.threshold) * 1000) / 10,
    breadth,
    milestones,
    projection,
    complete: met && Object.values(breadth).every((x) => x.met),
  };
}

/** The seeds' milestone line (40% by April, 60% by June, 80% by October, 100% by December) for a calendar year. */
export function seedMilestones(year: number): Milestone[] {
  return [
    { by: `${year}-04-30`, percent: 40 },
    { by: `${year}-06-30`, percent: 60 },
    { by: `${year}-10-31`, percent: 80 },
    { by: `${year}-12-31`, percent: 100 },
  ];
}
