// Shared by the recording processors: payload validation at the edge of each processor and
// write-then-rename, so a killed or cancelled job never leaves a half file under the final name.
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { UnrecoverableError, type Job } from 'bullmq';
import type { z } from 'zod';

export function parseJob<S extends z.ZodTypeAny>(schema: S, job: Job): z.output<S> {
  const r = schema.safeParse(job.data);
  // A malformed payload will not get better on retry.
  if (!r.success) throw new UnrecoverableError(`bad ${job.queueName} job: ${r.error.issues[0]?.path.join('.')} ${r.error.issues[0]?.message}`);
  return r.data;
}

/** Runs `make(tmp)` then renames tmp onto `file`; removes tmp if make fails. */
export async function writeAtomically<T>(file: string, make: (tmp: string) => Promise<T>): Promise<T> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp${path.extname(file)}`;
  try {
    const r = await make(tmp);
    await rename(tmp, file);
    return r;
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

export const progress = (job: Job) => (f: number) => void job.updateProgress(Math.round(f * 100)).catch(() => undefined);
