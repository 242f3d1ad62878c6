// Process-level safety net: a promise rejection nobody handled, or an exception nobody caught,
// is logged with its stack and counted (tongbu_unhandled_rejections_total,
// tongbu_uncaught_exceptions_total) instead of taking every lesson on the process down.
// It is a net, not a way of working: each such line is a bug (work not awaited or caught),
// and the test harnesses fail on it (processFaultLines).
import client from 'prom-client';
import { logger } from './contract/log.js';

const log = logger('process');

/** Marks the log lines of this net, so a harness can find them in a child's output. */
export const PROCESS_FAULT = 'process-fault';

export const processFaultMetrics = {
  unhandledRejections: new client.Counter({
    name: 'tongbu_unhandled_rejections_total',
    help: 'Promise rejections nobody handled (each is a bug; the process kept serving)',
    registers: [],
  }),
  uncaughtExceptions: new client.Counter({
    name: 'tongbu_uncaught_exceptions_total',
    help: 'Exceptions nobody caught (the process shut down in order)',
    registers: [],
  }),
};

let installed = false;
/** Called for each fault (tests count them); the production handler only logs and counts. */
const listeners = new Set<(kind: 'unhandledRejection' | 'uncaughtException', err: unknown) => void>();

export function onProcessFault(fn: (kind: 'unhandledRejection' | 'uncaughtException', err: unknown) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * Installs the handlers once per process. A rejection is logged, counted and the process
 * keeps serving (the promise is settled; nothing is left half-done by Node). An uncaught
 * exception may have left state half-changed, which Node documents as unsafe to go on from:
 * it is logged and counted, then `onFatal` shuts down in order (the supervisor restarts us).
 */
export function installProcessFaultHandlers(onFatal?: (err: unknown) => void): void {
  if (installed) return;
  installed = true;
  process.on('unhandledRejection', (reason) => {
    processFaultMetrics.unhandledRejections.inc();
    log.error('unhandled promise rejection (a bug: work not awaited or caught); still serving', { fault: PROCESS_FAULT, err: reason });
    for (const fn of listeners) fn('unhandledRejection', reason);
  });
  if (onFatal) {
    process.on('uncaughtException', (err, origin) => {
      processFaultMetrics.uncaughtExceptions.inc();
      log.error('uncaught exception; shutting down in order', { fault: PROCESS_FAULT, origin, err });
      for (const fn of listeners) fn('uncaughtException', err);
      onFatal(err);
    });
  }
}

/** The lines of a product's log written by this net (test harnesses fail on any). */
export function processFaultLines(output: string): string[] {
  return output.split('\n').filter((l) => l.includes(`"fault":"${PROCESS_FAULT}"`));
}
