// The shared concurrency helpers (server/contract): per-key serial queues, single-flight calls
// and the backoff every retry loop uses (its base cases are in client-reconnect.test.ts).
import { describe, expect, it } from 'vitest';
import { KeyedSerial } from '../../server/contract/keyedSerial.js';
import { SingleFlight } from '../../server/contract/singleFlight.js';
import { backoffDelay } from '../../server/contract/backoff.js';

const deferred = <T = void>() => {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};
const ticks = async (n = 5) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

describe('KeyedSerial', () => {
  it('runs one key in order and other keys alongside', async () => {
    const q = new KeyedSerial<string>();
    const log: string[] = [];
    const gate = deferred();
    const a1 = q.run('a', async () => {
      log.push('a1 start');
      await gate.promise;
      log.push('a1 end');
      return 1;
    });
    const a2 = q.run('a', () => (log.push('a2'), 2));
    const b1 = q.run('b', () => (log.push('b1'), 3));
    await ticks();
    expect(log).toEqual(['a1 start', 'b1']);
    gate.resolve();
    expect(await Promise.all([a1, a2, b1])).toEqual([1, 2, 3]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
  });

  it('gives a failure to its caller and goes on with the next task', async () => {
    const q = new KeyedSerial<string>();
    const failed = q.run('a', () => Promise.reject(new Error('boom')));
    const next = q.run('a', () => 'after');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('after');
  });

  it('forgets a key once its last task settled; idle() waits for what is queued', async () => {
    const q = new KeyedSerial<number>();
    const gate = deferred();
    let done = false;
    void q.run(1, () => gate.promise.then(() => (done = true)));
    expect(q.size).toBe(1);
    const idle = q.idle();
    gate.resolve();
    await idle;
    expect(done).toBe(true);
    await ticks();
    expect(q.size).toBe(0);
  });
});

describe('SingleFlight', () => {
  it('shares the call in flight and starts a new one after it settled', async () => {
    const f = new SingleFlight<string, number>();
    let calls = 0;
    const gate = deferred<number>();
    const start = () => (calls++, gate.promise);
    const p1 = f.run('x', start);
    const p2 = f.run('x', start);
    expect(p2).toBe(p1);
    expect(f.inFlight()).toHaveLength(1);
    gate.resolve(7);
    expect(await p1).toBe(7);
    await ticks();
    expect(f.get('x')).toBeUndefined();
    await f.run('x', async () => (calls++, 8));
    expect(calls).toBe(2);
  });

  it('starts the call synchronously and forgets a failed one', async () => {
    const f = new SingleFlight<string, number>();
    let started = false;
    const p = f.run('x', () => ((started = true), Promise.reject(new Error('no'))));
    expect(started).toBe(true);
    await expect(p).rejects.toThrow('no');
    await ticks();
    expect(f.get('x')).toBeUndefined();
  });
});

describe('backoffDelay with the server loops’ settings', () => {
  const none = { jitter: 0 } as const;
  it('a recorder that keeps dying: 250 ms, 500 ms, … at most 5 s', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n, { ...none, baseMs: 250, maxMs: 5_000 }))).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
  it('a crash-looping worker process: 1 s doubling up to 30 s', () => {
    expect([1, 2, 5, 6, 99].map((n) => backoffDelay(n, { ...none, baseMs: 1000, maxMs: 30_000 }))).toEqual([1000, 2000, 16_000, 30_000, 30_000]);
  });
});
