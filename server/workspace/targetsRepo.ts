// Stored yearly targets (issue 12): a pairing's own, its community's, the bureau's template.
// What is in force for a pairing's year is the first of: its own targets, its community's, the
// template of the community's bureau. Targets are the contract's Target, validated on write
// (planTargetsSchema) and again on read: a row that no longer parses is left out and logged
// rather than breaking every dashboard of the community.
import type { Queryable } from '../db/db.js';
import { AppError } from '../contract/errors.js';
import { logger } from '../contract/log.js';
import { targetSchema, type Target } from '../contract/workspace/targets.js';
import { planTargetsSchema, shiftTargetOneYear, type PlanResponse, type PlanSource, type TemplateResponse } from '../contract/workspace/plan.js';
import { inTx, isoOrNull, json } from '../community/sql.js';

const log = logger('workspace-targets');

/** A community's plan (pairingId null) or one pairing's own. */
export interface PlanScope {
  communityId: string;
  pairingId: string | null;
}

function validTargets(values: unknown[], where: string): Target[] {
  const out: Target[] = [];
  for (const v of values) {
    const parsed = targetSchema.safeParse(json(v));
    if (parsed.success) out.push(parsed.data);
    else log.warn('stored target no longer valid: left out', { where, issues: parsed.error.issues.slice(0, 3) });
  }
  return out;
}

/** Validates a year's targets as a body would be (BAD_REQUEST with the first issue). */
export function checkPlanTargets(year: number, targets: unknown): Target[] {
  const parsed = planTargetsSchema(year).safeParse(targets);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError('BAD_REQUEST', `targets.${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

export async function scopeTargets(db: Queryable, scope: PlanScope, year: number): Promise<Target[]> {
  const rows = await db.query(
    `select target from workspace_targets where community_id = $1 and coalesce(pairing_id, '') = $2 and year = $3 order by position, target_id`,
    [scope.communityId, scope.pairingId ?? '', year],
  );
  return validTargets(rows.map((r) => r.target), `${scope.communityId}/${scope.pairingId ?? '-'}/${year}`);
}

/** Replaces the scope's targets of the year (an empty list: the scope inherits again). */
export async function putScopeTargets(db: Queryable, scope: PlanScope, year: number, targets: unknown, userId: string): Promise<Target[]> {
  const valid = checkPlanTargets(year, targets);
  await inTx(db, async (q) => {
    await q.query(`delete from workspace_targets where community_id = $1 and coalesce(pairing_id, '') = $2 and year = $3`, [
      scope.communityId,
      scope.pairingId ?? '',
      year,
    ]);
    for (const [i, t] of valid.entries()) {
      await q.query(
        `insert into workspace_targets (community_id, pairing_id, year, target_id, position, target, updated_by) values ($1, $2, $3, $4, $5, $6, $7)`,
        [scope.communityId, scope.pairingId, year, t.id, i, JSON.stringify(t), userId],
      );
    }
  });
  return valid;
}

/** Last year's targets of the scope as this year's (dates a year later). CONFLICT when the year has its own already. */
export async function copyLastYear(db: Queryable, scope: PlanScope, year: number, userId: string): Promise<Target[]> {
  if ((await scopeTargets(db, scope, year)).length) throw new AppError('CONFLICT', `${year} has targets already; change them instead`);
  const last = await scopeTargets(db, scope, year - 1);
  if (!last.length) throw new AppError('NOT_FOUND', `no targets in ${year - 1} to copy`);
  return putScopeTargets(db, scope, year, last.map(shiftTargetOneYear), userId);
}

async function bureauOf(db: Queryable, communityId: string): Promise<string | null> {
  const rows = await db.query<{ bureau_id: string | null }>('select bureau_id from communities where id = $1', [communityId]);
  return rows[0]?.bureau_id ?? null;
}

export async function getTemplate(db: Queryable, bureauId: string, year: number): Promise<TemplateResponse> {
  const rows = await db.query('select targets, published_at from workspace_target_templates where bureau_id = $1 and year = $2', [bureauId, year]);
  const r = rows[0];
  return { bureauId, year, targets: r ? validTargets(json<unknown[]>(r.targets), `template ${bureauId}/${year}`) : [], publishedAt: r ? isoOrNull(r.published_at) : null };
}

/** Publishes (or replaces) the bureau's template of the year; an empty list withdraws it. */
export async function putTemplate(db: Queryable, bureauId: string, year: number, targets: unknown, userId: string | null): Promise<TemplateResponse> {
  const valid = checkPlanTargets(year, targets);
  if (!valid.length) {
    await db.query('delete from workspace_target_templates where bureau_id = $1 and year = $2', [bureauId, year]);
  } else {
    await db.query(
      `insert into workspace_target_templates (bureau_id, year, targets, published_by) values ($1, $2, $3, $4)
       on conflict (bureau_id, year) do update set targets = excluded.targets, published_by = excluded.published_by, published_at = now()`,
      [bureauId, year, JSON.stringify(valid), userId],
    );
  }
  return getTemplate(db, bureauId, year);
}

/** The community starts its year from the bureau's template: a copy it then edits as its own. */
export async function startFromTemplate(db: Queryable, communityId: string, year: number, userId: string): Promise<Target[]> {
  const scope = { communityId, pairingId: null };
  if ((await scopeTargets(db, scope, year)).length) throw new AppError('CONFLICT', `${year} has targets already; change them instead`);
  const bureauId = await bureauOf(db, communityId);
  const template = bureauId ? await getTemplate(db, bureauId, year) : null;
  if (!template?.targets.length) throw new AppError('NOT_FOUND', `the bureau has no template for ${year}`);
  return putScopeTargets(db, scope, year, template.targets, userId);
}

export interface InForce {
  source: PlanSource;
  targets: Target[];
}

/**
 * What is in force for each pairing's year, in two queries whatever the number of pairings:
 * every stored target of their communities' year, and their bureaus' templates.
 */
export async function targetsInForce(db: Queryable, pairings: readonly { id: string; communityId: string }[], year: number): Promise<Map<string, InForce>> {
  const out = new Map<string, InForce>();
  if (!pairings.length) return out;
  const communityIds = [...new Set(pairings.map((p) => p.communityId))];
  const rows = await db.query(
    `select community_id, pairing_id, target from workspace_targets where community_id = any($1::text[]) and year = $2 order by position, target_id`,
    [communityIds, year],
  );
  const templates = await db.query(
    `select c.id as community_id, t.targets from communities c join workspace_target_templates t on t.bureau_id = c.bureau_id and t.year = $2
      where c.id = any($1::text[])`,
    [communityIds, year],
  );
  const own = new Map<string, unknown[]>();
  for (const r of rows) {
    const key = r.pairing_id ? `p:${String(r.pairing_id)}` : `c:${String(r.community_id)}`;
    const list = own.get(key) ?? [];
    list.push(r.target);
    own.set(key, list);
  }
  const template = new Map(templates.map((r) => [String(r.community_id), json<unknown[]>(r.targets)]));
  const parsed = new Map<string, Target[]>();
  const targetsOf = (key: string, values: unknown[]) => {
    if (!parsed.has(key)) parsed.set(key, validTargets(values, key));
    return parsed.get(key)!;
  };
  for (const p of pairings) {
    const mine = own.get(`p:${p.id}`);
    const community = own.get(`c:${p.communityId}`);
    const tpl = template.get(p.communityId);
    if (mine?.length) out.set(p.id, { source: 'own', targets: targetsOf(`p:${p.id}`, mine) });
    else if (community?.length) out.set(p.id, { source: 'community', targets: targetsOf(`c:${p.communityId}`, community) });
    else if (tpl?.length) out.set(p.id, { source: 'template', targets: targetsOf(`t:${p.communityId}`, tpl) });
    else out.set(p.id, { source: 'none', targets: [] });
  }
  return out;
}

/** A scope's plan for the editor: its own targets, what is in force, and what it could start from. */
export async function planOf(db: Queryable, scope: PlanScope, year: number): Promise<PlanResponse> {
  const own = await scopeTargets(db, scope, year);
  const lastYear = await db.query(
    `select 1 from workspace_targets where community_id = $1 and coalesce(pairing_id, '') = $2 and year = $3 limit 1`,
    [scope.communityId, scope.pairingId ?? '', year - 1],
  );
  const bureauId = await bureauOf(db, scope.communityId);
  const template = bureauId ? await getTemplate(db, bureauId, year) : null;
  let inherited: InForce;
  if (own.length) inherited = { source: 'own', targets: own };
  else if (scope.pairingId) inherited = (await targetsInForce(db, [{ id: scope.pairingId, communityId: scope.communityId }], year)).get(scope.pairingId)!;
  else inherited = template?.targets.length ? { source: 'template', targets: template.targets } : { source: 'none', targets: [] };
  return { year, own, targets: inherited.targets, source: inherited.source, canCopyLastYear: lastYear.length > 0, hasTemplate: !!template?.targets.length };
}

/**
 * The research module's per-pairing targets (POST /api/research/targets) as two targets of the
 * pairing's own year, the same ones the migration made of the old research_targets rows. Other
 * targets of the pairing stay; a pairing without own targets has these two from now on.
 */
export async function setResearchTargets(db: Queryable, pairingId: string, year: number, t: { minLessons: number; minSessions: number }): Promise<void> {
  const rows = await db.query<{ community_id: string }>('select community_id from pairings where id = $1', [pairingId]);
  if (!rows[0]) throw new AppError('NOT_FOUND', 'pairing not found');
  const from = `${year}-01-01`;
  const make = (id: string, position: number, title: string, kinds: Target['kinds'], threshold: number) => ({
    id,
    position,
    target: { id, title, kinds, year: { from, to: `${year}-12-31` }, terms: [{ from, threshold, breadth: {}, milestones: [] }] } satisfies Target,
  });
  const targets = [
    make('research-lessons', 0, `同步课堂不少于${t.minLessons}节`, ['sync_lesson'], t.minLessons),
    make('research-sessions', 1, `网络研修不少于${t.minSessions}次`, ['collective_prep', 'teaching_diagnosis', 'thematic_research'], t.minSessions),
  ];
  await inTx(db, async (q) => {
    for (const x of targets) {
      // A minimum of 0 is no target (targets need a threshold of at least 1).
      if (x.target.terms[0].threshold < 1) {
        await q.query(`delete from workspace_targets where pairing_id = $1 and year = $2 and target_id = $3`, [pairingId, year, x.id]);
        continue;
      }
      const target = checkPlanTargets(year, [x.target])[0];
      await q.query(
        `insert into workspace_targets (community_id, pairing_id, year, target_id, position, target) values ($1, $2, $3, $4, $5, $6)
         on conflict (community_id, coalesce(pairing_id, ''), year, target_id) do update set target = excluded.target, updated_at = now()`,
        [rows[0].community_id, pairingId, year, x.id, x.position, JSON.stringify(target)],
      );
    }
  });
}
