// Structured logging on pino: one JSON line per event on stderr, `{t, level, scope, msg, …}`.
// Errors passed as `err` keep their stack (pino's error serializer), so a failure can be
// investigated from the log alone. Writes are synchronous: a line logged just before a crash
// or an exit is never lost in a buffer.
import pino from 'pino';
import { z } from 'zod';

/** The log thresholds; the configuration (server/config.ts) takes TONGBU_LOG_LEVEL through this schema too. */
export const logLevelSchema = z.enum(['debug', 'info', 'warn', 'error']).default('info');
type Level = z.infer<typeof logLevelSchema>;

/** The threshold alone: the logger needs it at import, before the rest of the configuration is read. */
export function logLevelFrom(source: NodeJS.ProcessEnv = process.env): Level {
  return logLevelSchema.parse(source.TONGBU_LOG_LEVEL);
}

const root = pino(
  {
    level: logLevelFrom(),
    base: null,
    messageKey: 'msg',
    timestamp: () => `,"t":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.errWithCause },
  },
  pino.destination({ fd: 2, sync: true }),
);

/** The process-wide threshold (children follow it: they are re-derived on every call). */
export function setLogLevel(level: Level): void {
  root.level = level;
}

export interface Logger {
  debug(msg: string, fields?: object): void;
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
  child(scope: string): Logger;
}

export function logger(scope: string): Logger {
  // pino children copy the parent's level when made; ours are made once per module at import,
  // before main.ts or a test sets the level, so each write goes through the root's current level.
  const write = (level: Level) => (msg: string, fields?: object) => {
    if (!root.isLevelEnabled(level)) return;
    root[level]({ scope, ...fields }, msg);
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (s) => logger(`${scope}.${s}`),
  };
}
