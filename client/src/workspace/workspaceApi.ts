// REST calls of the workspace dashboards (server/workspace/targetsRoutes.ts, orgRoutes.ts).
import type { OrgResponse } from '../../../server/contract/workspace/org.js';
import type { PlanResponse, TemplateResponse } from '../../../server/contract/workspace/plan.js';
import type { BureauProgressResponse, CommunityProgressResponse, PairingProgressResponse } from '../../../server/contract/workspace/progress.js';
import type { Target } from '../../../server/contract/workspace/targets.js';
import { api } from '../api.js';

const enc = encodeURIComponent;
const query = (q: Record<string, string | number | undefined>) =>
  Object.entries(q)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${enc(String(v))}`)
    .join('&');

export const workspaceApi = {
  org: () => api<OrgResponse>('GET', '/api/workspace/org'),
  pairingProgress: (id: string, q: { year: number; subject?: string }) => api<PairingProgressResponse>('GET', `/api/workspace/pairings/${enc(id)}/progress?${query(q)}`),
  communityProgress: (id: string, q: { year: number; subject?: string; schoolId?: string }) =>
    api<CommunityProgressResponse>('GET', `/api/workspace/communities/${enc(id)}/progress?${query(q)}`),
  bureauProgress: (id: string, year: number) => api<BureauProgressResponse>('GET', `/api/workspace/bureaus/${enc(id)}/progress?year=${year}`),
  communityPlan: (id: string, year: number) => api<PlanResponse>('GET', `/api/workspace/communities/${enc(id)}/targets?year=${year}`),
  saveCommunityPlan: (id: string, year: number, targets: Target[]) => api<PlanResponse>('PUT', `/api/workspace/communities/${enc(id)}/targets?year=${year}`, { targets }),
  copyLastYear: (id: string, year: number) => api<PlanResponse>('POST', `/api/workspace/communities/${enc(id)}/targets/copy-last-year`, { year }),
  fromTemplate: (id: string, year: number) => api<PlanResponse>('POST', `/api/workspace/communities/${enc(id)}/targets/from-template`, { year }),
  pairingPlan: (id: string, year: number) => api<PlanResponse>('GET', `/api/workspace/pairings/${enc(id)}/targets?year=${year}`),
  savePairingPlan: (id: string, year: number, targets: Target[]) => api<PlanResponse>('PUT', `/api/workspace/pairings/${enc(id)}/targets?year=${year}`, { targets }),
  template: (bureauId: string, year: number) => api<TemplateResponse>('GET', `/api/workspace/bureaus/${enc(bureauId)}/template?year=${year}`),
  saveTemplate: (bureauId: string, year: number, targets: Target[]) => api<TemplateResponse>('PUT', `/api/workspace/bureaus/${enc(bureauId)}/template?year=${year}`, { targets }),
};

export const pairingPath = (id: string) => `/workspace/pairings/${enc(id)}`;
export const communityPath = (id: string) => `/workspace/communities/${enc(id)}`;
