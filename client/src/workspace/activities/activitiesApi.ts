// REST calls of the offline-activity and 核验 pages (server/workspace/activitiesRoutes.ts, reviewRoutes.ts).
import type {
  ActivityStatus,
  BureauSetting,
  EvidenceFile,
  OfflineActivityKind,
  WorkspaceActivity,
  WorkspaceNotification,
} from '../../../../server/contract/workspace/activities.js';
import type { OrgResponse } from '../../../../server/contract/workspace/org.js';
import type { ErrorCode } from '../../../../server/contract/errors.js';
import { api } from '../../api.js';
import { tr, type MessageKey } from '../../i18n/index.js';
import { RequestError } from '../../requestError.js';

const enc = encodeURIComponent;

export interface ActivityFields {
  kind: OfflineActivityKind;
  day: string;
  place: string;
  people: string[];
  description: string;
  subject: string | null;
  teacherIds: string[];
  pairingId: string | null;
}

export interface StaffPerson {
  id: string;
  displayName: string;
  schoolId: string;
  schoolName: string;
}

export const activitiesApi = {
  org: () => api<OrgResponse>('GET', '/api/workspace/org'),
  list: (q: { status?: ActivityStatus; schoolId?: string } = {}) => {
    const params = new URLSearchParams(Object.entries(q).filter(([, v]) => v) as [string, string][]);
    return api<{ activities: WorkspaceActivity[] }>('GET', `/api/workspace/activities${params.size ? `?${params}` : ''}`);
  },
  people: (schoolId: string) => api<{ people: StaffPerson[] }>('GET', `/api/workspace/schools/${enc(schoolId)}/people`),
  create: (schoolId: string, b: ActivityFields) => api<{ activity: WorkspaceActivity }>('POST', `/api/workspace/schools/${enc(schoolId)}/activities`, b),
  update: (id: string, b: Partial<ActivityFields>) => api<{ activity: WorkspaceActivity }>('POST', `/api/workspace/activities/${enc(id)}`, b),
  submit: (id: string) => api<{ activity: WorkspaceActivity }>('POST', `/api/workspace/activities/${enc(id)}/submit`),
  remove: (id: string) => api<null>('DELETE', `/api/workspace/activities/${enc(id)}`),
  removeEvidence: (id: string) => api<null>('DELETE', `/api/workspace/evidence/${enc(id)}`),
  queue: (status: Exclude<ActivityStatus, 'draft'>) => api<{ activities: WorkspaceActivity[] }>('GET', `/api/workspace/review?status=${status}`),
  review: (id: string, decision: 'accept' | 'return', comment: string) =>
    api<{ activity: WorkspaceActivity }>('POST', `/api/workspace/activities/${enc(id)}/review`, { decision, comment }),
  notifications: () => api<{ notifications: WorkspaceNotification[]; unread: number }>('GET', '/api/workspace/notifications'),
  markRead: (ids: string[]) => api<{ marked: number; unread: number }>('POST', '/api/workspace/notifications/read', { ids }),
  setting: (bureauId: string, year: number) => api<{ setting: BureauSetting }>('GET', `/api/workspace/bureaus/${enc(bureauId)}/settings/${year}`),
  setSetting: (bureauId: string, year: number, acceptedOnly: boolean) =>
    api<{ setting: BureauSetting }>('POST', `/api/workspace/bureaus/${enc(bureauId)}/settings/${year}`, { acceptedOnly }),
};

export const evidenceUrl = (id: string, which: 'file' | 'thumb') => `/api/workspace/evidence/${enc(id)}/${which}`;

/** One file as the raw request body (the server checks its size and real type). */
export async function uploadEvidence(activityId: string, file: File): Promise<EvidenceFile> {
  let res: Response;
  try {
    res = await fetch(`/api/workspace/activities/${enc(activityId)}/evidence?name=${enc(file.name.slice(0, 200))}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/octet-stream', accept: 'application/json' },
      body: file,
    });
  } catch {
    throw new RequestError('NETWORK', tr('error.network'), 0);
  }
  const json = (await res.json().catch(() => null)) as { evidence?: EvidenceFile; error?: { code?: ErrorCode; message?: string } } | null;
  if (!res.ok || !json?.evidence) {
    const code: ErrorCode = json?.error?.code ?? (res.status === 413 ? 'TOO_LARGE' : 'INTERNAL');
    throw new RequestError(code, json?.error?.message || tr(`error.${code}` as MessageKey), res.status);
  }
  return json.evidence;
}
