// 设备码管理: a school admin creates one-time device codes for classroom PCs.
import { useState } from 'react';
import type { DeviceCodeResponse } from '../../../server/contract/api.js';
import type { PublicUser } from '../../../server/contract/domain.js';
import { api, errorText } from '../api.js';
import { localeOf, useI18n } from '../i18n/index.js';
import { useCommunity } from '../session.js';
import { toast } from '../toast.js';

export function AdminPage({ user }: { user: PublicUser }) {
  const { t, lang } = useI18n();
  const community = useCommunity();
  const [codes, setCodes] = useState<Record<string, DeviceCodeResponse>>({});
  const [busy, setBusy] = useState<string | null>(null);

  if (user.role !== 'school_admin' && user.role !== 'community_admin') {
    return <div className="page-message">{t('admin.forbidden')}</div>;
  }
  const schools = (community?.schools ?? []).filter((s) => user.role === 'community_admin' || s.id === user.schoolId);

  const generate = async (classroomId: string) => {
    setBusy(classroomId);
    try {
      const res = await api<DeviceCodeResponse>('POST', `/api/classrooms/${encodeURIComponent(classroomId)}/device-code`);
      setCodes((c) => ({ ...c, [classroomId]: res }));
    } catch (e) {
      toast.error(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className="admin-page" data-testid="admin-page">
      <h1>{t('admin.title')}</h1>
      <p className="muted-text">{t('admin.hint')}</p>
      {community && schools.length === 0 && <div className="muted-text">{t('admin.none')}</div>}
      {schools.map((s) => {
        const rooms = community!.classrooms.filter((c) => c.schoolId === s.id);
        return (
          <section key={s.id} className="panel">
            <h2 className="panel-title">{s.name}</h2>
            {rooms.length === 0 && <div className="muted-text">{t('admin.none')}</div>}
            <ul className="device-list">
              {rooms.map((c) => {
                const code = codes[c.id];
                return (
                  <li key={c.id} className="device-row">
                    <span className="device-room">{c.name}</span>
                    {code && (
                      <span className="device-code" data-testid={`device-code-value-${c.id}`}>
                        {code.code}
                        <small>{t('admin.expires', { time: new Date(code.expiresAt).toLocaleString(localeOf(lang)) })}</small>
                      </span>
                    )}
                    <button data-testid={`device-code-${c.id}`} disabled={busy === c.id} onClick={() => void generate(c.id)}>
                      {t('admin.generate')}
                    </button>
                  </li>
                );
              })}
            </ul>
          </section>
        );
      })}
    </div>
  );
}
