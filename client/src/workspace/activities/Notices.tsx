// Workspace notifications: the nav link's unread count, and the list of what the bureau returned
// (or accepted) on the activity log page, each marked read on its own.
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { WorkspaceNotification } from '../../../../server/contract/workspace/activities.js';
import type { PublicUser } from '../../../../server/contract/domain.js';
import { errorText } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { Link, usePath } from '../../router.js';
import { toast } from '../../toast.js';
import { activitiesApi } from './activitiesApi.js';
import './activities.css';

const LOGS = new Set(['community_admin', 'school_admin', 'teacher', 'researcher']);

// What the nav link last heard, so the activity log can follow it: a page left open (or shown
// again before the next page's chunk arrived, React keeping it mounted under Suspense) would
// otherwise keep listing a returned activity as 待核验 while the link says 1 unread. Each new
// count bumps the version; the log page and its notices reload on it.
let heardUnread = -1;
let noticesVersion = 0;
const versionListeners = new Set<() => void>();
function heard(unread: number): void {
  if (unread === heardUnread) return;
  const first = heardUnread < 0;
  heardUnread = unread;
  if (first) return; // the first count is what the page loads anyway
  noticesVersion++;
  versionListeners.forEach((fn) => fn());
}

/** Changes whenever the unread count changes: a dependency for whatever shows activities' states. */
export function useNoticesVersion(): number {
  return useSyncExternalStore(
    (fn) => {
      versionListeners.add(fn);
      return () => void versionListeners.delete(fn);
    },
    () => noticesVersion,
  );
}

/** The nav links: the activity log (with the unread count) for schools and the community, 核验 for reviewers. */
export function WorkspaceNavLinks({ user }: { user: PublicUser }) {
  const { t } = useI18n();
  const path = usePath();
  const [unread, setUnread] = useState(0);
  // A click on the link while on its page asks again too (the path does not change then).
  const [asked, setAsked] = useState(0);
  const logs = LOGS.has(user.role);
  useEffect(() => {
    // Asked again on every page change: cheap (one count), and a return shows up without a reload.
    if (logs)
      activitiesApi.notifications().then(
        (n) => {
          setUnread(n.unread);
          heard(n.unread);
        },
        () => undefined,
      );
  }, [logs, path, asked]);
  if (user.role === 'bureau_reviewer') {
    return (
      <Link to="/workspace/review" data-testid="nav-workspace-review">
        {t('wsa.nav.review')}
      </Link>
    );
  }
  if (!logs) return null;
  return (
    <Link to="/workspace/activities" data-testid="nav-workspace-activities" onClick={() => setAsked((n) => n + 1)}>
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
  const version = useNoticesVersion();
  useEffect(() => {
    activitiesApi.notifications().then((n) => setItems(n.notifications.filter((x) => !x.readAt)), () => undefined);
  }, [version]);
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
