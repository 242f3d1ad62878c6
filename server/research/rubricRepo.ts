// The community's rubric and the raters' scores of a lesson.
import type { Queryable } from '../db/db.js';
import type { PublicUser } from '../contract/domain.js';
import { AppError } from '../contract/errors.js';
import { iso, json } from '../community/sql.js';
import { summariseRubric } from '../contract/analysis/rubric.js';
import { DEFAULT_RUBRIC } from './frameworks.js';
import type { Rubric, RubricScoresView } from '../contract/research.js';

export async function getRubric(db: Queryable, userId: string): Promise<Rubric> {
  const rows = await db.query('select criteria, levels from research_rubrics where community_id = (select community_id from users where id = $1)', [userId]);
  return rows[0] ? { criteria: json(rows[0].criteria), levels: json(rows[0].levels) } : DEFAULT_RUBRIC;
}

export async function setRubric(db: Queryable, user: PublicUser, rubric: Rubric): Promise<Rubric> {
  if (user.role !== 'community_admin') throw new AppError('FORBIDDEN', 'only community admins configure the rubric');
  await db.query(
    `insert into research_rubrics (community_id, criteria, levels) values ((select community_id from users where id = $1), $2, $3)
     on conflict (community_id) do update set criteria = excluded.criteria, levels = excluded.levels, updated_at = now()`,
    [user.id, JSON.stringify(rubric.criteria), JSON.stringify(rubric.levels)],
  );
  return getRubric(db, user.id);
}

export async function scoresView(db: Queryable, userId: string, lessonId: string): Promise<RubricScoresView> {
  const rubric = await getRubric(db, userId);
  const rows = await db.query(
    `select r.rater_id, u.display_name, r.scores, r.comment, r.updated_at from rubric_scores r join users u on u.id = r.rater_id
      where r.lesson_id = $1 order by u.display_name, r.rater_id`,
    [lessonId],
  );
  const ratings = rows.map((r) => ({
    raterId: String(r.rater_id),
    raterName: String(r.display_name),
    scores: json<Record<string, number>>(r.scores),
    comment: String(r.comment),
    updatedAt: iso(r.updated_at),
  }));
  return { rubric, ratings, summary: summariseRubric(rubric.criteria.map((c) => c.id), ratings) };
}

/** A rater's scores replace their previous ones; only the rubric's criteria and levels are accepted. */
export async function saveScores(
  db: Queryable,
  user: PublicUser,
  lesson: { id: string; teacherId: string },
  body: { scores: Record<string, number>; comment: string },
): Promise<void> {
  if (user.id === lesson.teacherId) throw new AppError('FORBIDDEN', 'a teacher does not rate their own lesson');
  const rubric = await getRubric(db, user.id);
  const ids = new Set(rubric.criteria.map((c) => c.id));
  const levels = new Set(rubric.levels.map((l) => l.score));
  for (const [k, v] of Object.entries(body.scores)) {
    if (!ids.has(k)) throw new AppError('BAD_REQUEST', `unknown criterion: ${k}`);
    if (!levels.has(v)) throw new AppError('BAD_REQUEST', `${k}: ${v} is not a level of the rubric`);
  }
  await db.query(
    `insert into rubric_scores (lesson_id, rater_id, scores, comment) values ($1, $2, $3, $4)
     on conflict (lesson_id, rater_id) do update set scores = excluded.scores, comment = excluded.comment, updated_at = now()`,
    [lesson.id, user.id, JSON.stringify(body.scores), body.comment],
  );
}
