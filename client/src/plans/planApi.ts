// HTTP calls of 集体备课 (server/plans/routes.ts).
import type { PlanChatMessage, PlanComment, PlanCommentAnchor, PlanSummary, PlanVersion } from '../../../server/contract/planEvents.js';
import { api } from '../api.js';
import { RequestError } from '../requestError.js';

export type PlanListItem = PlanSummary & { access: 'edit' | 'comment' };
export type InlineOp = { op: '=' | '+' | '-'; text: string };
export type BlockDiff =
  | { kind: 'same' | 'added' | 'removed'; text: string }
  | { kind: 'changed'; before: string; after: string; parts: InlineOp[] };

const enc = encodeURIComponent;

export const planApi = {
  list: (q: { lessonId?: string; pairingId?: string } = {}) =>
    api<{ plans: PlanListItem[] }>('GET', `/api/plans?${new URLSearchParams(q as Record<string, string>)}`).then((r) => r.plans),
  create: (body: { title: string; lessonId?: string; pairingId?: string }) => api<{ plan: PlanSummary }>('POST', '/api/plans', body).then((r) => r.plan),
  get: (id: string) => api<{ plan: PlanSummary; access: 'edit' | 'comment' }>('GET', `/api/plans/${enc(id)}`),
  versions: (id: string) => api<{ versions: PlanVersion[] }>('GET', `/api/plans/${enc(id)}/versions`).then((r) => r.versions),
  saveVersion: (id: string, name: string) => api<{ version: PlanVersion }>('POST', `/api/plans/${enc(id)}/versions`, { name }).then((r) => r.version),
  diff: (id: string, from: string, to: string) =>
    api<{ blocks: BlockDiff[] }>('GET', `/api/plans/${enc(id)}/diff?from=${enc(from)}&to=${enc(to)}`).then((r) => r.blocks),
  restore: (id: string, versionId: string) => api<{ ok: true }>('POST', `/api/plans/${enc(id)}/versions/${enc(versionId)}/restore`),
  comments: (id: string) => api<{ comments: PlanComment[] }>('GET', `/api/plans/${enc(id)}/comments`).then((r) => r.comments),
  comment: (id: string, body: { text: string; anchor?: PlanCommentAnchor; parentId?: string }) =>
    api<{ comment: PlanComment }>('POST', `/api/plans/${enc(id)}/comments`, body).then((r) => r.comment),
  resolve: (id: string, commentId: string, resolved: boolean) =>
    api<{ comment: PlanComment }>('POST', `/api/plans/${enc(id)}/comments/${enc(commentId)}/resolve`, { resolved }),
  chat: (id: string) => api<{ messages: PlanChatMessage[] }>('GET', `/api/plans/${enc(id)}/chat`).then((r) => r.messages),
  async importDocx(id: string, file: File): Promise<void> {
    const res = await fetch(`/api/plans/${enc(id)}/import`, { method: 'POST', credentials: 'same-origin', body: file });
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { code: never; message: string } } | null;
      throw new RequestError(body?.error?.code ?? 'INTERNAL', body?.error?.message ?? res.statusText, res.status);
    }
  },
};

export const planPath = (planId: string) => `/plans/${enc(planId)}`;

/** The lesson's plan (most recently edited), made from the template when a teacher has none yet. */
export async function lessonPlanId(lessonId: string, title: string, create: boolean): Promise<string | null> {
  const plans = await planApi.list({ lessonId });
  if (plans[0]) return plans[0].id;
  if (!create) return null;
  return (await planApi.create({ title, lessonId })).id;
}
