// The product's log (server/contract/log.ts): secrets are redacted by path, an error keeps its
// stack and its code (EADDRINUSE is what an operator needs, not a secret).
import { afterEach, describe, expect, it } from 'vitest';
import { logger, setLogLevel, tapLog } from '../../server/contract/log.js';

let untap: (() => void) | null = null;
afterEach(() => {
  untap?.();
  setLogLevel('info');
});

function capture(): object[] {
  const lines: object[] = [];
  untap = tapLog((line) => lines.push(JSON.parse(line) as object));
  return lines;
}

describe('log redaction', () => {
  it('redacts cookies, authorization, passwords, device codes and session tokens, keeps error codes and stacks', () => {
    setLogLevel('error');
    const lines = capture();
    const err = Object.assign(new Error('listen EADDRINUSE: address already in use'), { code: 'EADDRINUSE' });
    logger('test').child('redact').error('request failed', {
      req: { method: 'POST', headers: { cookie: 'tongbu_session=s3cret-session', authorization: 'Bearer s3cret-bearer' }, body: { code: 'ABCD2345' } },
      handshake: { headers: { cookie: 'tongbu_session=s3cret-socket' } },
      body: { username: 'admin', password: 's3cret-password', code: 'WXYZ6789' },
      user: { password: 's3cret-nested' },
      deviceCode: 'QRST2345',
      token: 's3cret-token',
      err,
    });
    expect(lines).toHaveLength(1);
    const text = JSON.stringify(lines[0]);
    for (const secret of ['s3cret', 'ABCD2345', 'WXYZ6789', 'QRST2345']) expect(text).not.toContain(secret);
    expect(lines[0]).toMatchObject({
      level: 'error',
      scope: 'test.redact',
      msg: 'request failed',
      req: { method: 'POST', headers: { cookie: '[redacted]', authorization: '[redacted]' }, body: { code: '[redacted]' } },
      body: { username: 'admin', password: '[redacted]', code: '[redacted]' },
      deviceCode: '[redacted]',
      token: '[redacted]',
      err: { type: 'Error', code: 'EADDRINUSE', message: 'listen EADDRINUSE: address already in use' },
    });
    const logged = (lines[0] as { err: { stack: string } }).err.stack;
    expect(logged).toContain('listen EADDRINUSE');
    expect(logged).toContain('\n    at ');
    expect(logged).toContain('log.test.ts');
  });

  it('keeps an exit code and a cause (errWithCause)', () => {
    const lines = capture();
    const cause = new TypeError('bad thing');
    logger('test').warn('wrapped', { code: 1, err: new Error('outer', { cause }) });
    expect(lines[0]).toMatchObject({ code: 1, err: { message: expect.stringContaining('outer') } });
    expect(JSON.stringify(lines[0])).toContain('bad thing');
  });

  it('writes nothing below the threshold', () => {
    setLogLevel('warn');
    const lines = capture();
    logger('test').info('quiet', { password: 'x' });
    expect(lines).toEqual([]);
  });
});
