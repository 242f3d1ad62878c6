// 同步作业: the teacher pushes a question, every class enters counts of raised hands per option,
// results per class appear live as bars.
import { useEffect, useState, type FormEvent } from 'react';
import type { Quiz, QuizAnswer } from '../../../server/contract/domain.js';
import { LIMITS } from '../../../server/contract/limits.js';
import { useT } from '../i18n/index.js';
import type { LessonSession } from '../live/LessonSession.js';

export function optionLabel(quiz: Pick<Quiz, 'kind'>, i: number): string {
  return quiz.kind === 'truefalse' ? '' : String.fromCharCode(65 + i);
}

function clampCount(n: number): number {
  if (!Number.isFinite(n)) return 0;
  return Math.max(0, Math.min(LIMITS.quizCountMax, Math.round(n)));
}

// ---- results ----

export function QuizResults({ quiz, answers, nameOf, large }: { quiz: Quiz; answers: QuizAnswer[]; nameOf: (id: string) => string; large?: boolean }) {
  const t = useT();
  const totals = quiz.options.map((_, i) => answers.reduce((s, a) => s + (a.counts[i] ?? 0), 0));
  const rows: { key: string; name: string; counts: number[] }[] = [
    ...answers.map((a) => ({ key: a.classroomId, name: nameOf(a.classroomId), counts: a.counts })),
  ];
  return (
    <div className={`quiz-results${large ? ' large' : ''}`} data-testid="quiz-results">
      <h3>{t('quiz.results')}</h3>
      {answers.length === 0 && <div className="muted-text">{t('quiz.noAnswers')}</div>}
      {rows.map((r) => (
        <ResultRow key={r.key} testId={`quiz-result-${r.key}`} name={r.name} quiz={quiz} counts={r.counts} />
      ))}
      {answers.length > 1 && <ResultRow testId="quiz-result-total" name={t('quiz.total')} quiz={quiz} counts={totals} strong />}
    </div>
  );
}

function ResultRow({ name, quiz, counts, testId, strong }: { name: string; quiz: Quiz; counts: number[]; testId: string; strong?: boolean }) {
  const t = useT();
  const sum = counts.reduce((s, c) => s + c, 0);
  return (
    <div className={`quiz-result-row${strong ? ' strong' : ''}`} data-testid={testId}>
      <div className="quiz-result-name">
        {name} <span className="muted-text">({t('quiz.people', { n: sum })})</span>
      </div>
      {quiz.options.map((opt, i) => {
        const c = counts[i] ?? 0;
        const pct = sum > 0 ? Math.round((c / sum) * 100) : 0;
        return (
          <div key={i} className="quiz-bar-line">
            <span className="quiz-bar-label">
              {optionLabel(quiz, i)} {opt}
            </span>
            <span className="quiz-bar">
              <span className="quiz-bar-fill" style={{ width: `${pct}%` }} />
            </span>
            <span className="quiz-bar-count" data-testid={`${testId}-count-${i}`}>
              {c}（{pct}%）
            </span>
          </div>
        );
      })}
    </div>
  );
}

// ---- teacher ----

export function QuizTeacherPanel({
  live,
  quiz,
  hostClassroomId,
  nameOf,
  disabled,
}: {
  live: LessonSession;
  quiz: { quiz: Quiz; answers: QuizAnswer[] } | null;
  hostClassroomId: string;
  nameOf: (id: string) => string;
  disabled?: boolean;
}) {
  const t = useT();
  const open = quiz && !quiz.quiz.closedAt ? quiz : null;
  const [composing, setComposing] = useState(false);

  return (
    <section className="panel quiz-panel-teacher" data-testid="quiz-teacher">
      <h2 className="panel-title">
        {t('quiz.title')}
        {quiz && (
          <span className={`badge ${quiz.quiz.closedAt ? 'state-ended' : 'state-live'}`} data-testid="quiz-status" data-state={quiz.quiz.closedAt ? 'closed' : 'open'}>
            {quiz.quiz.closedAt ? t('quiz.closed') : t('quiz.open')}
          </span>
        )}
      </h2>
      {open ? (
        <>
          <div className="quiz-question" data-testid="quiz-current-question">
            {open.quiz.question}
          </div>
          <HostCounts live={live} quiz={open.quiz} hostClassroomId={hostClassroomId} answers={open.answers} />
          <QuizResults quiz={open.quiz} answers={open.answers} nameOf={nameOf} />
          <button className="danger" data-testid="quiz-close" onClick={() => void live.actions.closeQuiz(open.quiz.id)}>
            {t('quiz.close')}
          </button>
        </>
      ) : (
        <>
          {quiz && !composing && (
            <>
              <div className="quiz-question">{quiz.quiz.question}</div>
              <QuizResults quiz={quiz.quiz} answers={quiz.answers} nameOf={nameOf} />
            </>
          )}
          {quiz && !composing ? (
            <button data-testid="quiz-new" onClick={() => setComposing(true)}>
              {t('quiz.new')}
            </button>
          ) : (
            <QuizForm
              disabled={disabled}
              onPush={async (p) => {
                const ok = await live.actions.pushQuiz(p);
                if (ok) setComposing(false);
                return ok;
              }}
            />
          )}
        </>
      )}
    </section>
  );
}

function QuizForm({ onPush, disabled }: { onPush: (p: { kind: 'choice' | 'truefalse'; question: string; options?: string[] }) => Promise<boolean>; disabled?: boolean }) {
  const t = useT();
  const [kind, setKind] = useState<'choice' | 'truefalse'>('choice');
  const [question, setQuestion] = useState('');
  const [options, setOptions] = useState<string[]>(['', '', '', '']);
  const [busy, setBusy] = useState(false);

  const filled = options.map((o) => o.trim()).filter(Boolean);
  const valid = question.trim().length > 0 && (kind === 'truefalse' || (filled.length >= 2 && filled.length <= LIMITS.quizOptionsMax));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!valid || busy) return;
    setBusy(true);
    const ok = await onPush(kind === 'choice' ? { kind, question: question.trim(), options: filled } : { kind, question: question.trim() });
    setBusy(false);
    if (ok) {
      setQuestion('');
      setOptions(['', '', '', '']);
    }
  };

  return (
    <form className="quiz-form" onSubmit={submit}>
      <div className="segmented">
        <label className={kind === 'choice' ? 'active' : ''}>
          <input type="radio" name="quiz-kind" data-testid="quiz-kind-choice" checked={kind === 'choice'} onChange={() => setKind('choice')} />
          {t('quiz.kind.choice')}
        </label>
        <label className={kind === 'truefalse' ? 'active' : ''}>
          <input type="radio" name="quiz-kind" data-testid="quiz-kind-truefalse" checked={kind === 'truefalse'} onChange={() => setKind('truefalse')} />
          {t('quiz.kind.truefalse')}
        </label>
      </div>
      <label className="field">
        <span>{t('quiz.question')}</span>
        <textarea data-testid="quiz-question" rows={2} maxLength={LIMITS.quizQuestionMax} value={question} onChange={(e) => setQuestion(e.target.value)} />
      </label>
      {kind === 'choice' ? (
        <div className="quiz-options">
          {options.map((o, i) => (
            <div key={i} className="quiz-option-row">
              <span className="quiz-option-label">{String.fromCharCode(65 + i)}</span>
              <input
                data-testid={`quiz-option-${i}`}
                value={o}
                maxLength={LIMITS.quizOptionMax}
                placeholder={t('quiz.option', { label: String.fromCharCode(65 + i) })}
                onChange={(e) => setOptions(options.map((x, j) => (j === i ? e.target.value : x)))}
              />
              {options.length > 2 && (
                <button type="button" className="link" data-testid={`quiz-remove-option-${i}`} onClick={() => setOptions(options.filter((_, j) => j !== i))}>
                  {t('quiz.removeOption')}
                </button>
              )}
            </div>
          ))}
          {options.length < LIMITS.quizOptionsMax && (
            <button type="button" className="link" data-testid="quiz-add-option" onClick={() => setOptions([...options, ''])}>
              + {t('quiz.addOption')}
            </button>
          )}
          {!valid && question.trim() && <div className="muted-text">{t('quiz.needOptions')}</div>}
        </div>
      ) : (
        <div className="muted-text">
          {t('quiz.true')} / {t('quiz.false')}
        </div>
      )}
      <button type="submit" className="primary" data-testid="quiz-push" disabled={!valid || busy || disabled}>
        {t('quiz.push')}
      </button>
    </form>
  );
}

function HostCounts({ live, quiz, hostClassroomId, answers }: { live: LessonSession; quiz: Quiz; hostClassroomId: string; answers: QuizAnswer[] }) {
  const t = useT();
  const [counts, setCounts] = useState<number[]>(() => quiz.options.map(() => 0));
  const [busy, setBusy] = useState(false);
  // Reset on a new question or a changed number of options, not on each re-sent copy of the quiz.
  const optionCount = quiz.options.length;
  useEffect(() => setCounts(new Array<number>(optionCount).fill(0)), [quiz.id, optionCount]);
  const submitted = answers.some((a) => a.classroomId === hostClassroomId);
  return (
    <div className="host-counts">
      <div className="host-counts-title">{t('quiz.hostCounts')}</div>
      <div className="host-counts-row">
        {quiz.options.map((opt, i) => (
          <label key={i} className="host-count">
            <span>
              {optionLabel(quiz, i)} {opt}
            </span>
            <input
              type="number"
              min={0}
              max={LIMITS.quizCountMax}
              data-testid={`quiz-host-count-${i}`}
              value={counts[i] ?? 0}
              onChange={(e) => setCounts(counts.map((c, j) => (j === i ? clampCount(Number(e.target.value)) : c)))}
            />
          </label>
        ))}
        <button
          className="primary"
          data-testid="quiz-host-submit"
          disabled={busy}
          onClick={async () => {
            setBusy(true);
            await live.actions.answerQuiz(quiz.id, counts, hostClassroomId);
            setBusy(false);
          }}
        >
          {t('quiz.submit')}
        </button>
        {submitted && (
          <span className="host-submitted" data-testid="quiz-host-submitted">
            ✓ {t('quiz.submitted')}
          </span>
        )}
      </div>
    </div>
  );
}

// ---- classroom (projector) ----

export function QuizClassroomPanel({ live, quiz, answered }: { live: LessonSession; quiz: Quiz; answered: boolean }) {
  const t = useT();
  const [counts, setCounts] = useState<number[]>(() => quiz.options.map(() => 0));
  const [busy, setBusy] = useState(false);
  const [submitted, setSubmitted] = useState(answered);
  const optionCount = quiz.options.length;
  useEffect(() => {
    setCounts(new Array<number>(optionCount).fill(0));
    setSubmitted(false);
  }, [quiz.id, optionCount]);
  useEffect(() => {
    if (answered) setSubmitted(true);
  }, [answered]);

  const step = (i: number, d: number) => {
    setCounts((cs) => cs.map((c, j) => (j === i ? clampCount(c + d) : c)));
    setSubmitted(false);
  };

  return (
    <section className="quiz-classroom" data-testid="quiz-panel">
      <div className="quiz-classroom-head">
        <span className="badge state-live">{t('quiz.title')}</span>
        <span className="quiz-classroom-prompt">{t('quiz.classroomPrompt')}</span>
      </div>
      <div className="quiz-classroom-question" data-testid="quiz-question-text">
        {quiz.question}
      </div>
      <div className="quiz-steppers">
        {quiz.options.map((opt, i) => (
          <div key={i} className="quiz-stepper">
            <div className="quiz-stepper-label">
              {optionLabel(quiz, i)} {opt}
            </div>
            <div className="quiz-stepper-controls">
              <button className="stepper" data-testid={`quiz-dec-${i}`} onClick={(e) => (e.currentTarget.blur(), step(i, -1))} aria-label="−">
                −
              </button>
              <span className="quiz-stepper-count" data-testid={`quiz-count-${i}`}>
                {counts[i] ?? 0}
              </span>
              <button className="stepper" data-testid={`quiz-inc-${i}`} onClick={(e) => (e.currentTarget.blur(), step(i, +1))} aria-label="+">
                +
              </button>
            </div>
          </div>
        ))}
      </div>
      <div className="quiz-classroom-actions">
        <button
          className="primary huge"
          data-testid="quiz-submit"
          disabled={busy}
          onClick={async (e) => {
            e.currentTarget.blur();
            setBusy(true);
            const ok = await live.actions.answerQuiz(quiz.id, counts);
            setBusy(false);
            if (ok) setSubmitted(true);
          }}
        >
          {t('quiz.submit')}
        </button>
        {submitted && (
          <span className="quiz-submitted" data-testid="quiz-submitted">
            ✓ {t('quiz.submitted')}
          </span>
        )}
      </div>
    </section>
  );
}
