// The 教共体's structure as the workspace API returns it, and the bodies that change it (issue 12):
// bureau → communities (type, scope, core school) → pairings in rounds, each with its leaders.
import { z } from 'zod';
import { COMMUNITY_KINDS, COMMUNITY_SCOPES, type CommunityKind, type CommunityScope } from '../domain.js';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

export interface Bureau {
  id: string;
  name: string;
  region: string;
}

export interface PairingRound {
  id: string;
  pairingId: string;
  round: number;
  startsOn: string;
  endsOn: string;
  /** One theme per year of the round (教师互访年, 学生互访年, 持续发展年). */
  yearThemes: string[];
}

export interface PairingLeader {
  pairingId: string;
  userId: string;
  displayName: string;
  schoolId: string | null;
  /** 责任分工 */
  duty: string;
}

export interface OrgPairing {
  id: string;
  communityId: string;
  citySchool: { id: string; name: string };
  ruralSchool: { id: string; name: string };
  rounds: PairingRound[];
  leaders: PairingLeader[];
}

export interface OrgCommunity {
  id: string;
  name: string;
  bureauId: string | null;
  kind: CommunityKind;
  scope: CommunityScope;
  coreSchoolId: string | null;
  schools: { id: string; name: string; kind: 'city' | 'rural' }[];
  pairings: OrgPairing[];
}

/** GET /api/workspace/org: what the signed-in user reaches (a reviewer: every community of their bureau). */
export interface OrgResponse {
  bureau: Bureau | null;
  communities: OrgCommunity[];
}

export const communityOrgBody = z
  .object({
    kind: z.enum(COMMUNITY_KINDS).optional(),
    scope: z.enum(COMMUNITY_SCOPES).optional(),
  })
  .strict();
export type CommunityOrgBody = z.infer<typeof communityOrgBody>;

export const pairingRoundBody = z
  .object({
    round: z.number().int().min(1).max(50),
    startsOn: day,
    endsOn: day,
    yearThemes: z.array(z.string().trim().min(1).max(100)).max(10).default([]),
  })
  .strict()
  .refine((b) => b.endsOn >= b.startsOn, { message: 'a round ends on or after its start', path: ['endsOn'] });
export type PairingRoundBody = z.infer<typeof pairingRoundBody>;

export const pairingLeaderBody = z
  .object({
    duty: z.string().trim().min(1).max(500),
  })
  .strict();
export type PairingLeaderBody = z.infer<typeof pairingLeaderBody>;
