// The web process's Redis connection for rate limits. No offline queue and one try per command:
// while Redis is away a limit check must not wait for it (rate-limiter-flexible then uses its
// in-memory insurance limiter), and it must not fail a sign-in either.
import { Redis } from 'ioredis';
import { logger } from '../contract/log.js';

const log = logger('auth.rate-limit');

export async function connectLimiterRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1 });
  let lastWarn = 0;
  redis.on('error', (err) => {
    // Reconnect attempts repeat the same error; one line a minute says it.
    if (Date.now() - lastWarn < 60_000) return;
    lastWarn = Date.now();
    log.warn('redis (rate limits) unreachable; limits are per process until it is back', { err });
  });
  await redis.connect();
  return redis;
}
