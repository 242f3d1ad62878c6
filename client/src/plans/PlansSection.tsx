// 集体备课 on the home page: the plans the user can see, new plans for a pairing's library,
// and the button a lesson card (or the teacher console) uses to open its lesson's plan.
import { useCallback, useEffect, useState } from 'react';
import type { PublicUser } from '../../../server/contract/domain.js';
import { errorText } from '../api.js';
import { Choice } from '../components/Choice.js';
import { localeOf, useI18n } from '../i18n/index.js';
import { Link, navigate } from '../router.js';
import { useCommunity } from '../session.js';
import { toast } from '../toast.js';
import { lessonPlanId, planApi, planPath, type PlanListItem } from './planApi.js';
import './plans.css';

export function PlansSection({ user }: { user: PublicUser }) {
  const { t, lang } = useI18n();
  const community = useCommunity();
  const [plans, setPlans] = useState<PlanListItem[] | null>(null);
  const [title, setTitle] = useState('');
  const [pairingId, setPairingId] = useState('');
  const load = useCallback(() => void planApi.list().then(setPlans, (e) => toast.error(errorText(e))), []);
  useEffect(load, [load]);
  if (user.role !== 'teacher' && user.role !== 'researcher') return null;

  const schoolName = (id: string) => community?.schools.find((s) => s.id === id)?.name ?? id;
  const myPairings = (community?.pairings ?? []).filter((p) => user.schoolId && (p.citySchoolId === user.schoolId || p.ruralSchoolId === user.schoolId));
  const create = async () => {
    try {
      const plan = await planApi.create({ title: title.trim(), pairingId });
      navigate(planPath(plan.id));
    } catch (e) {
      toast.error(errorText(e));
    }
  };

  return (
    <section className="lesson-section" data-testid="plans-section">
      <h2>{t('plan.list.title')}</h2>
      {user.role === 'teacher' && myPairings.length > 0 && (
        <div className="row-gap">
          <input value={title} maxLength={120} placeholder={t('plan.list.newTitle')} onChange={(e) => setTitle(e.target.value)} data-testid="plan-new-title" />
          <Choice
            value={pairingId}
            onChange={setPairingId}
            none={t('plan.list.pickPairing')}
            options={myPairings.map((p) => [p.id, `${schoolName(p.citySchoolId)} – ${schoolName(p.ruralSchoolId)}`])}
            data-testid="plan-new-pairing"
          />
          <button className="primary" disabled={!title.trim() || !pairingId} onClick={() => void create()} data-testid="plan-new">
            + {t('plan.list.new')}
          </button>
        </div>
      )}
      {plans === null ? (
        <div className="muted-text">{t('app.loading')}</div>
      ) : plans.length === 0 ? (
        <div className="muted-text">{t('plan.list.empty')}</div>
      ) : (
        <ul className="plan-list">
          {plans.slice(0, 30).map((p) => (
            <li key={p.id} data-testid={`plan-item-${p.id}`}>
              <Link to={planPath(p.id)}>{p.title}</Link>
              <span className="muted-text small-text">
                {p.lessonId ? t('plan.list.ofLesson') : t('plan.list.library')} · {new Date(p.updatedAt).toLocaleString(localeOf(lang), { month: 'numeric', day: 'numeric', hour: '2-digit', minute: '2-digit' })}
              </span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Opens the lesson's plan (teachers create it from the template if there is none). */
export function LessonPlanButton({ lessonId, title, user, newTab, className }: { lessonId: string; title: string; user: PublicUser; newTab?: boolean; className?: string }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  if (user.role !== 'teacher' && user.role !== 'researcher') return null;
  return (
    <button
      className={className ?? ''}
      disabled={busy}
      data-testid={`lesson-plan-${lessonId}`}
      onClick={async () => {
        // A tab opened now, before the await, is not a blocked pop-up.
        const tab = newTab ? window.open('about:blank', '_blank') : null;
        setBusy(true);
        try {
          const id = await lessonPlanId(lessonId, t('plan.defaultTitle', { title }), user.role === 'teacher');
          if (!id) {
            tab?.close();
            toast.info(t('plan.list.noneForLesson'));
          } else if (tab) tab.location.href = planPath(id);
          else navigate(planPath(id));
        } catch (e) {
          tab?.close();
          toast.error(errorText(e));
        } finally {
          setBusy(false);
        }
      }}
    >
      {t('plan.open')}
    </button>
  );
}
