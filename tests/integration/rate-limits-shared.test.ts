// Rate limits shared by every web process: two real web servers (startWebServer) on one database
// and one real Redis, as a district runs them behind a balancer. Attempts spread over both
// count once; spraying many usernames from one address is limited; guessing one account from
// many addresses is limited; a school's many teachers signing in from one NAT address are not.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPlanCluster, type PlanCluster } from '../helpers/planServers.js';

const PASSWORD = 'demo-pass-123';
let cluster: PlanCluster;

beforeAll(async () => {
  cluster = await startPlanCluster({ count: 2 });
}, 90_000);
afterAll(async () => {
  await cluster?.close();
}, 30_000);

/** The test talks to the servers over loopback, which `trust proxy` trusts: X-Forwarded-For is the client. */
async function login(server: number, username: string, password: string, ip: string): Promise<number> {
  const res = await fetch(`${cluster.url(server)}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip },
    body: JSON.stringify({ username, password }),
  });
  await res.arrayBuffer();
  return res.status;
}

describe('sign-in limits shared through Redis', () => {
  it('attempts on one account from one address count across both processes', async () => {
    const ip = '203.0.113.10';
    // 5 wrong passwords on each process: 10 in all, the per-account-and-address limit.
    for (let i = 0; i < 10; i++) expect(await login(i % 2, 'shiqiao-admin', `guess-${i}`, ip)).toBe(401);
    // Each process alone has seen only 5; the limit is the pair's, so the right password is refused on both.
    expect(await login(0, 'shiqiao-admin', PASSWORD, ip)).toBe(429);
    expect(await login(1, 'shiqiao-admin', PASSWORD, ip)).toBe(429);
    // Someone else from elsewhere is not locked out.
    expect(await login(1, 'qingshan-admin', PASSWORD, '203.0.113.11')).toBe(200);
  });

  it('spraying many usernames from one address is limited', async () => {
    const ip = '203.0.113.20';
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push(await login(i % 2, `sprayed-${i}`, 'Password123', ip));
    expect(statuses.slice(0, 50).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(50).every((s) => s === 429)).toBe(true);
    // The address is refused even for a real account with its right password, until the window ends.
    expect(await login(0, 'teacher-li', PASSWORD, ip)).toBe(429);
  }, 60_000);

  it('one account guessed from many addresses is limited', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) statuses.push(await login(i % 2, 'city-admin', `guess-${i}`, `198.51.100.${i + 1}`));
    expect(statuses.slice(0, 30).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(30).every((s) => s === 429)).toBe(true);
  }, 60_000);

  it('successful sign-ins from one address (a school behind one NAT) do not use up its allowance', async () => {
    const ip = '203.0.113.30';
    const users = (await cluster.db.query<{ username: string }>(`select username from users where password_hash is not null order by username`))
      .map((r) => r.username)
      // Not the accounts the tests above guessed at (their own limits are spent).
      .filter((u) => !['city-admin', 'shiqiao-admin'].includes(u));
    const statuses: number[] = [];
    for (let i = 0; i < 55; i++) statuses.push(await login(i % 2, users[i % users.length], PASSWORD, ip));
    expect(statuses.every((s) => s === 200), JSON.stringify(statuses)).toBe(true);
  }, 90_000);
});

describe('while Redis is away', () => {
  it('limits go on per process (in memory) instead of failing or lifting', async () => {
    const [{ startTestRedis }, { connectLimiterRedis }, { RateLimiter }] = await Promise.all([
      import('../helpers/redis.js'),
      import('../../server/auth/limiterRedis.js'),
      import('../../server/auth/rateLimit.js'),
    ]);
    const redis = await startTestRedis();
    const client = await connectLimiterRedis(redis.url);
    try {
      const limiter = new RateLimiter('outage', { max: 3, windowMs: 60_000 }, client);
      expect(await limiter.take('k')).toBe(true);
      expect(await client.get('tongbu:rl:outage:k')).toBe('1');
      await redis.stop();
      const t0 = Date.now();
      const during = [await limiter.take('k'), await limiter.take('k'), await limiter.take('k'), await limiter.take('k')];
      // The insurance limiter starts from zero: three allowed, then refused; and no waiting for Redis.
      expect(during).toEqual([true, true, true, false]);
      expect(Date.now() - t0).toBeLessThan(1000);
    } finally {
      client.disconnect();
      await redis.stop();
    }
  });
});
