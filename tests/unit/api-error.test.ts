// The one rule for what a thrown error tells the client (server/http/apiError.ts), over HTTP
// (server/http/errors.ts) and sockets alike, and where mediasoup's refusals count as the client's
// (media/clientInput.ts).
import type { Request, Response } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkRtpCapabilities, clientInput } from '../../media/clientInput.js';
import { AppError } from '../../server/contract/errors.js';
import { logger, tapLog } from '../../server/contract/log.js';
import { internalErrors, toApiError } from '../../server/http/apiError.js';
import { errorHandler } from '../../server/http/errors.js';

const log = logger('test.apiError');
let untap: (() => void) | null = null;
afterEach(() => untap?.());

function capture(): { level: string; scope: string; err?: { type: string; message: string; stack: string }; [k: string]: unknown }[] {
  const lines: ReturnType<typeof capture> = [];
  untap = tapLog((l) => lines.push(JSON.parse(l) as ReturnType<typeof capture>[number]));
  return lines;
}
const count = async (edge: 'http' | 'socket') => (await internalErrors.get()).values.find((v) => v.labels.edge === edge)?.value ?? 0;

describe('toApiError', () => {
  it("passes an AppError's code and message, and a contract failure as BAD_REQUEST, without logging", async () => {
    const lines = capture();
    const before = await count('socket');
    expect(toApiError(new AppError('CONFLICT', 'join the lesson first'), { edge: 'socket', log })).toEqual({ code: 'CONFLICT', message: 'join the lesson first' });
    const zod = z.object({ n: z.number() }).safeParse({ n: 'x' }).error!;
    expect(toApiError(zod, { edge: 'socket', log })).toEqual({ code: 'BAD_REQUEST', message: expect.stringMatching(/^n: /) });
    expect(toApiError(Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' }), { edge: 'socket', log })).toMatchObject({ code: 'BAD_REQUEST' });
    expect(lines).toEqual([]);
    expect(await count('socket')).toBe(before);
  });

  it('turns anything else — a TypeError too — into INTERNAL with a generic message, logged with its stack and counted', async () => {
    const lines = capture();
    const before = await count('socket');
    for (const err of [new TypeError("Cannot read properties of undefined (reading 'id')"), new RangeError('Invalid array length'), 'a string']) {
      expect(toApiError(err, { edge: 'socket', log, fields: { event: 'x:y' } })).toEqual({ code: 'INTERNAL', message: 'internal error' });
    }
    expect(await count('socket')).toBe(before + 3);
    expect(lines[0]).toMatchObject({ level: 'error', scope: 'test.apiError', event: 'x:y', err: { type: 'TypeError' } });
    expect(lines[0].err!.stack).toContain('api-error.test.ts');
  });
});

describe('the HTTP error handler', () => {
  function run(err: unknown): { status: number; body: unknown } {
    const out = { status: 0, body: undefined as unknown };
    const res = {
      headersSent: false,
      status(s: number) {
        out.status = s;
        return this;
      },
      json(b: unknown) {
        out.body = b;
        return this;
      },
    } as unknown as Response;
    errorHandler(err, { method: 'POST', path: '/api/things' } as Request, res, () => undefined);
    return out;
  }

  it('answers a TypeError 500 INTERNAL without its text, logs it with its stack and the route, counts it', async () => {
    const lines = capture();
    const before = await count('http');
    expect(run(new TypeError('secret internals in this message'))).toEqual({ status: 500, body: { error: { code: 'INTERNAL', message: 'internal error' } } });
    expect(await count('http')).toBe(before + 1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'error', scope: 'http', method: 'POST', path: '/api/things', err: { type: 'TypeError', message: 'secret internals in this message' } });
    expect(lines[0].err!.stack).toContain('api-error.test.ts');
  });

  it('keeps AppError statuses and body-parser refusals as they were', () => {
    expect(run(new AppError('FORBIDDEN', 'no'))).toEqual({ status: 403, body: { error: { code: 'FORBIDDEN', message: 'no' } } });
    expect(run(Object.assign(new Error('too big'), { type: 'entity.too.large', status: 413 }))).toMatchObject({ status: 413, body: { error: { code: 'TOO_LARGE' } } });
    expect(run(Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 }))).toMatchObject({ status: 400, body: { error: { code: 'BAD_REQUEST' } } });
  });
});

describe('clientInput', () => {
  it("makes mediasoup's TypeError and UnsupportedError the client's BAD_REQUEST, keeping the cause", async () => {
    const typeErr = new TypeError('invalid codec.mimeType');
    const err = await clientInput('rtpParameters', () => Promise.reject(typeErr)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'BAD_REQUEST', message: 'rtpParameters: invalid codec.mimeType', cause: typeErr });
    const unsupported = Object.assign(new Error('unsupported codec'), { name: 'UnsupportedError' });
    await expect(clientInput('rtpParameters', () => Promise.reject(unsupported))).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('lets every other failure through as it is (a worker gone is not the client\'s fault)', async () => {
    const gone = Object.assign(new Error('Channel closed'), { name: 'InvalidStateError' });
    await expect(clientInput('dtlsParameters', () => Promise.reject(gone))).rejects.toBe(gone);
    expect(await clientInput('dtlsParameters', () => Promise.resolve(7))).toBe(7);
  });

  it('checks RTP capabilities with mediasoup\'s own validator, on a copy', () => {
    const good = { codecs: [{ kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 }] };
    checkRtpCapabilities(good);
    expect(good.codecs[0]).not.toHaveProperty('parameters');
    expect(() => checkRtpCapabilities({ codecs: [{ kind: 'audio', mimeType: 'opus', clockRate: 48000 }] })).toThrow(/^rtpCapabilities: invalid codec.mimeType/);
  });
});
