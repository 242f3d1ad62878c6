// A 教共体's yearly plan as stored (issue 12): the targets of a pairing or a community for one
// year, and a bureau's template the communities start from. The shapes and the bodies that
// change them; the targets themselves are the contract's `Target` (./targets.ts).
import { z } from 'zod';
import { targetSchema, type Milestone, type Target } from './targets.js';

export const yearSchema = z.coerce.number().int().min(2000).max(2100);

/**
 * The targets of one year: unique ids, each target's year starting in that calendar year and
 * not ending before it starts, every term version inside the target's year.
 */
export function planTargetsSchema(year: number) {
  return z
    .array(targetSchema)
    .max(40)
    .superRefine((targets, ctx) => {
      const ids = new Set<string>();
      targets.forEach((t, i) => {
        if (ids.has(t.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `target id ${t.id} twice` });
        ids.add(t.id);
        if (Number(t.year.from.slice(0, 4)) !== year) ctx.addIssue({ code: 'custom', path: [i, 'year', 'from'], message: `a target of ${year} starts in ${year}` });
        if (t.year.to < t.year.from) ctx.addIssue({ code: 'custom', path: [i, 'year', 'to'], message: 'the year ends before it starts' });
        t.terms.forEach((term, j) => {
          if (term.from < t.year.from || term.from > t.year.to) ctx.addIssue({ code: 'custom', path: [i, 'terms', j, 'from'], message: 'terms take effect inside the target’s year' });
        });
      });
    });
}

export const yearQuery = z.object({ year: yearSchema }).strict();
export const planBody = z.object({ targets: z.array(z.unknown()).max(40) }).strict();
export const copyBody = z.object({ year: yearSchema }).strict();

/** Where a scope's targets for a year come from: its own, the community's (a pairing), the bureau's template, none. */
export type PlanSource = 'own' | 'community' | 'template' | 'none';

export interface PlanResponse {
  year: number;
  /** The scope's own stored targets (empty: it has none and inherits). */
  own: Target[];
  /** What is in force: the own targets, else the inherited ones. */
  targets: Target[];
  source: PlanSource;
  /** Whether last year has targets of this scope to copy. */
  canCopyLastYear: boolean;
  /** Whether the bureau has a template for this year. */
  hasTemplate: boolean;
}

export interface TemplateResponse {
  bureauId: string;
  year: number;
  targets: Target[];
  publishedAt: string | null;
}

/** The same day a year later; 29 February becomes 28 February. */
export function shiftDayOneYear(day: string): string {
  const y = Number(day.slice(0, 4)) + 1;
  const md = day.slice(5);
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return `${y}-${md === '02-29' && !leap ? '02-28' : md}`;
}

/** Last year's target as this year's: the year, every term version and every milestone a year later. */
export function shiftTargetOneYear(t: Target): Target {
  const ms = (m: Milestone): Milestone => ({ ...m, by: shiftDayOneYear(m.by) });
  return {
    ...t,
    year: { from: shiftDayOneYear(t.year.from), to: shiftDayOneYear(t.year.to) },
    terms: t.terms.map((term) => ({ ...term, from: shiftDayOneYear(term.from), milestones: term.milestones.map(ms) })),
  };
}
