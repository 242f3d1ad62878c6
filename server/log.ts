// Minimal structured logger: one JSON line per event on stderr.
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
let threshold: number = order[(process.env.TONGBU_LOG_LEVEL as Level) ?? 'info'] ?? 20;

export function setLogLevel(level: Level): void {
  threshold = order[level];
}

export interface Logger {
  debug(msg: string, fields?: object): void;
  info(msg: string, fields?: object): void;
  warn(msg: string, fields?: object): void;
  error(msg: string, fields?: object): void;
  child(scope: string): Logger;
}

export function logger(scope: string): Logger {
  const write = (level: Level) => (msg: string, fields?: object) => {
    if (order[level] < threshold) return;
    const f = fields && 'err' in fields ? { ...fields, err: errText((fields as { err: unknown }).err) } : fields;
    process.stderr.write(JSON.stringify({ t: new Date().toISOString(), level, scope, msg, ...f }) + '\n');
  };
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (s) => logger(`${scope}.${s}`),
  };
}

function errText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
