// In-class quick quizzes. Rural classrooms have no pupil devices: a class answers by a show of
// hands, and someone at the projector PC enters the count per option for the whole class.
import type { Queryable } from '../db/db.js';
import type { Quiz, QuizAnswer, QuizKind } from '../contract/domain.js';
import { LIMITS } from '../contract/events.js';
import { AppError } from '../contract/errors.js';
import { inTx, iso, isoOrNull, json, sortableId } from '../community/sql.js';

export const TRUEFALSE_OPTIONS = ['对', '错'] as const;

export interface QuizWithAnswers {
  quiz: Quiz;
  answers: QuizAnswer[];
}

const QUIZ_COLUMNS = 'id, lesson_id, kind, question, options, created_at, closed_at';

const toQuiz = (r: Record<string, unknown>): Quiz => ({
  id: String(r.id),
  lessonId: String(r.lesson_id),
  kind: r.kind as QuizKind,
  question: String(r.question),
  options: json<string[]>(r.options),
  createdAt: iso(r.created_at),
  closedAt: isoOrNull(r.closed_at),
});

const toAnswer = (r: Record<string, unknown>): QuizAnswer => ({
  quizId: String(r.quiz_id),
  classroomId: String(r.classroom_id),
  counts: json<number[]>(r.counts),
  answeredAt: iso(r.answered_at),
});

export async function createQuiz(
  db: Queryable,
  input: { lessonId: string; kind: QuizKind; question: string; options?: string[] | null },
): Promise<Quiz> {
  const question = input.question.trim();
  if (!question || question.length > LIMITS.quizQuestionMax) {
    throw new AppError('BAD_REQUEST', `question must be 1–${LIMITS.quizQuestionMax} characters`);
  }
  let options: string[];
  if (input.kind === 'truefalse') {
    options = input.options?.length ? input.options.map((o) => o.trim()) : [...TRUEFALSE_OPTIONS];
    if (options.length !== 2) throw new AppError('BAD_REQUEST', 'a true/false quiz has exactly two options');
  } else if (input.kind === 'choice') {
    options = (input.options ?? []).map((o) => o.trim());
    if (options.length < 2 || options.length > LIMITS.quizOptionsMax) {
      throw new AppError('BAD_REQUEST', `a choice quiz needs 2–${LIMITS.quizOptionsMax} options`);
    }
  } else {
    throw new AppError('BAD_REQUEST', 'unknown quiz kind');
  }
  if (options.some((o) => !o || o.length > LIMITS.quizOptionMax)) {
    throw new AppError('BAD_REQUEST', `each option must be 1–${LIMITS.quizOptionMax} characters`);
  }
  const lesson = await db.query('select 1 from lessons where id = $1', [input.lessonId]);
  if (!lesson.length) throw new AppError('NOT_FOUND', 'lesson not found');
  const rows = await db.query(
    `insert into quizzes (id, lesson_id, kind, question, options, created_at)
     values ($1, $2, $3, $4, $5::jsonb, clock_timestamp()) returning ${QUIZ_COLUMNS}`,
    [sortableId(), input.lessonId, input.kind, question, JSON.stringify(options)],
  );
  return toQuiz(rows[0]);
}

/** One answer per classroom per quiz; answering again replaces the counts (a recount). */
export async function answerQuiz(
  db: Queryable,
  input: { quizId: string; classroomId: string; counts: number[]; answeredBy: string },
): Promise<QuizAnswer> {
  return inTx(db, async (q) => {
    // The row lock orders this against closeQuiz so no answer lands after the close.
    const rows = await q.query(`select ${QUIZ_COLUMNS} from quizzes where id = $1 for update`, [input.quizId]);
    if (!rows[0]) throw new AppError('NOT_FOUND', 'quiz not found');
    const quiz = toQuiz(rows[0]);
    if (quiz.closedAt) throw new AppError('CONFLICT', 'quiz is closed');
    if (input.counts.length !== quiz.options.length) {
      throw new AppError('BAD_REQUEST', `expected ${quiz.options.length} counts, one per option`);
    }
    if (input.counts.some((c) => !Number.isInteger(c) || c < 0 || c > LIMITS.quizCountMax)) {
      throw new AppError('BAD_REQUEST', `each count must be a whole number 0–${LIMITS.quizCountMax}`);
    }
    const inLesson = await q.query(
      `select 1 from lessons l where l.id = $1 and (l.host_classroom_id = $2
          or exists (select 1 from lesson_classrooms lc where lc.lesson_id = l.id and lc.classroom_id = $2))`,
      [quiz.lessonId, input.classroomId],
    );
    if (!inLesson.length) throw new AppError('BAD_REQUEST', 'that classroom is not in this lesson');
    const saved = await q.query(
      `insert into quiz_answers (quiz_id, classroom_id, counts, answered_by, answered_at)
       values ($1, $2, $3::jsonb, $4, clock_timestamp())
       on conflict (quiz_id, classroom_id)
       do update set counts = excluded.counts, answered_by = excluded.answered_by, answered_at = excluded.answered_at
       returning quiz_id, classroom_id, counts, answered_at`,
      [quiz.id, input.classroomId, JSON.stringify(input.counts), input.answeredBy],
    );
    return toAnswer(saved[0]);
  });
}

/** Idempotent: closing a closed quiz keeps its first close time. */
export async function closeQuiz(db: Queryable, quizId: string): Promise<Quiz> {
  const rows = await db.query(
    `update quizzes set closed_at = coalesce(closed_at, clock_timestamp()) where id = $1 returning ${QUIZ_COLUMNS}`,
    [quizId],
  );
  if (!rows[0]) throw new AppError('NOT_FOUND', 'quiz not found');
  return toQuiz(rows[0]);
}

export async function getQuizWithAnswers(db: Queryable, quizId: string): Promise<QuizWithAnswers | null> {
  const rows = await db.query(`select ${QUIZ_COLUMNS} from quizzes where id = $1`, [quizId]);
  if (!rows[0]) return null;
  return { quiz: toQuiz(rows[0]), answers: await answersOf(db, quizId) };
}

/** The most recent quiz of the lesson that is still open, with the answers so far. */
export async function getOpenQuiz(db: Queryable, lessonId: string): Promise<QuizWithAnswers | null> {
  const rows = await db.query(
    `select ${QUIZ_COLUMNS} from quizzes where lesson_id = $1 and closed_at is null order by created_at desc, id desc limit 1`,
    [lessonId],
  );
  if (!rows[0]) return null;
  const quiz = toQuiz(rows[0]);
  return { quiz, answers: await answersOf(db, quiz.id) };
}

async function answersOf(db: Queryable, quizId: string): Promise<QuizAnswer[]> {
  const rows = await db.query(
    'select quiz_id, classroom_id, counts, answered_at from quiz_answers where quiz_id = $1 order by answered_at, classroom_id',
    [quizId],
  );
  return rows.map(toAnswer);
}
