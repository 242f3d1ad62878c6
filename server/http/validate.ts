// zod at the edge: a bad body, query or param is a 400 with the first problem named.
import type { z } from 'zod';
import { AppError } from '../contract/errors.js';
import { zodMessage } from './apiError.js';

export function parse<S extends z.ZodTypeAny>(schema: S, data: unknown): z.output<S> {
  const r = schema.safeParse(data);
  if (!r.success) throw new AppError('BAD_REQUEST', zodMessage(r.error));
  return r.data;
}
