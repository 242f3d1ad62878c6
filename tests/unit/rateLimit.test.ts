import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../server/auth/rateLimit.js';

describe('RateLimiter', () => {
  it('allows max attempts per window per key, then refuses', () => {
    let now = 0;
    const rl = new RateLimiter({ max: 3, windowMs: 1000, now: () => now });
    expect([rl.take('a'), rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([true, true, true, false]);
    expect(rl.take('b')).toBe(true);
    now = 999;
    expect(rl.take('a')).toBe(false);
  });

  it('slides: each attempt frees up one window after it was made', () => {
    let now = 0;
    const rl = new RateLimiter({ max: 2, windowMs: 1000, now: () => now });
    rl.take('k');
    now = 500;
    rl.take('k');
    now = 900;
    expect(rl.take('k')).toBe(false);
    now = 1001; // the first attempt left the window
    expect(rl.take('k')).toBe(true);
    expect(rl.take('k')).toBe(false);
    now = 1501; // the second one left too
    expect(rl.take('k')).toBe(true);
  });

  it('forgets idle keys so memory does not grow with guessed usernames', () => {
    let now = 0;
    const rl = new RateLimiter({ max: 1, windowMs: 1000, now: () => now });
    for (let i = 0; i < 100; i++) rl.take(`user-${i}`);
    expect(rl.size).toBe(100);
    now = 5000;
    rl.take('fresh');
    expect(rl.size).toBe(1);
  });

  it('reset clears a key', () => {
    const rl = new RateLimiter({ max: 1, windowMs: 60_000 });
    expect(rl.take('x')).toBe(true);
    expect(rl.take('x')).toBe(false);
    rl.reset('x');
    expect(rl.take('x')).toBe(true);
  });

  it('refuses nonsense options', () => {
    expect(() => new RateLimiter({ max: 0, windowMs: 1000 })).toThrow();
    expect(() => new RateLimiter({ max: 1, windowMs: 0 })).toThrow();
  });
});
