// Ordered shutdown with a deadline. A step that waits on something already gone (a Redis that
// died first, a database that no longer answers, a child that ignores SIGTERM) must not keep the
// process alive: each step gets a bounded share of the deadline, later steps keep a reserve so
// the database and the embedded Redis are still closed after an earlier step hung, and a last
// backstop timer force-exits even if a step blocks past its share.
import { logger } from '../contract/log.js';

const log = logger('shutdown');

export interface StopStep {
  name: string;
  stop: () => Promise<void> | void;
  /** Synchronous last resort when the step ran out of time (e.g. SIGKILL its child processes). */
  kill?: () => void;
  /**
   * Synchronous, called for every step the moment shutdown begins: stop replacing what dies.
   * A service manager signals the whole process group, so media workers and worker children
   * die while earlier steps still run; respawning them then would outlive the shutdown.
   */
  halt?: () => void;
}

/** Time each later step keeps for itself when an earlier step hangs. */
const RESERVE_PER_STEP_MS = 1000;

/**
 * Runs the steps in order within `deadlineMs`; resolves true when every step finished in time.
 * Never rejects, never waits past the deadline.
 */
export async function runStops(steps: readonly StopStep[], deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  let clean = true;
  for (const step of steps) {
    try {
      step.halt?.();
    } catch (err) {
      log.error('halt failed', { part: step.name, err });
    }
  }
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    const reserve = Math.min((steps.length - 1 - i) * RESERVE_PER_STEP_MS, (end - Date.now()) / 2);
    const budget = Math.max(0, end - Date.now() - reserve);
    const started = Date.now();
    const outcome = await within(Promise.resolve().then(step.stop), budget);
    if (outcome === 'done') {
      log.info('stopped', { part: step.name, ms: Date.now() - started });
      continue;
    }
    clean = false;
    if (outcome === 'timeout') log.error('stop step ran out of time; going on', { part: step.name, budgetMs: Math.round(budget) });
    else log.error('stop failed', { part: step.name, err: outcome.err });
    try {
      step.kill?.();
    } catch (err) {
      log.error('forced stop failed', { part: step.name, err });
    }
  }
  return clean;
}

function within(p: Promise<unknown>, ms: number): Promise<'done' | 'timeout' | { err: unknown }> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve('timeout'), ms);
    p.then(
      () => {
        clearTimeout(t);
        resolve('done');
      },
      (err: unknown) => {
        clearTimeout(t);
        resolve({ err });
      },
    );
  });
}
