// Progress of pairings against their targets (issue 12): the targets in force, the activities
// of every source, evaluateTarget over the counted ones. One pass serves a pairing, a community
// and a bureau: the pairings are read in one query, the targets in two, each source in a fixed
// few — never a query per pairing. A pairing's page reads its activities one by one (it lists
// them); a community's or bureau's reads the counted ones grouped in SQL (breakpointsOf), so
// 60,000 activities come back as a few thousand rows and evaluate exactly as one by one.
import type { Queryable } from '../db/db.js';
import { addDays, schoolDayOf } from '../contract/time.js';
import { evaluateTarget, type ActivityKind, type CountedActivity, type Target } from '../contract/workspace/targets.js';
import type { Contribution, PairingProgress, PairingRef, ProgressActivity, TargetRollup } from '../contract/workspace/progress.js';
import { DEFAULT_ACTIVITY_SOURCES, type ActivitySource, type SourcedActivity, type SourcedGroup } from './activitySources.js';
import { targetsInForce } from './targetsRepo.js';

/** The pairings of some communities (or the listed ones), with their schools' names. */
export async function pairingRefs(db: Queryable, where: { communityIds?: string[]; pairingIds?: string[] }): Promise<PairingRef[]> {
  const rows = await db.query(
    `select p.id, p.community_id, cs.id as city_id, cs.name as city_name, rs.id as rural_id, rs.name as rural_name
       from pairings p join schools cs on cs.id = p.city_school_id join schools rs on rs.id = p.rural_school_id
      where ($1::text[] is null or p.community_id = any($1::text[])) and ($2::text[] is null or p.id = any($2::text[]))
      order by cs.name, rs.name, p.id`,
    [where.communityIds ?? null, where.pairingIds ?? null],
  );
  return rows.map((r) => ({
    id: String(r.id),
    communityId: String(r.community_id),
    citySchool: { id: String(r.city_id), name: String(r.city_name) },
    ruralSchool: { id: String(r.rural_id), name: String(r.rural_name) },
  }));
}

export interface ProgressOptions {
  year: number;
  /** Evaluate as of this Shanghai day (default: today). */
  asOf?: string;
  subject?: string;
  sources?: readonly ActivitySource[];
  nowMs?: number;
  /**
   * Every activity with its verdict (a pairing's page), or only the counted ones grouped in SQL
   * (a community's or a bureau's dashboard: the activities lists stay empty).
   */
  detail: boolean;
  /** With grouped activities: whose contribution to count (detail mode takes it from the list). */
  contributorId?: string | null;
}

export interface ProgressRun {
  year: number;
  asOf: string;
  pairings: (PairingProgress & { activities: SourcedActivity[] })[];
  /** Subjects of the activities before the subject filter. */
  subjects: string[];
  /** Grouped mode: the contributor's counted activities per kind. */
  contribution: Partial<Record<ActivityKind, number>>;
}

/**
 * The days that separate activities for evaluation: an activity's result depends only on which
 * side of each it falls (the day before a target's year, its last day, each milestone, today)
 * and on its month, subject and teachers — so activities alike in those evaluate as a group.
 */
export function breakpointsOf(targets: readonly Target[], asOf: string): string[] {
  const days = new Set<string>([asOf]);
  for (const t of targets) {
    days.add(addDays(t.year.from, -1));
    days.add(t.year.to);
    for (const terms of t.terms) for (const m of terms.milestones) days.add(m.by);
  }
  return [...days].sort();
}

export async function progressOf(db: Queryable, pairings: readonly PairingRef[], opts: ProgressOptions): Promise<ProgressRun> {
  const nowMs = opts.nowMs ?? Date.now();
  const asOf = opts.asOf ?? schoolDayOf(new Date(nowMs)).day;
  const inForce = await targetsInForce(db, pairings, opts.year);
  // The activities of the union of the targets' years (a school year may run into the next one).
  let from = `${opts.year}-01-01`;
  let to = `${opts.year}-12-31`;
  for (const f of inForce.values()) {
    for (const t of f.targets) {
      if (t.year.from < from) from = t.year.from;
      if (t.year.to > to) to = t.year.to;
    }
  }
  const schools = pairings.map((p) => ({ pairingId: p.id, citySchoolId: p.citySchool.id, ruralSchoolId: p.ruralSchool.id }));
  const sources = opts.sources ?? DEFAULT_ACTIVITY_SOURCES;
  const subject = opts.subject?.trim();
  const subjects = new Set<string>();
  const activitiesOf = new Map<string, SourcedActivity[]>();
  const countedOf = new Map<string, CountedActivity[]>();
  const contribution: Partial<Record<ActivityKind, number>> = {};
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
    const list = m.get(k);
    if (list) list.push(v);
    else m.set(k, [v]);
  };
  const keep = (a: { day: string; subject: string }) => {
    if (a.day > asOf) return false;
    if (a.subject.trim()) subjects.add(a.subject.trim());
    return !subject || a.subject.trim() === subject;
  };

  if (opts.detail) {
    const loaded = (await Promise.all(sources.map((s) => s.load(db, schools, from, to, nowMs)))).flat();
    for (const a of loaded) {
      if (!keep(a)) continue;
      push(activitiesOf, a.pairingId, a);
      if (a.counts) push(countedOf, a.pairingId, { id: a.id, kind: a.kind, day: a.day, subject: a.subject, teacherIds: a.teacherIds });
    }
  } else {
    const breakpoints = breakpointsOf([...inForce.values()].flatMap((f) => f.targets), asOf);
    const groups = (
      await Promise.all(
        sources.map(async (s): Promise<SourcedGroup[]> => {
          if (s.countedGroups) return s.countedGroups(db, schools, from, to, nowMs, breakpoints);
          const all = await s.load(db, schools, from, to, nowMs);
          return all.filter((a) => a.counts).map((a) => ({ pairingId: a.pairingId, kind: a.kind, day: a.day, subject: a.subject, teacherIds: a.teacherIds, n: 1 }));
        }),
      )
    ).flat();
    for (const [i, g] of groups.entries()) {
      if (!keep(g)) continue;
      // A group stands for n activities alike for evaluation: n of them on its day.
      for (let k = 0; k < g.n; k++) push(countedOf, g.pairingId, { id: `${i}:${k}`, kind: g.kind, day: g.day, subject: g.subject, teacherIds: g.teacherIds });
      if (opts.contributorId && g.teacherIds.includes(opts.contributorId)) contribution[g.kind] = (contribution[g.kind] ?? 0) + g.n;
    }
  }

  return {
    year: opts.year,
    asOf,
    subjects: [...subjects].sort(),
    contribution,
    pairings: pairings.map((p) => {
      const activities = (activitiesOf.get(p.id) ?? []).sort((x, y) => (x.day < y.day ? 1 : x.day > y.day ? -1 : x.id < y.id ? -1 : 1));
      const counted = countedOf.get(p.id) ?? [];
      const f = inForce.get(p.id) ?? { source: 'none' as const, targets: [] };
      return {
        pairing: p,
        year: opts.year,
        asOf,
        source: f.source,
        targets: f.targets.map((target) => ({ target, evaluation: evaluateTarget(target, counted, asOf) })),
        counted: countByKind(counted),
        activities,
      };
    }),
  };
}

function countByKind(activities: readonly { kind: ActivityKind }[]): Partial<Record<ActivityKind, number>> {
  const out: Partial<Record<ActivityKind, number>> = {};
  for (const a of activities) out[a.kind] = (out[a.kind] ?? 0) + 1;
  return out;
}

/** The counted activities the user taught or led (an activity of two pairings once). */
export function contributionOf(userId: string, activities: readonly ProgressActivity[]): Contribution {
  const seen = new Set<string>();
  const mine = activities.filter((a) => a.counts && a.teacherIds.includes(userId) && !seen.has(`${a.kind}:${a.id}`) && seen.add(`${a.kind}:${a.id}`));
  return { userId, byKind: countByKind(mine), activities: mine };
}

/** Each target (by id) across the pairings that hold it. */
export function rollupOf(pairings: readonly PairingProgress[]): TargetRollup[] {
  const out = new Map<string, TargetRollup>();
  for (const p of pairings) {
    for (const { target, evaluation: e } of p.targets) {
      const r = out.get(target.id) ?? { targetId: target.id, title: target.title, kinds: [...target.kinds], pairings: 0, complete: 0, onPace: 0, overdue: 0, count: 0, threshold: 0 };
      r.pairings++;
      if (e.complete) r.complete++;
      if (e.projection?.meets) r.onPace++;
      if (e.milestones.some((m) => m.overdue)) r.overdue++;
      r.count += e.count;
      r.threshold += e.threshold;
      out.set(target.id, r);
    }
  }
  return [...out.values()];
}

export async function communityRef(db: Queryable, id: string): Promise<{ id: string; name: string; schools: { id: string; name: string }[] } | null> {
  const rows = await db.query('select id, name from communities where id = $1', [id]);
  if (!rows[0]) return null;
  const schools = await db.query('select id, name from schools where community_id = $1 order by name', [id]);
  return { id, name: String(rows[0].name), schools: schools.map((s) => ({ id: String(s.id), name: String(s.name) })) };
}

export async function communitiesOfBureau(db: Queryable, bureauId: string): Promise<{ id: string; name: string }[]> {
  const rows = await db.query('select id, name from communities where bureau_id = $1 order by name', [bureauId]);
  return rows.map((r) => ({ id: String(r.id), name: String(r.name) }));
}
