// One offline activity as both pages show it: what, when, where, who, its status badge, the
// reviewer's comment, its evidence; the page adds its own actions below.
import type { ReactNode } from 'react';
import type { ActivityStatus, WorkspaceActivity } from '../../../../server/contract/workspace/activities.js';
import { localeOf, useI18n } from '../../i18n/index.js';
import { EvidenceList } from './EvidenceList.js';

export function StatusBadge({ status }: { status: ActivityStatus }) {
  const { t } = useI18n();
  return (
    <span className={`badge wsa-status-${status}`} data-testid="wsa-status" data-status={status}>
      {t(`wsa.status.${status}`)}
    </span>
  );
}

export function ActivityCard({
  activity: a,
  editable,
  onChanged,
  children,
}: {
  activity: WorkspaceActivity;
  editable: boolean;
  onChanged(): void;
  children?: ReactNode;
}) {
  const { t, lang } = useI18n();
  return (
    <li className="wsa-card" data-testid="wsa-activity" data-id={a.id} data-status={a.status}>
      <div className="wsa-card-head">
        <strong>{t(`wsa.kind.${a.kind}`)}</strong>
        <span>{a.day}</span>
        <span>· {a.place}</span>
        <span className="muted-text">· {a.schoolName}</span>
        {a.subject && <span className="muted-text">· {a.subject}</span>}
        <StatusBadge status={a.status} />
      </div>
      {a.people.length > 0 && <div className="muted-text">{t('wsa.people', { people: a.people.join('、') })}</div>}
      {a.description && <p>{a.description}</p>}
      {a.status === 'returned' && a.reviewComment && (
        <div className="wsa-comment" data-testid="wsa-review-comment">
          {t('wsa.returnedBy', { name: a.reviewedByName ?? '' })}
          {a.reviewComment}
        </div>
      )}
      {a.status === 'accepted' && a.reviewedAt && (
        <div className="wsa-ok">{t('wsa.reviewedBy', { name: a.reviewedByName ?? '', when: new Date(a.reviewedAt).toLocaleDateString(localeOf(lang)) })}</div>
      )}
      <EvidenceList activityId={a.id} evidence={a.evidence} editable={editable} onChanged={onChanged} />
      {children}
    </li>
  );
}
