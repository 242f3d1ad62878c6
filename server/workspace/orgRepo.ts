// The 教共体's structure: bureaus, communities' type and scope, pairing rounds and leaders.
import { randomUUID } from 'node:crypto';
import type { Queryable } from '../db/db.js';
import type { CommunityKind, CommunityScope } from '../contract/domain.js';
import type { Bureau, OrgCommunity, OrgPairing, PairingLeader, PairingRound, PairingRoundBody } from '../contract/workspace/org.js';
import { AppError } from '../contract/errors.js';
import { isUniqueViolation, json, rowMapper } from '../community/sql.js';

const toBureau = rowMapper<Bureau>({ str: ['id', 'name', 'region'] });
const toRound = rowMapper<PairingRound>(
  { str: ['id', 'pairingId'], num: ['round'] },
  (r) => ({ startsOn: dayOf(r.starts_on), endsOn: dayOf(r.ends_on), yearThemes: json<string[]>(r.year_themes) }),
);
const toLeader = rowMapper<PairingLeader>({ str: ['pairingId', 'userId', 'displayName', 'duty'], strOrNull: ['schoolId'] });

/** A `date` column as 'YYYY-MM-DD': PGlite and node-postgres hand back a Date at local midnight or text. */
function dayOf(v: unknown): string {
  if (v instanceof Date) {
    const p = (n: number) => String(n).padStart(2, '0');
    return `${v.getFullYear()}-${p(v.getMonth() + 1)}-${p(v.getDate())}`;
  }
  return String(v).slice(0, 10);
}

/** The organisation an account belongs to: a community, or (a reviewer) a bureau. */
export async function organisationOf(db: Queryable, userId: string): Promise<{ communityId: string | null; bureauId: string | null } | null> {
  const rows = await db.query<{ community_id: string | null; bureau_id: string | null }>('select community_id, bureau_id from users where id = $1', [userId]);
  return rows[0] ? { communityId: rows[0].community_id, bureauId: rows[0].bureau_id } : null;
}

export async function bureauCommunityIds(db: Queryable, bureauId: string): Promise<string[]> {
  const rows = await db.query<{ id: string }>('select id from communities where bureau_id = $1 order by name', [bureauId]);
  return rows.map((r) => r.id);
}

export async function createBureau(db: Queryable, opts: { name: string; region?: string }): Promise<Bureau> {
  const bureau = { id: randomUUID(), name: opts.name, region: opts.region ?? '' };
  await db.query('insert into bureaus (id, name, region) values ($1, $2, $3)', [bureau.id, bureau.name, bureau.region]);
  return bureau;
}

export async function getBureau(db: Queryable, id: string): Promise<Bureau | null> {
  const rows = await db.query('select id, name, region from bureaus where id = $1', [id]);
  return rows[0] ? toBureau(rows[0]) : null;
}

export async function findBureauByName(db: Queryable, name: string): Promise<Bureau | null> {
  const rows = await db.query('select id, name, region from bureaus where name = $1', [name]);
  return rows[0] ? toBureau(rows[0]) : null;
}

/** Places a community under a bureau and sets its type and scope (fields left out stay). */
export async function setCommunityOrg(
  db: Queryable,
  communityId: string,
  o: { bureauId?: string | null; kind?: CommunityKind; scope?: CommunityScope },
): Promise<void> {
  const rows = await db.query(
    `update communities set
       bureau_id = case when $2::boolean then $3 else bureau_id end,
       kind = coalesce($4, kind),
       scope = coalesce($5, scope)
     where id = $1 returning id`,
    [communityId, o.bureauId !== undefined, o.bureauId ?? null, o.kind ?? null, o.scope ?? null],
  );
  if (rows.length === 0) throw new AppError('NOT_FOUND', 'community not found');
}

export async function addPairingRound(db: Queryable, pairingId: string, body: PairingRoundBody): Promise<PairingRound> {
  const round: PairingRound = { id: randomUUID(), pairingId, ...body };
  try {
    await db.query(
      `insert into pairing_rounds (id, pairing_id, round, starts_on, ends_on, year_themes) values ($1, $2, $3, $4, $5, $6)`,
      [round.id, pairingId, round.round, round.startsOn, round.endsOn, JSON.stringify(round.yearThemes)],
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError('CONFLICT', `round ${body.round} of this pairing exists`);
    throw err;
  }
  return round;
}

/** Sets (or replaces) a leader's duty. The leader must be staff of one of the pairing's two schools. */
export async function setPairingLeader(db: Queryable, pairing: { id: string; citySchoolId: string; ruralSchoolId: string }, userId: string, duty: string): Promise<void> {
  const rows = await db.query<{ school_id: string | null; role: string }>('select school_id, role from users where id = $1', [userId]);
  const u = rows[0];
  if (!u || u.role === 'classroom' || (u.school_id !== pairing.citySchoolId && u.school_id !== pairing.ruralSchoolId)) {
    throw new AppError('BAD_REQUEST', "a pairing's leader is staff of one of its two schools");
  }
  await db.query(
    `insert into pairing_leaders (pairing_id, user_id, duty) values ($1, $2, $3)
     on conflict (pairing_id, user_id) do update set duty = excluded.duty`,
    [pairing.id, userId, duty],
  );
}

export async function removePairingLeader(db: Queryable, pairingId: string, userId: string): Promise<void> {
  await db.query('delete from pairing_leaders where pairing_id = $1 and user_id = $2', [pairingId, userId]);
}

/** The communities with their schools, pairings, rounds and leaders: five queries whatever their number. */
export async function listOrgCommunities(db: Queryable, communityIds: readonly string[]): Promise<OrgCommunity[]> {
  if (communityIds.length === 0) return [];
  const ids = [...communityIds];
  const communities = await db.query<Record<string, unknown>>(
    'select id, name, bureau_id, kind, scope, core_school_id from communities where id = any($1) order by name',
    [ids],
  );
  const schools = await db.query<{ id: string; community_id: string; name: string; kind: 'city' | 'rural' }>(
    'select id, community_id, name, kind from schools where community_id = any($1) order by kind, name',
    [ids],
  );
  const pairings = await db.query<{ id: string; community_id: string; city_school_id: string; rural_school_id: string }>(
    'select id, community_id, city_school_id, rural_school_id from pairings where community_id = any($1) order by id',
    [ids],
  );
  const pairingIds = pairings.map((p) => p.id);
  const rounds = (
    await db.query('select id, pairing_id, round, starts_on, ends_on, year_themes from pairing_rounds where pairing_id = any($1) order by round', [pairingIds])
  ).map(toRound);
  const leaders = (
    await db.query(
      `select l.pairing_id, l.user_id, u.display_name, u.school_id, l.duty
         from pairing_leaders l join users u on u.id = l.user_id
        where l.pairing_id = any($1) order by u.display_name`,
      [pairingIds],
    )
  ).map(toLeader);
  const schoolName = new Map(schools.map((s) => [s.id, s.name]));
  const orgPairing = (p: (typeof pairings)[number]): OrgPairing => ({
    id: p.id,
    communityId: p.community_id,
    citySchool: { id: p.city_school_id, name: schoolName.get(p.city_school_id) ?? '' },
    ruralSchool: { id: p.rural_school_id, name: schoolName.get(p.rural_school_id) ?? '' },
    rounds: rounds.filter((r) => r.pairingId === p.id),
    leaders: leaders.filter((l) => l.pairingId === p.id),
  });
  return communities.map((c) => ({
    id: String(c.id),
    name: String(c.name),
    bureauId: (c.bureau_id as string | null) ?? null,
    kind: c.kind as CommunityKind,
    scope: c.scope as CommunityScope,
    coreSchoolId: (c.core_school_id as string | null) ?? null,
    schools: schools.filter((s) => s.community_id === c.id).map((s) => ({ id: s.id, name: s.name, kind: s.kind })),
    pairings: pairings.filter((p) => p.community_id === c.id).map(orgPairing),
  }));
}
