// /workspace/review — the bureau reviewer's 核验: the queue of submitted activities of the
// bureau's communities with their evidence (thumbnails, the full picture, documents), 通过 or
// 退回 with a comment (required), what was accepted or returned, and the year's counting rule.
import { useCallback, useEffect, useState } from 'react';
import type { PublicUser } from '../../../../server/contract/domain.js';
import type { ActivityStatus, BureauSetting, WorkspaceActivity } from '../../../../server/contract/workspace/activities.js';
import { errorText } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { toast } from '../../toast.js';
import { activitiesApi } from './activitiesApi.js';
import { ActivityCard } from './ActivityCard.js';
import './activities.css';

type QueueStatus = Exclude<ActivityStatus, 'draft'>;
const TABS: [QueueStatus, 'wsa.review.queue' | 'wsa.review.accepted' | 'wsa.review.returned'][] = [
  ['submitted', 'wsa.review.queue'],
  ['returned', 'wsa.review.returned'],
  ['accepted', 'wsa.review.accepted'],
];

export function ReviewPage({ user }: { user: PublicUser }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<QueueStatus>('submitted');
  const [activities, setActivities] = useState<WorkspaceActivity[] | null>(null);
  const [setting, setSetting] = useState<BureauSetting | null>(null);
  const year = new Date().getFullYear();
  const reviewer = user.role === 'bureau_reviewer';

  const reload = useCallback(() => {
    if (!reviewer) return;
    activitiesApi.queue(tab).then((r) => setActivities(r.activities), (e) => toast.error(errorText(e)));
  }, [tab, reviewer]);
  useEffect(reload, [reload]);
  useEffect(() => {
    if (!reviewer) return;
    activitiesApi.org().then(
      (o) => (o.bureau ? activitiesApi.setting(o.bureau.id, year).then((s) => setSetting(s.setting)) : undefined),
      () => undefined,
    );
  }, [reviewer, year]);

  if (!reviewer) return <div className="wsa-page muted-text">{t('wsa.review.notReviewer')}</div>;

  const toggleRule = (acceptedOnly: boolean) =>
    setting && activitiesApi.setSetting(setting.bureauId, year, acceptedOnly).then((s) => setSetting(s.setting), (e) => toast.error(errorText(e)));

  return (
    <div className="wsa-page" data-testid="wsa-review-page">
      <h2>{t('wsa.review.title')}</h2>
      <div className="wsa-toolbar">
        <div className="wsa-tabs" role="tablist">
          {TABS.map(([s, label]) => (
            <button key={s} type="button" className={`small${tab === s ? ' active' : ''}`} onClick={() => setTab(s)} data-testid={`wsa-review-tab-${s}`}>
              {t(label)}
            </button>
          ))}
        </div>
        {setting && (
          <label className="row-gap muted-text">
            <input type="checkbox" checked={setting.acceptedOnly} onChange={(e) => void toggleRule(e.target.checked)} data-testid="wsa-accepted-only" />
            {t('wsa.review.acceptedOnly', { year })}
          </label>
        )}
      </div>
      {activities && activities.length === 0 && (
        <div className="muted-text" data-testid="wsa-review-empty">
          {tab === 'submitted' ? t('wsa.review.empty') : t('wsa.review.emptyOther')}
        </div>
      )}
      <ul className="wsa-list">
        {(activities ?? []).map((a) => (
          <ActivityCard key={a.id} activity={a} editable={false} onChanged={reload}>
            {a.status === 'submitted' && <Decide activity={a} onDone={reload} />}
          </ActivityCard>
        ))}
      </ul>
    </div>
  );
}

function Decide({ activity, onDone }: { activity: WorkspaceActivity; onDone(): void }) {
  const { t } = useI18n();
  const [comment, setComment] = useState('');
  const [busy, setBusy] = useState(false);
  const decide = async (decision: 'accept' | 'return') => {
    if (decision === 'return' && !comment.trim()) return toast.error(t('wsa.review.commentNeeded'));
    setBusy(true);
    try {
      await activitiesApi.review(activity.id, decision, comment.trim());
      toast.info(t(decision === 'accept' ? 'wsa.review.done.accept' : 'wsa.review.done.return'));
      onDone();
    } catch (e) {
      toast.error(errorText(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="wsa-review-actions">
      {activity.reviewComment && (
        <div className="muted-text">
          {t('wsa.review.previous')}
          {activity.reviewComment}
        </div>
      )}
      <textarea value={comment} placeholder={t('wsa.review.comment')} maxLength={2000} onChange={(e) => setComment(e.target.value)} data-testid="wsa-review-comment-input" />
      <div className="row-gap">
        <button type="button" className="primary" disabled={busy} onClick={() => void decide('accept')} data-testid="wsa-accept">
          {t('wsa.review.accept')}
        </button>
        <button type="button" className="danger" disabled={busy} onClick={() => void decide('return')} data-testid="wsa-return">
          {t('wsa.review.return')}
        </button>
      </div>
    </div>
  );
}
