// One mentor pair: who, when, the goals (the community admin edits them or ends the pair early),
// its mentoring activities as the server counted them, with what each was, and the mentee's
// growth record (S-T Rt/Ch and rubric means over their lessons; the chart loads lazily).
import { lazy, Suspense, useCallback, useEffect, useState, type FormEvent } from 'react';
import type { PublicUser } from '../../../../server/contract/domain.js';
import type { GrowthRecord, MentorPair, MentorPairDetail, MentoringActivity } from '../../../../server/contract/workspace/mentors.js';
import { errorText } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link } from '../../router.js';
import { toast } from '../../toast.js';
import { researchApi } from '../../research/researchApi.js';
import { mentorsApi } from './mentorsApi.js';

const GrowthChart = lazy(() => import('./GrowthChart.js').then((m) => ({ default: m.GrowthChart })));
const lessonLink = (id: string) => `/research/lessons/${encodeURIComponent(id)}`;

export function MentorPairView({ pairId, onChanged }: { pairId: string; user: PublicUser; onChanged(): void }) {
  const { t } = useI18n();
  const [detail, setDetail] = useState<MentorPairDetail | null>(null);
  const [growth, setGrowth] = useState<GrowthRecord | null>(null);
  const [maxScore, setMaxScore] = useState(4);
  const load = useCallback(() => {
    mentorsApi.pair(pairId).then(setDetail, (e) => toast.error(errorText(e)));
    mentorsApi.growth(pairId).then(setGrowth, (e) => toast.error(errorText(e)));
  }, [pairId]);
  useEffect(() => {
    load();
    researchApi.frameworks().then((f) => setMaxScore(Math.max(1, ...f.rubric.levels.map((l) => l.score))), () => undefined);
  }, [load]);
  if (!detail) return <div className="muted-text">{t('app.loading')}</div>;
  const { pair, activities, minWatchMin, canManage } = detail;
  const changed = () => {
    load();
    onChanged();
  };
  return (
    <div data-testid="mentor-pair-view">
      <h3>
        {pair.mentor.displayName}（{pair.mentor.schoolName}）→ {pair.mentee.displayName}（{pair.mentee.schoolName}）
      </h3>
      <div className="muted">
        {t('mentors.subject')}：{pair.subject || t('mentors.growth.none')} · {t('mentors.period')}：{pair.startsOn} ~ {pair.endsOn}
        {pair.endedOn && ` · ${t('mentors.ended', { day: pair.endedOn })}`}
      </div>
      {pair.goals && <p>{pair.goals}</p>}
      {canManage && <EditPair pair={pair} onSaved={changed} />}

      <h4>{t('mentors.activities')}</h4>
      <div className="muted">{t('mentors.activities.rule', { n: minWatchMin })}</div>
      {activities.length === 0 ? (
        <div className="mt-empty" data-testid="mentor-activities-empty">
          {t('mentors.activities.empty', { n: minWatchMin })}
        </div>
      ) : (
        <ul className="mt-acts" data-testid="mentor-activities">
          {activities.map((a) => (
            <li key={a.id}>
              <span className="mt-day">{a.day}</span>
              <ActivityText a={a} pair={pair} />
            </li>
          ))}
        </ul>
      )}

      <h4>{t('mentors.growth')}</h4>
      {growth && growth.lessons.length === 0 && <div className="mt-empty">{t('mentors.growth.empty')}</div>}
      {growth && growth.lessons.length > 0 && (
        <>
          <Suspense fallback={<div className="muted-text">{t('app.loading')}</div>}>
            <GrowthChart lessons={growth.lessons} maxScore={maxScore} />
          </Suspense>
          <div className="muted">{t('mentors.growth.noAnalysis')}</div>
          <table className="mt-table" data-testid="mentor-growth">
            <thead>
              <tr>
                <th>{t('mentors.growth.day')}</th>
                <th>{t('mentors.growth.lesson')}</th>
                <th>Rt</th>
                <th>Ch</th>
                <th>{t('mentors.growth.rubric')}</th>
              </tr>
            </thead>
            <tbody>
              {growth.lessons.map((l) => (
                <tr key={l.lessonId}>
                  <td>
                    {l.day}
                    {!l.inPeriod && <span className="muted"> · {t('mentors.growth.baseline')}</span>}
                  </td>
                  <td>
                    <Link to={lessonLink(l.lessonId)}>{l.title}</Link>
                  </td>
                  <td>{l.st ? l.st.rt.toFixed(2) : t('mentors.growth.none')}</td>
                  <td>{l.st ? l.st.ch.toFixed(2) : t('mentors.growth.none')}</td>
                  <td>{l.rubricMean === null ? t('mentors.growth.none') : `${l.rubricMean.toFixed(2)} (${l.raters})`}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </div>
  );
}

function ActivityText({ a, pair }: { a: MentoringActivity; pair: MentorPair }) {
  const { t } = useI18n();
  const name = (id: string) => (id === pair.mentor.id ? pair.mentor.displayName : id === pair.mentee.id ? pair.mentee.displayName : id);
  const e = a.evidence;
  if (e.type === 'watch') {
    return (
      <Link to={lessonLink(e.lessonId)}>
        {t('mentors.act.watch', { who: name(e.watcherId), lesson: e.lessonTitle, min: e.minutes, live: e.liveMinutes, replay: e.replayMinutes })}
      </Link>
    );
  }
  if (e.type === 'notes') {
    return <Link to={lessonLink(e.lessonId)}>{t('mentors.act.notes', { who: name(e.authorId), lesson: e.lessonTitle, n: e.notes })}</Link>;
  }
  return (
    <Link to={`/plans/${encodeURIComponent(e.planId)}`}>
      {t('mentors.act.coPlan', { plan: e.planTitle, a: e.mentorEditDays, b: e.menteeEditDays })}
    </Link>
  );
}

function EditPair({ pair, onSaved }: { pair: MentorPair; onSaved(): void }) {
  const { t } = useI18n();
  const [subject, setSubject] = useState(pair.subject);
  const [startsOn, setStarts] = useState(pair.startsOn);
  const [endsOn, setEnds] = useState(pair.endsOn);
  const [goals, setGoals] = useState(pair.goals);
  const [endOn, setEndOn] = useState('');
  const run = (p: Promise<unknown>) =>
    p.then(
      () => {
        toast.info(t('mentors.saved'));
        onSaved();
      },
      (err) => toast.error(errorText(err)),
    );
  const save = (e: FormEvent) => {
    e.preventDefault();
    void run(mentorsApi.update(pair.id, { subject, startsOn, endsOn, goals }));
  };
  const end = (e: FormEvent) => {
    e.preventDefault();
    void run(mentorsApi.end(pair.id, endOn));
  };
  return (
    <>
      <form className="mt-form" onSubmit={save} data-testid="mentor-edit">
        <label>
          {t('mentors.subject')}
          <input value={subject} maxLength={50} onChange={(e) => setSubject(e.target.value)} />
        </label>
        <div className="mt-dates">
          <label>
            {t('mentors.startsOn')}
            <input type="date" value={startsOn} required onChange={(e) => setStarts(e.target.value)} />
          </label>
          <label>
            {t('mentors.endsOn')}
            <input type="date" value={endsOn} min={startsOn} required onChange={(e) => setEnds(e.target.value)} />
          </label>
        </div>
        <label>
          {t('mentors.goals')}
          <textarea value={goals} maxLength={4000} rows={3} onChange={(e) => setGoals(e.target.value)} />
        </label>
        <button type="submit">{t('mentors.edit')}</button>
      </form>
      {!pair.endedOn && (
        <form className="mt-form" onSubmit={end}>
          <div className="mt-dates">
            <label>
              {t('mentors.endOn')}
              <input type="date" value={endOn} min={pair.startsOn} max={pair.endsOn} required onChange={(e) => setEndOn(e.target.value)} />
            </label>
          </div>
          <button type="submit">{t('mentors.end')}</button>
        </form>
      )}
    </>
  );
}
