// REST calls of the 师徒结对 pages (server/workspace/mentorRoutes.ts, watchRoutes.ts).
import type { GrowthRecord, MentorCandidate, MentorPair, MentorPairBody, MentorPairDetail, MentorPairPatch, WatchBeatResponse } from '../../../../server/contract/workspace/mentors.js';
import { api } from '../../api.js';

const enc = encodeURIComponent;

export const mentorsApi = {
  pairs: () => api<{ pairs: MentorPair[]; manageCommunityId: string | null }>('GET', '/api/workspace/mentor-pairs'),
  candidates: (communityId: string) => api<{ candidates: MentorCandidate[] }>('GET', `/api/workspace/communities/${enc(communityId)}/mentor-candidates`),
  create: (communityId: string, b: MentorPairBody) => api<{ pair: MentorPair }>('POST', `/api/workspace/communities/${enc(communityId)}/mentor-pairs`, b),
  pair: (id: string) => api<MentorPairDetail>('GET', `/api/workspace/mentor-pairs/${enc(id)}`),
  update: (id: string, b: MentorPairPatch) => api<{ pair: MentorPair }>('PATCH', `/api/workspace/mentor-pairs/${enc(id)}`, b),
  end: (id: string, endedOn: string) => api<{ pair: MentorPair }>('POST', `/api/workspace/mentor-pairs/${enc(id)}/end`, { endedOn }),
  growth: (id: string) => api<GrowthRecord>('GET', `/api/workspace/mentor-pairs/${enc(id)}/growth`),
  watchBeat: (lessonId: string, seconds: number) => api<WatchBeatResponse>('POST', `/api/recordings/${enc(lessonId)}/watch`, { seconds }),
};

export const mentorsPath = (pairId?: string) => (pairId ? `/workspace/mentors/${enc(pairId)}` : '/workspace/mentors');
