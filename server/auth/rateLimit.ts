// Rate limits shared by every web process through Redis (rate-limiter-flexible): a district runs
// several web processes behind one balancer, and a limit each process kept for itself would
// multiply by their number. Redis always exists in this product (embedded unless REDIS_URL);
// without a Redis client (unit tests, a lone API router) the same limits live in memory.
// While Redis is unreachable each process falls back to its own in-memory count (the insurance
// limiter), so a Redis outage weakens the limits but never lifts them or blocks sign-in.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { LIMITS } from '../contract/limits.js';
import { logger } from '../contract/log.js';

const log = logger('auth.rate-limit');

export interface LimitSpec {
  /** Attempts per window and key. */
  max: number;
  windowMs: number;
}

export class RateLimiter {
  private readonly limiter: RateLimiterAbstract;

  constructor(
    readonly name: string,
    spec: LimitSpec,
    redis?: Redis,
  ) {
    if (!(spec.max >= 1) || !(spec.windowMs >= 1000)) throw new Error('RateLimiter needs max >= 1 and windowMs >= 1000');
    // Redis expiries are whole seconds.
    const base = { points: spec.max, duration: Math.ceil(spec.windowMs / 1000), keyPrefix: `tongbu:rl:${name}` };
    const memory = new RateLimiterMemory(base);
    this.limiter = redis ? new RateLimiterRedis({ ...base, storeClient: redis, insuranceLimiter: memory, rejectIfRedisNotReady: true }) : memory;
  }

  /** Counts one attempt; false when the key already used its allowance in the window. */
  async take(key: string): Promise<boolean> {
    try {
      await this.limiter.consume(key);
      return true;
    } catch (err) {
      if (err instanceof RateLimiterRes) return false;
      // Only reached if even the insurance limiter failed: refuse rather than let a flood through.
      log.error('rate limiter failed', { limiter: this.name, err });
      return false;
    }
  }

  /** Gives one attempt back (a sign-in that succeeded does not count against the IP or account). */
  async giveBack(key: string): Promise<void> {
    await this.limiter.reward(key, 1).catch((err: unknown) => log.warn('rate limiter reward failed', { limiter: this.name, err }));
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key).catch((err: unknown) => log.warn('rate limiter reset failed', { limiter: this.name, err }));
  }
}

/** Chat limits, by name: the web role's shared ones and the socket servers' own defaults alike. */
export const CHAT_LIMITS = {
  lesson: { name: 'lesson-chat', spec: { max: LIMITS.chatPerWindow, windowMs: LIMITS.chatWindowMs } },
  plan: { name: 'plan-chat', spec: { max: 5, windowMs: 10_000 } },
} as const;

export function chatLimiter(which: keyof typeof CHAT_LIMITS, redis?: Redis): RateLimiter {
  const { name, spec } = CHAT_LIMITS[which];
  return new RateLimiter(name, spec, redis);
}

/** Every limit of one web process, on its Redis when it has one. */
export function createWebLimits(redis?: Redis) {
  const tenMinutes = 10 * 60_000;
  return {
    /** Guessing one account's password from one address (reset by a successful sign-in). */
    loginUserIp: new RateLimiter('login-user-ip', { max: 10, windowMs: tenMinutes }, redis),
    /** Password spraying: one address trying a few passwords on many accounts. Successes are given back (a school's NAT). */
    loginIp: new RateLimiter('login-ip', { max: 50, windowMs: tenMinutes }, redis),
    /** One account guessed from many addresses; higher, so strangers cannot easily lock a teacher out. */
    loginUser: new RateLimiter('login-user', { max: 30, windowMs: tenMinutes }, redis),
    device: new RateLimiter('device-ip', { max: 20, windowMs: tenMinutes }, redis),
    chat: chatLimiter('lesson', redis),
    planChat: chatLimiter('plan', redis),
  };
}
export type WebLimits = ReturnType<typeof createWebLimits>;
