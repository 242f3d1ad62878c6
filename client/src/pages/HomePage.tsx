// 首页: the user's lessons today and upcoming. Classroom devices get the idle projector screen.
import { useCallback, useEffect, useState } from 'react';
import type { LessonsResponse } from '../../../server/contract/api.js';
import type { Lesson, PublicUser } from '../../../server/contract/domain.js';
import { api, errorText } from '../api.js';
import { localeOf, useI18n } from '../i18n/index.js';
import { StateBadge } from '../components/Indicators.js';
import { Link } from '../router.js';
import { lessonPath } from '../routes.js';
import { classroomLabel, useCommunity } from '../session.js';
import { addDays, isSameDay, lessonsQuery, startOfDay } from '../time.js';
import { toast } from '../toast.js';
import { IdleProjector } from './IdleProjector.js';
import { NewLessonForm } from './NewLessonForm.js';
import { Icon } from '../components/Icon.js';
import { LessonPlanButton, PlansSection } from '../plans/PlansSection.js';
import { BureauHome } from '../workspace/BureauHome.js';

const UPCOMING_DAYS = 14;

export function HomePage({ user }: { user: PublicUser }) {
  if (user.role === 'classroom') return <IdleProjector user={user} />;
  if (user.role === 'bureau_reviewer') return <BureauHome />;
  return <LessonsHome user={user} />;
}

function LessonsHome({ user }: { user: PublicUser }) {
  const { t } = useI18n();
  const community = useCommunity();
  const [lessons, setLessons] = useState<Lesson[] | null>(null);
  const [showForm, setShowForm] = useState(false);

  const load = useCallback(async (quiet = false) => {
    try {
      const today = startOfDay();
      const { lessons } = await api<LessonsResponse>('GET', lessonsQuery(today, addDays(today, UPCOMING_DAYS)));
      setLessons(lessons);
    } catch (e) {
      if (!quiet) toast.error(errorText(e));
    }
  }, []);

  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(true), 15_000);
    return () => clearInterval(timer);
  }, [load]);

  const now = new Date();
  const sorted = [...(lessons ?? [])].sort(
    (a, b) => rank(a) - rank(b) || new Date(a.scheduledAt).getTime() - new Date(b.scheduledAt).getTime(),
  );
  const today = sorted.filter((l) => l.state === 'live' || isSameDay(new Date(l.scheduledAt), now));
  const upcoming = sorted.filter((l) => !today.includes(l) && new Date(l.scheduledAt) > now && l.state !== 'ended');
  const names = (ids: string[]) => ids.map((id) => classroomLabel(community, id)).join('、');

  return (
    <div className="home-page" data-testid="home-page">
      <div className="home-head">
        <h1>{t('home.title')}</h1>
        <div className="row-gap">
          <button onClick={() => void load()} data-testid="lessons-refresh">
            <Icon name="refresh" /> {t('home.refresh')}
          </button>
          {user.role === 'teacher' && (
            <button className="primary" data-testid="new-lesson" onClick={() => setShowForm((v) => !v)}>
              + {t('home.newLesson')}
            </button>
          )}
        </div>
      </div>
      {showForm && user.role === 'teacher' && (
        <NewLessonForm
          user={user}
          onCancel={() => setShowForm(false)}
          onCreated={(l) => {
            setShowForm(false);
            toast.info(t('newLesson.created', { title: l.title }));
            void load();
          }}
        />
      )}
      {lessons === null ? (
        <div className="muted-text">{t('app.loading')}</div>
      ) : (
        <>
          <LessonSection title={t('home.today')} lessons={today} user={user} names={names} testId="lessons-today" />
          <LessonSection title={t('home.upcoming')} lessons={upcoming} user={user} names={names} testId="lessons-upcoming" />
          <PlansSection user={user} />
        </>
      )}
    </div>
  );
}

function rank(l: Lesson): number {
  return l.state === 'live' ? 0 : l.state === 'scheduled' ? 1 : 2;
}

function LessonSection({ title, lessons, user, names, testId }: { title: string; lessons: Lesson[]; user: PublicUser; names: (ids: string[]) => string; testId: string }) {
  const { t, lang } = useI18n();
  const fmt = (iso: string) =>
    new Date(iso).toLocaleString(localeOf(lang), { month: 'numeric', day: 'numeric', weekday: 'short', hour: '2-digit', minute: '2-digit' });
  return (
    <section className="lesson-section" data-testid={testId}>
      <h2>{title}</h2>
      {lessons.length === 0 && <div className="muted-text">{t('home.empty')}</div>}
      <ul className="lesson-list">
        {lessons.map((l) => {
          const own = l.teacherId === user.id;
          return (
            <li key={l.id} className={`lesson-card state-${l.state}`} data-testid={`lesson-${l.id}`} data-state={l.state}>
              <div className="lesson-main">
                <div className="lesson-title">
                  {l.title} <StateBadge state={l.state} />
                </div>
                <div className="lesson-meta">
                  {fmt(l.scheduledAt)} · {t('home.minutes', { n: l.durationMin })} · {l.subject} · {l.teacherName}
                </div>
                <div className="lesson-meta muted-text">{t('home.receiving', { list: names(l.receivingClassroomIds) })}</div>
              </div>
              <div className="lesson-actions">
                <LessonPlanButton lessonId={l.id} title={l.title} user={user} />
                {own && l.state !== 'ended' && (
                  <Link className="button primary" to={lessonPath(l.id, 'teach')} data-testid={`teach-${l.id}`}>
                    {t('home.teach')}
                  </Link>
                )}
                {!own && l.state !== 'ended' && user.role !== 'classroom' && (
                  <Link className="button" to={lessonPath(l.id, 'observe')} data-testid={`observe-${l.id}`}>
                    {t('home.observe')}
                  </Link>
                )}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
