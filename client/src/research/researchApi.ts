// REST calls of the research pages (server/research/routes.ts).
import type { Lesson } from '../../../server/contract/domain.js';
import type {
  Annotation,
  LessonAnalysis,
  ResearchGroup,
  ResearchSession,
  Rubric,
  RubricScoresView,
  TargetProgress,
} from '../../../server/contract/research.js';
import type { StMethod } from '../../../server/contract/analysis/st.js';
import { api } from '../api.js';

import type { Person } from '../../../server/contract/research.js';
export type { Person };

const enc = encodeURIComponent;

export const researchApi = {
  groups: () => api<{ groups: ResearchGroup[] }>('GET', '/api/research/groups'),
  group: (id: string) => api<{ group: ResearchGroup; sessions: ResearchSession[] }>('GET', `/api/research/groups/${enc(id)}`),
  createGroup: (b: { name: string; subject: string; memberIds: string[] }) => api<{ group: ResearchGroup }>('POST', '/api/research/groups', b),
  people: () => api<{ people: Person[] }>('GET', '/api/research/people'),
  createSession: (b: { groupId: string; kind: string; title: string; lessonId: string | null; scheduledAt: string; agenda: string }) =>
    api<{ session: ResearchSession }>('POST', '/api/research/sessions', b),
  updateSession: (id: string, b: Partial<{ agenda: string; minutes: string; conclusions: string }>) =>
    api<{ session: ResearchSession }>('POST', `/api/research/sessions/${enc(id)}`, b),
  lessonSessions: (lessonId: string) => api<{ sessions: ResearchSession[] }>('GET', `/api/research/lessons/${enc(lessonId)}/sessions`),
  targets: (year: number) => api<{ targets: TargetProgress[] }>('GET', `/api/research/targets?year=${year}`),
  frameworks: () => api<{ st: string[]; flanders: string[]; rubric: Rubric }>('GET', '/api/research/frameworks'),
  annotations: (lessonId: string) => api<{ annotations: Annotation[] }>('GET', `/api/research/lessons/${enc(lessonId)}/annotations`),
  analysis: (lessonId: string, interval: number, method: StMethod = 'window') =>
    api<{ lesson: Lesson; analysis: LessonAnalysis }>('GET', `/api/research/lessons/${enc(lessonId)}/analysis?interval=${interval}&method=${method}`),
  correct: (lessonId: string, b: { intervalS: number; sampleIndex: number; code: 'T' | 'S' | null; method: StMethod }) =>
    api<{ analysis: LessonAnalysis }>('POST', `/api/research/lessons/${enc(lessonId)}/st-corrections`, b),
  scores: (lessonId: string) => api<RubricScoresView>('GET', `/api/research/lessons/${enc(lessonId)}/scores`),
  saveScores: (lessonId: string, b: { scores: Record<string, number>; comment: string }) =>
    api<RubricScoresView>('POST', `/api/research/lessons/${enc(lessonId)}/scores`, b),
  lessons: () => api<{ lessons: Lesson[] }>('GET', '/api/lessons'),
  mentions: () => api<{ annotations: Annotation[] }>('GET', '/api/research/mentions'),
  markRead: (ids: string[]) => api<{ ok: true }>('POST', '/api/research/mentions/read', { ids }),
};

/** The report files take the S-T sampling the analysis page shows (interval and method). */
export const exportUrl = (lessonId: string, what: 'annotations.csv' | 'annotations.eaf' | 'report.pdf' | 'report.docx', st?: { interval: number; method: StMethod }) =>
  `/api/research/lessons/${enc(lessonId)}/${what}${st && what.startsWith('report.') ? `?interval=${st.interval}&method=${st.method}` : ''}`;

/** "mm:ss" (or "h:mm:ss") of a lesson-clock time. */
export function clockText(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}
