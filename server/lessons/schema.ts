// Query strings for the lessons routes (bodies live in contract/api.ts).
import { z } from 'zod';

export const listLessonsQuery = z
  .object({
    from: z.string().datetime({ offset: true }).optional(),
    to: z.string().datetime({ offset: true }).optional(),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), { message: '`from` must not be after `to`' });

export const lessonIdParam = z.object({ id: z.string().min(1).max(64) });
