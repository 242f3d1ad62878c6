// The usage statistics' SQL: batched visit counts in, 人 / 人次 per month and group out. One
// statement each way: a flush is one upsert whatever its rows, and the whole year's breakdowns
// are one GROUPING SETS query (people are counted distinct per group, so they never add up wrong).
import type { Queryable } from '../db/db.js';
import type { Role } from '../contract/domain.js';
import type { UsageFigure, UsageModule, UsageReport, UsageTerminal } from '../contract/workspace/usage.js';

export interface VisitCount {
  userId: string;
  module: UsageModule;
  terminal: UsageTerminal;
  /** Shanghai day 'YYYY-MM-DD'. */
  day: string;
  visits: number;
}

/** Adds the counts (each key once per batch); role and organisation are the user's as of now. */
export async function addVisits(db: Queryable, rows: readonly VisitCount[]): Promise<void> {
  if (!rows.length) return;
  await db.query(
    `insert into usage_visits (day, user_id, module, terminal, role, school_id, community_id, bureau_id, visits)
     select v.day::date, v.user_id, v.module, v.terminal, u.role, u.school_id, u.community_id, u.bureau_id, v.visits
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) as v(user_id, module, terminal, day, visits)
       join users u on u.id = v.user_id
     on conflict (user_id, module, terminal, day) do update set visits = usage_visits.visits + excluded.visits`,
    [rows.map((r) => r.userId), rows.map((r) => r.module), rows.map((r) => r.terminal), rows.map((r) => r.day), rows.map((r) => r.visits)],
  );
}

/** Whose use is counted: communities (their members), a bureau (its reviewers), optionally only some schools. */
export interface UsageScope {
  communityIds: readonly string[];
  bureauId: string | null;
  schoolIds?: readonly string[];
}

export interface UsageFilters {
  role?: Role;
  terminal?: UsageTerminal;
  schoolId?: string;
}

const figure = (r: Record<string, unknown>): UsageFigure => ({ people: Number(r.people), visits: Number(r.visits) });

export async function usageReport(db: Queryable, scope: UsageScope, year: number, f: UsageFilters = {}): Promise<UsageReport> {
  const rows = await db.query(
    `select month, module, role, terminal, school_id, school_name,
            count(distinct user_id) as people, sum(visits) as visits,
            grouping(month) as g_month, grouping(module) as g_module, grouping(role) as g_role,
            grouping(terminal) as g_terminal, grouping(school_id) as g_school
       from (select to_char(v.day, 'YYYY-MM') as month, v.module, v.role, v.terminal, v.school_id,
                    coalesce(s.name, '') as school_name, v.user_id, v.visits
               from usage_visits v left join schools s on s.id = v.school_id
              where (v.community_id = any($1::text[]) or ($2::text is not null and v.bureau_id = $2))
                and v.day >= $3::date and v.day <= $4::date
                and ($5::text[] is null or v.school_id = any($5::text[]))
                and ($6::text is null or v.role = $6) and ($7::text is null or v.terminal = $7) and ($8::text is null or v.school_id = $8)) x
      group by grouping sets ((month, module), (month, role), (month, terminal), (month, school_id, school_name), (month), (module), ())
      order by month nulls first, module, role, terminal, school_name`,
    [
      [...scope.communityIds],
      scope.bureauId,
      `${year}-01-01`,
      `${year}-12-31`,
      scope.schoolIds ? [...scope.schoolIds] : null,
      f.role ?? null,
      f.terminal ?? null,
      f.schoolId ?? null,
    ],
  );
  const report: UsageReport = { year, byMonthModule: [], byMonthRole: [], byMonthTerminal: [], byMonthSchool: [], byMonth: [], byModule: [], total: { people: 0, visits: 0 } };
  for (const r of rows) {
    const g = (k: string) => Number(r[k]) === 0; // grouped by this column
    const month = String(r.month);
    if (g('g_month') && g('g_module')) report.byMonthModule.push({ month, module: r.module as UsageModule, ...figure(r) });
    else if (g('g_month') && g('g_role')) report.byMonthRole.push({ month, role: r.role as Role, ...figure(r) });
    else if (g('g_month') && g('g_terminal')) report.byMonthTerminal.push({ month, terminal: r.terminal as UsageTerminal, ...figure(r) });
    else if (g('g_month') && g('g_school')) report.byMonthSchool.push({ month, schoolId: (r.school_id as string | null) ?? null, schoolName: String(r.school_name), ...figure(r) });
    else if (g('g_month')) report.byMonth.push({ month, ...figure(r) });
    else if (g('g_module')) report.byModule.push({ module: r.module as UsageModule, ...figure(r) });
    else report.total = figure(r);
  }
  return report;
}

/** A bureau's communities (its usage is theirs and its reviewers'). */
export async function bureauCommunityIds(db: Queryable, bureauId: string): Promise<string[]> {
  return (await db.query<{ id: string }>('select id from communities where bureau_id = $1', [bureauId])).map((c) => c.id);
}
