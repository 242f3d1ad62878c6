import { describe, expect, it } from 'vitest';
import { DEVICE_CODE_ALPHABET, normalizeDeviceCode } from '../../server/auth/deviceCodes.js';
import { deviceLoginBody } from '../../server/contract/api.js';

describe('device codes', () => {
  it('use an alphabet without look-alike characters', () => {
    for (const c of '01OIL') expect(DEVICE_CODE_ALPHABET).not.toContain(c);
    expect(new Set(DEVICE_CODE_ALPHABET).size).toBe(DEVICE_CODE_ALPHABET.length);
  });

  it('normalise case, dash and spaces the way people type them', () => {
    expect(normalizeDeviceCode('abcd-2345')).toBe('ABCD2345');
    expect(normalizeDeviceCode(' ABCD 2345 ')).toBe('ABCD2345');
    expect(normalizeDeviceCode('ABCD2345')).toBe('ABCD2345');
  });

  it('are accepted by the contract body schema with or without the dash', () => {
    expect(deviceLoginBody.parse({ code: 'abcd-2345' }).code).toBe('ABCD-2345');
    expect(deviceLoginBody.safeParse({ code: 'ABCD2345' }).success).toBe(true);
    expect(deviceLoginBody.safeParse({ code: 'ABC-2345' }).success).toBe(false);
  });
});
