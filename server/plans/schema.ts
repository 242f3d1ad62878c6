// zod for the plans HTTP API (the socket payloads are in contract/planEvents.ts).
import { z } from 'zod';
import { PLAN_LIMITS } from '../contract/planEvents.js';

const id = z.string().min(1).max(64);

export const planIdParam = z.object({ id });
export const versionParam = z.object({ id, versionId: id });
export const commentParam = z.object({ id, commentId: id });

export const listPlansQuery = z.object({ lessonId: id.optional(), pairingId: id.optional() });

export const createPlanBody = z
  .object({
    title: z.string().trim().min(1).max(PLAN_LIMITS.titleMax),
    lessonId: id.optional(),
    pairingId: id.optional(),
  })
  .refine((b) => b.lessonId || b.pairingId, { message: 'a plan belongs to a lesson or to a pairing' });

export const importQuery = z
  .object({
    title: z.string().trim().min(1).max(PLAN_LIMITS.titleMax).optional(),
    lessonId: id.optional(),
    pairingId: id.optional(),
  })
  .refine((b) => b.lessonId || b.pairingId, { message: 'a plan belongs to a lesson or to a pairing' });

export const createVersionBody = z.object({ name: z.string().trim().min(1).max(PLAN_LIMITS.versionNameMax) });

export const diffQuery = z.object({ from: id, to: id.default('current') });

const b64 = z.string().max(2048).regex(/^[A-Za-z0-9+/]*={0,2}$/, 'expected base64');
export const createCommentBody = z.object({
  text: z.string().trim().min(1).max(PLAN_LIMITS.commentTextMax),
  parentId: id.optional(),
  anchor: z.object({ start: b64, end: b64, quote: z.string().max(500) }).optional(),
});

export const resolveCommentBody = z.object({ resolved: z.boolean() });
