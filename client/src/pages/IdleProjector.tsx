// The classroom PC's idle screen: today's lessons for this classroom in large type, the next one
// marked with a countdown; polls every 5 s and joins a lesson it receives as soon as it is live.
import { useEffect, useRef, useState } from 'react';
import type { LessonsResponse } from '../../../server/contract/api.js';
import type { Lesson, PublicUser } from '../../../server/contract/domain.js';
import { api } from '../api.js';
import { localeOf, useI18n } from '../i18n/index.js';
import { useFullscreen, useNow } from '../components/LivePieces.js';
import { navigate } from '../router.js';
import { lessonPath } from '../routes.js';
import { classroomLabel, logout, useCommunity } from '../session.js';
import { addDays, lessonsQuery, startOfDay } from '../time.js';
import { lessonsForClassroom } from '../lessons.js';
import { lessonToJoin, minutesUntil, nextLesson } from '../timetable/today.js';
import { Icon } from '../components/Icon.js';
import '../timetable/timetable.css';

export const IDLE_POLL_MS = 5000;

export function IdleProjector({ user }: { user: PublicUser }) {
  const { t, lang } = useI18n();
  const community = useCommunity();
  const now = useNow(1000);
  const fs = useFullscreen();
  const [lessons, setLessons] = useState<Lesson[] | null>(null);
  const [offline, setOffline] = useState(false);
  const joined = useRef(false);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const poll = async () => {
      try {
        const today = startOfDay();
        const { lessons } = await api<LessonsResponse>('GET', lessonsQuery(today, addDays(today, 1)));
        if (stopped) return;
        setOffline(false);
        const mine = lessonsForClassroom(lessons, user.classroomId);
        setLessons(mine.sort((a, b) => new Date(a.scheduledAt).getTime() - new Date(b.scheduledAt).getTime()));
        const live = lessonToJoin(mine, user.classroomId);
        if (live && !joined.current) {
          joined.current = true;
          navigate(lessonPath(live.id, 'projector'));
          return;
        }
      } catch {
        if (!stopped) setOffline(true);
      }
      if (!stopped) timer = setTimeout(poll, IDLE_POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [user.classroomId]);

  const locale = localeOf(lang);
  const name = user.classroomId ? classroomLabel(community, user.classroomId, user.displayName) : user.displayName;
  const clock = new Date(now);
  const next = lessons ? nextLesson(lessons, now) : undefined;
  const hhmm = (ms: number) => new Date(ms).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });

  return (
    <div className="projector idle" data-testid="idle-projector">
      <header className="idle-head">
        <div className="idle-name">{t('idle.classroom', { name })}</div>
        <div className="idle-clock" data-testid="idle-clock">
          {clock.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' })}
          <span className="idle-date">{clock.toLocaleDateString(locale, { month: 'long', day: 'numeric', weekday: 'long' })}</span>
        </div>
      </header>
      <main className="idle-main">
        <h1 className="huge-title">{t('idle.title')}</h1>
        {lessons && lessons.length === 0 && <div className="idle-none">{t('idle.none')}</div>}
        <ul className="idle-lessons" data-testid="idle-lessons">
          {(lessons ?? []).map((l) => {
            const start = Date.parse(l.scheduledAt);
            const isNext = next?.id === l.id;
            return (
              <li
                key={l.id}
                className={`idle-lesson state-${l.state}${isNext ? ' next' : ''}`}
                data-testid={`idle-lesson-${l.id}`}
                data-state={l.state}
                data-next={isNext ? 'true' : 'false'}
              >
                <span className="idle-time">
                  {hhmm(start)}
                  <span className="idle-sub">–{hhmm(start + l.durationMin * 60_000)}</span>
                </span>
                <span className="idle-title">
                  {l.title}
                  <span className="idle-sub">
                    {l.subject} · {l.teacherName}
                    {community && ` · ${t('idle.host', { name: classroomLabel(community, l.hostClassroomId) })}`}
                  </span>
                </span>
                {isNext && l.state === 'scheduled' && (
                  <span className="badge big idle-next" data-testid="idle-next">
                    {minutesUntil(l, now) > 0 ? t('idle.next', { n: minutesUntil(l, now) }) : t('idle.nextNow')}
                  </span>
                )}
                <span className={`badge big state-${l.state}`}>{t(`state.${l.state}`)}</span>
              </li>
            );
          })}
        </ul>
        <div className="idle-waiting">{offline ? t('idle.offline') : t('idle.waiting')}</div>
      </main>
      <footer className="idle-foot">
        <button className="fullscreen-btn" data-testid="fullscreen" onClick={fs.toggle}>
          <Icon name="fullscreen" /> {fs.isFull ? t('live.exitFullscreen') : t('live.fullscreen')}
        </button>
        <button className="link subtle" onClick={() => void logout().then(() => navigate('/login?device=1', { replace: true }))}>
          {t('nav.logout')}
        </button>
      </footer>
    </div>
  );
}
