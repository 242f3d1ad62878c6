// /workspace/activities — a school's offline activity log (the community admin: every school's):
// 登记线下活动, evidence with thumbnails, submit for 核验, the reviewer's comment on a returned
// one and its notification; the status badges 待提交 / 待核验 / 已通过 / 已退回.
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { PublicUser } from '../../../../server/contract/domain.js';
import { EDITABLE_STATUSES, type ActivityStatus, type WorkspaceActivity } from '../../../../server/contract/workspace/activities.js';
import type { OrgResponse } from '../../../../server/contract/workspace/org.js';
import { errorText } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { toast } from '../../toast.js';
import { activitiesApi } from './activitiesApi.js';
import { ActivityCard } from './ActivityCard.js';
import { ActivityForm, type SchoolChoice } from './ActivityForm.js';
import { ActivityImport } from './ActivityImport.js';
import { NoticeList, useNoticesVersion } from './Notices.js';
import './activities.css';

const FILTERS: (ActivityStatus | 'all')[] = ['all', 'draft', 'submitted', 'returned', 'accepted'];

/** The schools this user logs activities for, with their pairings (as "城区校 ⇄ 乡村校"). */
function schoolsFor(user: PublicUser, org: OrgResponse | null): SchoolChoice[] {
  if (!org) return [];
  const canLog = user.role === 'community_admin' || user.role === 'school_admin' || user.role === 'teacher';
  if (!canLog) return [];
  return org.communities.flatMap((c) =>
    c.schools
      .filter((s) => user.role === 'community_admin' || s.id === user.schoolId)
      .map((s) => ({
        id: s.id,
        name: s.name,
        pairings: c.pairings
          .filter((p) => p.citySchool.id === s.id || p.ruralSchool.id === s.id)
          .map((p) => ({ id: p.id, label: `${p.citySchool.name} ⇄ ${p.ruralSchool.name}` })),
      })),
  );
}

export function ActivitiesPage({ user }: { user: PublicUser }) {
  const { t } = useI18n();
  const [org, setOrg] = useState<OrgResponse | null>(null);
  const [activities, setActivities] = useState<WorkspaceActivity[] | null>(null);
  const [filter, setFilter] = useState<ActivityStatus | 'all'>('all');
  const [form, setForm] = useState<{ editing: WorkspaceActivity | null } | null>(null);
  const [focus, setFocus] = useState<string | null>(null);
  const schools = useMemo(() => schoolsFor(user, org), [user, org]);
  const mayEdit = (a: WorkspaceActivity) =>
    EDITABLE_STATUSES.includes(a.status) && (user.role === 'community_admin' || ((user.role === 'school_admin' || user.role === 'teacher') && user.schoolId === a.schoolId));

  const reload = useCallback(() => {
    activitiesApi.list().then((r) => setActivities(r.activities), (e) => toast.error(errorText(e)));
  }, []);
  // A new unread count (a reviewer returned or accepted one) reloads the list with it.
  const noticesVersion = useNoticesVersion();
  useEffect(() => {
    reload();
  }, [reload, noticesVersion]);
  useEffect(() => {
    activitiesApi.org().then(setOrg, (e) => toast.error(errorText(e)));
  }, []);
  useEffect(() => {
    if (focus) document.querySelector(`[data-id="${CSS.escape(focus)}"]`)?.scrollIntoView({ behavior: 'smooth', block: 'center' });
  }, [focus, activities]);

  const act = (p: Promise<unknown>, done?: string) =>
    p.then(
      () => {
        if (done) toast.info(done);
        reload();
      },
      (e) => toast.error(errorText(e)),
    );

  const shown = (activities ?? []).filter((a) => filter === 'all' || a.status === filter);
  return (
    <div className="wsa-page" data-testid="wsa-activities-page">
      <h2>{t('wsa.title')}</h2>
      <NoticeList onOpen={setFocus} />
      <div className="wsa-toolbar">
        {schools.length > 0 && !form && (
          <button type="button" className="primary" onClick={() => setForm({ editing: null })} data-testid="wsa-new">
            {t('wsa.new')}
          </button>
        )}
        {schools.length > 0 && !form && <ActivityImport schools={schools} onImported={reload} />}
        <div className="wsa-tabs" role="tablist">
          {FILTERS.map((f) => (
            <button key={f} type="button" className={`small${filter === f ? ' active' : ''}`} onClick={() => setFilter(f)} data-testid={`wsa-filter-${f}`}>
              {f === 'all' ? t('wsa.filter.all') : t(`wsa.status.${f}`)}
            </button>
          ))}
        </div>
      </div>
      {org && schools.length === 0 && user.role !== 'researcher' && <div className="muted-text">{t('wsa.noSchool')}</div>}
      {form && (
        <ActivityForm
          key={form.editing?.id ?? 'new'}
          schools={schools}
          editing={form.editing}
          onCancel={() => setForm(null)}
          onSaved={(a) => {
            setForm(null);
            setFocus(a.id);
            reload();
          }}
        />
      )}
      {activities && activities.length === 0 && (
        <div className="muted-text" data-testid="wsa-empty">
          {t('wsa.empty')}
        </div>
      )}
      {activities && activities.length > 0 && shown.length === 0 && <div className="muted-text">{t('wsa.emptyFiltered')}</div>}
      <ul className="wsa-list">
        {shown.map((a) => {
          const editable = mayEdit(a);
          return (
            <ActivityCard key={a.id} activity={a} editable={editable} onChanged={reload}>
              {editable && (
                <div className="row-gap">
                  <button
                    type="button"
                    className="primary"
                    disabled={a.evidence.length === 0}
                    onClick={() => void act(activitiesApi.submit(a.id), t('wsa.submitted'))}
                    data-testid="wsa-submit"
                  >
                    {a.status === 'returned' ? t('wsa.resubmit') : t('wsa.submit')}
                  </button>
                  <button type="button" onClick={() => setForm({ editing: a })} data-testid="wsa-edit">
                    {t('wsa.edit')}
                  </button>
                  <button
                    type="button"
                    className="danger"
                    onClick={() => {
                      if (window.confirm(t('wsa.deleteConfirm'))) void act(activitiesApi.remove(a.id));
                    }}
                    data-testid="wsa-delete"
                  >
                    {t('wsa.delete')}
                  </button>
                </div>
              )}
            </ActivityCard>
          );
        })}
      </ul>
    </div>
  );
}
