// zod at the edge for the research API and its socket events.
import { z } from 'zod';

const id = z.string().min(1).max(64);
const text = (max: number) => z.string().max(max);

export const idParam = z.object({ id });
export const lessonIdParam = z.object({ lessonId: id });

export const createGroupBody = z.object({
  name: z.string().trim().min(1).max(100),
  subject: text(50).default(''),
  memberIds: z.array(id).max(200).default([]),
});

export const addMemberBody = z.object({ userId: id, role: z.enum(['lead', 'member']).default('member') });
export const memberParams = z.object({ id, userId: id });

export const createSessionBody = z.object({
  groupId: id,
  kind: z.enum(['planning', 'diagnosis', 'thematic']),
  title: z.string().trim().min(1).max(200),
  lessonId: id.nullable().default(null),
  pairingId: id.nullable().default(null),
  scheduledAt: z.string().datetime({ offset: true }),
  agenda: text(20_000).default(''),
});

export const updateSessionBody = z
  .object({
    title: z.string().trim().min(1).max(200),
    agenda: text(20_000),
    minutes: text(50_000),
    conclusions: text(20_000),
    scheduledAt: z.string().datetime({ offset: true }),
  })
  .partial();

export const targetsQuery = z.object({ year: z.coerce.number().int().min(2000).max(2100).optional() });
export const targetParams = z.object({ pairingId: id, year: z.coerce.number().int().min(2000).max(2100) });
export const targetBody = z.object({ minLessons: z.number().int().min(0).max(1000), minSessions: z.number().int().min(0).max(1000) });

export const rubricBody = z.object({
  criteria: z
    .array(z.object({ id: z.string().regex(/^[a-z0-9_-]{1,32}$/), name: z.string().trim().min(1).max(50) }))
    .min(1)
    .max(20)
    .refine((cs) => new Set(cs.map((c) => c.id)).size === cs.length, 'criterion ids must be unique'),
  levels: z
    .array(z.object({ score: z.number().int().min(0).max(100), label: z.string().trim().min(1).max(30) }))
    .min(2)
    .max(10)
    .refine((ls) => new Set(ls.map((l) => l.score)).size === ls.length, 'level scores must be unique'),
});

export const annotationFilter = z.object({
  code: text(32).optional(),
  authorId: id.optional(),
  groupId: id.optional(),
});

/** S-T coding: window dominance (default) or point sampling at the window midpoints (contract/analysis/st.ts). */
const stMethod = z.enum(['window', 'point']).default('window');

export const analysisQuery = z.object({ interval: z.enum(['15', '30', '60']).default('30').transform(Number), method: stMethod });

export const correctionBody = z.object({
  intervalS: z.union([z.literal(15), z.literal(30), z.literal(60)]),
  sampleIndex: z.number().int().min(0).max(100_000),
  /** null removes the correction (back to the automatic code). */
  code: z.enum(['T', 'S']).nullable(),
  /** The coding the answer's analysis uses (corrections are per sample index, shared by both). */
  method: stMethod,
});

export const scoresBody = z.object({
  scores: z.record(z.string().max(32), z.number().finite()).refine((s) => Object.keys(s).length <= 20, 'too many criteria'),
  comment: text(5000).default(''),
});

export const reportQuery = z.object({ interval: z.enum(['15', '30', '60']).default('30').transform(Number), method: stMethod });
