// Workspace notifications: the nav link's unread count, and the list of what the bureau returned
// (or accepted) on the activity log page, each marked read on its own.
import { useEffect, useState } from 'react';
import type { WorkspaceNotification } from '../../../../server/contract/workspace/activities.js';
import type { PublicUser } from '../../../../server/contract/domain.js';
import { errorText } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link, usePath } from '../../router.js';
import { toast } from '../../toast.js';
import { activitiesApi } from './activitiesApi.js';
import './activities.css';

const LOGS = new Set(['community_admin', 'school_admin', 'teacher', 'researcher']);

/** The nav links: the activity log (with the unread count) for schools and the community, 核验 for reviewers. */
export function WorkspaceNavLinks({ user }: { user: PublicUser }) {
  const { t } = useI18n();
  const path = usePath();
  const [unread, setUnread] = useState(0);
  const logs = LOGS.has(user.role);
  useEffect(() => {
    // Asked again on every page change: cheap (one count), and a return shows up without a reload.
    if (logs) activitiesApi.notifications().then((n) => setUnread(n.unread), () => undefined);
  }, [logs, path]);
  if (user.role === 'bureau_reviewer') {
    return (
      <Link to="/workspace/review" data-testid="nav-workspace-review">
        {t('wsa.nav.review')}
      </Link>
    );
  }
  if (!logs) return null;
  return (
    <Link to="/workspace/activities" data-testid="nav-workspace-activities">
      {t('wsa.nav')}
      {unread > 0 && (
        <span className="wsa-nav-count" data-testid="wsa-unread">
          {unread}
        </span>
      )}
    </Link>
  );
}

export function NoticeList({ onOpen }: { onOpen?(activityId: string): void }) {
  const { t } = useI18n();
  const [items, setItems] = useState<WorkspaceNotification[]>([]);
  useEffect(() => {
    activitiesApi.notifications().then((n) => setItems(n.notifications.filter((x) => !x.readAt)), () => undefined);
  }, []);
  if (items.length === 0) return null;
  const markRead = (id: string) =>
    activitiesApi.markRead([id]).then(
      () => setItems((xs) => xs.filter((x) => x.id !== id)),
      (e) => toast.error(errorText(e)),
    );
  return (
    <div className="wsa-notices" data-testid="wsa-notices">
      <strong>{t('wsa.notices')}</strong>
      <ul>
        {items.map((n) => (
          <li key={n.id} data-testid="wsa-notice" data-key={n.key}>
            <button
              type="button"
              className="link"
              onClick={() => {
                onOpen?.(n.params.activityId);
                void markRead(n.id);
              }}
            >
              {t(`wsa.notice.${n.key}`, { kind: t(`wsa.kind.${n.params.kind}`), day: n.params.day, place: n.params.place, comment: n.params.comment ?? '' })}
            </button>{' '}
            <button type="button" className="link subtle" onClick={() => void markRead(n.id)} data-testid="wsa-notice-read">
              {t('wsa.notices.markRead')}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
