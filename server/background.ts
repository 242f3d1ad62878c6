// Work started without anyone awaiting it (timers, fire-and-forget): its failure is logged
// with the stack where it happened, never left as an unhandled rejection that takes the
// process down (or, with the process-level handler, is only counted).
import type { Logger } from './contract/log.js';

export function inBackground(log: Logger, what: string, task: () => Promise<unknown> | unknown, fields: Record<string, unknown> = {}): void {
  try {
    const r = task();
    if (r && typeof (r as Promise<unknown>).then === 'function') {
      (r as Promise<unknown>).then(undefined, (err: unknown) => log.error(`${what} failed`, { ...fields, err }));
    }
  } catch (err) {
    log.error(`${what} failed`, { ...fields, err });
  }
}
