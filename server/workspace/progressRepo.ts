// Progress of pairings against their targets (issue 12): the targets in force, the activities
// of every source, evaluateTarget over the counted ones. One pass serves a pairing, a community
// and a bureau: the pairings are read in one query, the targets in two, each source in a fixed
// few — never a query per pairing — so a bureau of 300 pairings costs what a pairing does, plus
// the rows.
import type { Queryable } from '../db/db.js';
import { schoolDayOf } from '../contract/time.js';
import { evaluateTarget, type ActivityKind, type CountedActivity } from '../contract/workspace/targets.js';
import type { Contribution, PairingProgress, PairingRef, ProgressActivity, TargetRollup } from '../contract/workspace/progress.js';
import { DEFAULT_ACTIVITY_SOURCES, type ActivitySource, type SourcedActivity } from './activitySources.js';
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
}

export interface ProgressRun {
  year: number;
  asOf: string;
  pairings: (PairingProgress & { activities: SourcedActivity[] })[];
  /** Subjects of the activities before the subject filter. */
  subjects: string[];
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
  const loaded = (await Promise.all((opts.sources ?? DEFAULT_ACTIVITY_SOURCES).map((s) => s.load(db, schools, from, to, nowMs)))).flat();
  const inRange = loaded.filter((a) => a.day <= asOf);
  const subjects = [...new Set(inRange.map((a) => a.subject.trim()).filter(Boolean))].sort();
  const subject = opts.subject?.trim();
  const shown = subject ? inRange.filter((a) => a.subject.trim() === subject) : inRange;
  const byPairing = new Map<string, SourcedActivity[]>();
  for (const a of shown) {
    const list = byPairing.get(a.pairingId);
    if (list) list.push(a);
    else byPairing.set(a.pairingId, [a]);
  }

  return {
    year: opts.year,
    asOf,
    subjects,
    pairings: pairings.map((p) => {
      const activities = (byPairing.get(p.id) ?? []).sort((x, y) => (x.day < y.day ? 1 : x.day > y.day ? -1 : x.id < y.id ? -1 : 1));
      const counted: CountedActivity[] = activities.filter((a) => a.counts).map(({ id, kind, day, subject: s, teacherIds }) => ({ id, kind, day, subject: s, teacherIds }));
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
