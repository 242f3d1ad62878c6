// Structured logging on pino: one JSON line per event on stderr, `{t, level, scope, msg, …}`.
// Errors passed as `err` keep their stack (pino's error serializer), so a failure can be
// investigated from the log alone. Secrets never reach a line: cookies, authorization headers,
// passwords, device codes and session tokens are redacted by path (REDACTED_PATHS). Writes are
// synchronous: a line logged just before a crash or an exit is never lost in a buffer.
import pino from 'pino';
import { z } from 'zod';

/** The log thresholds; the configuration (server/config.ts) takes TONGBU_LOG_LEVEL through this schema too. */
export const logLevelSchema = z.enum(['debug', 'info', 'warn', 'error']).default('info');
type Level = z.infer<typeof logLevelSchema>;

/** The threshold alone: the logger needs it at import, before the rest of the configuration is read. */
export function logLevelFrom(source: NodeJS.ProcessEnv = process.env): Level {
  return logLevelSchema.parse(source.TONGBU_LOG_LEVEL);
}

/**
 * Where secrets sit in what we log (fields are top-level: `log.info(msg, { req })`). Named paths,
 * not a wildcard on `code`: an error's `code` (EADDRINUSE, a SQLSTATE) and an exit code are what
 * an investigation needs; only a request body's `code` is a device code.
 */
export const REDACTED_PATHS = [
  'cookie',
  'headers.cookie',
  'headers.authorization',
  'headers["set-cookie"]',
  'req.headers.cookie',
  'req.headers.authorization',
  'res.headers["set-cookie"]',
  'handshake.headers.cookie',
  'handshake.headers.authorization',
  'authorization',
  'password',
  'passwordHash',
  '*.password',
  '*.passwordHash',
  'deviceCode',
  '*.deviceCode',
  'body.code',
  'req.body.code',
  'token',
  '*.token',
  'sessionToken',
  '*.sessionToken',
];

/** Test and harness taps on every written line (after redaction); see tapLog(). */
const taps = new Set<(line: string) => void>();

const root = pino(
  {
    level: logLevelFrom(),
    base: null,
    messageKey: 'msg',
    timestamp: () => `,"t":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.errWithCause },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    hooks: {
      streamWrite: (line) => {
        for (const fn of taps) fn(line);
        return line;
      },
    },
  },
  pino.destination({ fd: 2, sync: true }),
);

/** The process-wide threshold (children follow it: they are re-derived on every call). */
export function setLogLevel(level: Level): void {
  root.level = level;
}

/** Calls `fn` with each line as written (JSON, redacted); returns the untap. For tests. */
export function tapLog(fn: (line: string) => void): () => void {
  taps.add(fn);
  return () => taps.delete(fn);
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
