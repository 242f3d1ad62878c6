// 设备码管理: a school admin creates one-time device codes for classroom PCs, sees which
// classrooms have a PC signed in (and when it was last used), and signs a PC out at once.
import { useCallback, useEffect, useState } from 'react';
import type { ClassroomDevice, ClassroomDevicesResponse, DeviceCodeResponse, RevokeDeviceResponse } from '../../../server/contract/api.js';
import type { PublicUser } from '../../../server/contract/domain.js';
import { api, errorText } from '../api.js';
import { localeOf, useI18n } from '../i18n/index.js';
import { useCommunity } from '../session.js';
import { toast } from '../toast.js';

export function AdminPage({ user }: { user: PublicUser }) {
  const { t, lang } = useI18n();
  const community = useCommunity();
  const [codes, setCodes] = useState<Record<string, DeviceCodeResponse>>({});
  const [devices, setDevices] = useState<Record<string, ClassroomDevice>>({});
  const [busy, setBusy] = useState<string | null>(null);
  const isAdmin = user.role === 'school_admin' || user.role === 'community_admin';

  const loadDevices = useCallback(async () => {
    try {
      const res = await api<ClassroomDevicesResponse>('GET', '/api/devices');
      setDevices(Object.fromEntries(res.devices.map((d) => [d.classroomId, d])));
    } catch (e) {
      toast.error(errorText(e));
    }
  }, []);
  useEffect(() => {
    if (isAdmin) void loadDevices();
  }, [isAdmin, loadDevices]);

  if (!isAdmin) {
    return <div className="page-message">{t('admin.forbidden')}</div>;
  }
  const schools = (community?.schools ?? []).filter((s) => user.role === 'community_admin' || s.id === user.schoolId);
  const time = (iso: string) => new Date(iso).toLocaleString(localeOf(lang));

  const generate = async (classroomId: string) => {
    setBusy(classroomId);
    try {
      const res = await api<DeviceCodeResponse>('POST', `/api/classrooms/${encodeURIComponent(classroomId)}/device-code`);
      setCodes((c) => ({ ...c, [classroomId]: res }));
      await loadDevices();
    } catch (e) {
      toast.error(errorText(e));
    } finally {
      setBusy(null);
    }
  };

  const revoke = async (classroomId: string, room: string) => {
    if (!window.confirm(t('admin.revokeConfirm', { room }))) return;
    setBusy(classroomId);
    try {
      const res = await api<RevokeDeviceResponse>('DELETE', `/api/classrooms/${encodeURIComponent(classroomId)}/device`);
      setCodes(({ [classroomId]: _gone, ...rest }) => rest);
      toast.info(t('admin.revoked', { sessions: res.sessions, codes: res.codes, sockets: res.sockets }));
      await loadDevices();
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
                const d = devices[c.id];
                const signedIn = !!d && d.sessions > 0;
                return (
                  <li key={c.id} className="device-row" data-testid={`device-row-${c.id}`}>
                    <span className="device-room">
                      {c.name}
                      <small className="device-status" data-testid={`device-status-${c.id}`} data-signed-in={signedIn ? 'true' : 'false'}>
                        {signedIn && d.lastUsedAt ? t('admin.signedIn', { n: d.sessions, time: time(d.lastUsedAt) }) : t('admin.notSignedIn')}
                        {d && d.pendingCodes > 0 && ` · ${t('admin.pendingCodes', { n: d.pendingCodes })}`}
                      </small>
                    </span>
                    {code && (
                      <span className="device-code" data-testid={`device-code-value-${c.id}`}>
                        {code.code}
                        <small>{t('admin.expires', { time: time(code.expiresAt) })}</small>
                      </span>
                    )}
                    <button data-testid={`device-code-${c.id}`} disabled={busy === c.id} onClick={() => void generate(c.id)}>
                      {t('admin.generate')}
                    </button>
                    <button
                      className="danger"
                      data-testid={`device-revoke-${c.id}`}
                      disabled={busy === c.id || (!signedIn && !(d && d.pendingCodes > 0))}
                      onClick={() => void revoke(c.id, c.name)}
                    >
                      {t('admin.revoke')}
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
