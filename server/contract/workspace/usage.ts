// Usage statistics the bureau reports (issue 12): 人 (distinct people) and 人次 (visits) by role,
// module, terminal and school, per month. Shapes shared by the server and the client.
import { z } from 'zod';
import { ROLES, type Role } from '../domain.js';

/** The modules the bureau's tables name (and the workspace itself). */
export const USAGE_MODULES = [
  'sync_lesson', // 同步课堂
  'collective_prep', // 集体备课
  'research', // 教研
  'recording', // 录像
  'remote_course', // 专递课堂 (no lesson kind yet: stays zero until lessons carry one)
  'workspace', // 教共体工作台
] as const;
export type UsageModule = (typeof USAGE_MODULES)[number];

/** 终端: the classroom's projector device, a teacher's PC, a phone or tablet. */
export const USAGE_TERMINALS = ['projector', 'pc', 'mobile'] as const;
export type UsageTerminal = (typeof USAGE_TERMINALS)[number];

/** A classroom device is the projector whatever its browser; otherwise a phone's User-Agent says mobile. */
export function terminalOf(role: Role, userAgent: string | undefined): UsageTerminal {
  if (role === 'classroom') return 'projector';
  return /Mobi|Android|iPhone|iPad|HarmonyOS|MicroMessenger/i.test(userAgent ?? '') ? 'mobile' : 'pc';
}

export const usageQuery = z
  .object({
    communityId: z.string().min(1).max(64).optional(),
    bureauId: z.string().min(1).max(64).optional(),
    year: z.coerce.number().int().min(2000).max(2100),
    role: z.enum(ROLES).optional(),
    terminal: z.enum(USAGE_TERMINALS).optional(),
    schoolId: z.string().min(1).max(64).optional(),
  })
  .strict()
  .refine((q) => (q.communityId ? 1 : 0) + (q.bureauId ? 1 : 0) === 1, { message: 'give exactly one of communityId and bureauId' });
export type UsageQuery = z.infer<typeof usageQuery>;

/** 人 and 人次 of one group. People do not add up across groups (one teacher on PC and phone is one 人). */
export interface UsageFigure {
  people: number;
  visits: number;
}

/** GET /api/workspace/usage: the year's figures, each breakdown per month ('YYYY-MM'), filters applied to all. */
export interface UsageReport {
  year: number;
  byMonthModule: ({ month: string; module: UsageModule } & UsageFigure)[];
  byMonthRole: ({ month: string; role: Role } & UsageFigure)[];
  byMonthTerminal: ({ month: string; terminal: UsageTerminal } & UsageFigure)[];
  byMonthSchool: ({ month: string; schoolId: string | null; schoolName: string } & UsageFigure)[];
  byMonth: ({ month: string } & UsageFigure)[];
  byModule: ({ module: UsageModule } & UsageFigure)[];
  total: UsageFigure;
}
