import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../server/auth/rateLimit.js';

// The in-memory form (no Redis client); the shared form is tested with two web servers on one
// Redis in tests/integration/rate-limits-shared.test.ts.
describe('RateLimiter', () => {
  it('allows max attempts per window per key, then refuses', async () => {
    const rl = new RateLimiter('t1', { max: 3, windowMs: 60_000 });
    const a = [await rl.take('a'), await rl.take('a'), await rl.take('a'), await rl.take('a')];
    expect(a).toEqual([true, true, true, false]);
    expect(await rl.take('b')).toBe(true);
  });

  it('giveBack returns one attempt; reset clears the key', async () => {
    const rl = new RateLimiter('t2', { max: 1, windowMs: 60_000 });
    expect(await rl.take('k')).toBe(true);
    expect(await rl.take('k')).toBe(false);
    await rl.reset('k');
    expect(await rl.take('k')).toBe(true);
    await rl.giveBack('k');
    expect(await rl.take('k')).toBe(true);
    expect(await rl.take('k')).toBe(false);
  });

  it('rejects nonsense limits', () => {
    expect(() => new RateLimiter('t3', { max: 0, windowMs: 1000 })).toThrow();
    expect(() => new RateLimiter('t3', { max: 1, windowMs: 0 })).toThrow();
  });
});
