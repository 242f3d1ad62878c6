import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../server/auth/passwords.js';

describe('passwords', () => {
  it('hashes as scrypt$N$r$p$salt$hash and verifies the right password only', async () => {
    const hash = await hashPassword('正确的密码 correct horse');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/);
    expect(await verifyPassword('正确的密码 correct horse', hash)).toBe(true);
    expect(await verifyPassword('正确的密码 correct hors', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = [await hashPassword('same'), await hashPassword('same')];
    expect(a).not.toBe(b);
    expect(await verifyPassword('same', a)).toBe(true);
    expect(await verifyPassword('same', b)).toBe(true);
  });

  it('rejects malformed or abusive stored hashes instead of throwing', async () => {
    const good = await hashPassword('pw');
    const parts = good.split('$');
    for (const bad of [
      '',
      'plain',
      'bcrypt$1$2$3$4$5',
      good.replace('$16384$', '$1000$'), // not a power of two
      ['scrypt', 1 << 24, 8, 1, parts[4], parts[5]].join('$'), // memory bomb
      ['scrypt', 16384, 8, 1, '', parts[5]].join('$'),
      ['scrypt', 16384, 8, 1, parts[4], 'AAAA'].join('$'),
    ]) {
      expect(await verifyPassword('pw', bad)).toBe(false);
    }
  });
});
