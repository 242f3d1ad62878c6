// The people directory behind the research-group member picker (/api/research/people): only
// whom the caller's role can work with, never device accounts, never login names (a list of
// usernames is half of a password-spraying attack).
//   classroom (a projector PC)      → FORBIDDEN: it creates no groups and mentions nobody
//   community_admin, researcher     → every staff account of the community (教研 spans its schools)
//   teacher, school_admin           → staff of their own school and of the schools paired with it,
//                                     plus the community's researchers and admins
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import type { Person } from '../contract/research.js';

export async function peopleFor(db: Queryable, user: PublicUser): Promise<Person[]> {
  if (user.role === 'classroom') throw new AppError('FORBIDDEN', 'classroom devices have no people directory');
  const communityWide = user.role === 'community_admin' || user.role === 'researcher';
  const rows = await db.query<{ id: string; display_name: string; role: string; school_name: string | null }>(
    `select u.id, u.display_name, u.role, s.name as school_name
       from users u left join schools s on s.id = u.school_id
      where u.community_id = (select community_id from users where id = $1)
        and u.role <> 'classroom'
        and ($2::boolean
             or u.role in ('researcher', 'community_admin')
             or u.school_id = $3
             or u.school_id in (select case when p.city_school_id = $3 then p.rural_school_id else p.city_school_id end
                                  from pairings p where $3 in (p.city_school_id, p.rural_school_id)))
      order by s.name nulls first, u.display_name`,
    [user.id, communityWide, user.schoolId],
  );
  return rows.map((r) => ({ id: String(r.id), displayName: String(r.display_name), role: String(r.role), schoolName: r.school_name ?? null }));
}
