import { describe, expect, it } from 'vitest';
import { iceAction, ICE_POLICY } from '../../client/src/live/reconnect.js';
import { backoffDelay } from '../../server/contract/backoff.js';

const noJitter = { baseMs: 1000, maxMs: 15_000, jitter: 0 };

describe('backoffDelay', () => {
  it('doubles from the base and caps at the max, forever', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, noJitter))).toEqual([1000, 2000, 4000, 8000, 15_000, 15_000]);
    expect(backoffDelay(10_000, noJitter)).toBe(15_000);
  });
  it('treats attempt < 1 as the first', () => {
    expect(backoffDelay(0, noJitter)).toBe(1000);
  });
  it('applies ± jitter', () => {
    const opts = { baseMs: 1000, maxMs: 15_000, jitter: 0.2 };
    expect(backoffDelay(1, opts, () => 0)).toBe(800);
    expect(backoffDelay(1, opts, () => 1)).toBe(1200);
    expect(backoffDelay(1, opts, () => 0.5)).toBe(1000);
  });
});

describe('iceAction', () => {
  it('does nothing while connected or connecting', () => {
    expect(iceAction('connected', 0, Infinity)).toBe('none');
    expect(iceAction('connecting', 10_000, Infinity)).toBe('none');
  });
  it('restarts ICE at once when failed', () => {
    expect(iceAction('failed', 0, Infinity)).toBe('restart');
  });
  it('restarts ICE after 3 s disconnected', () => {
    expect(iceAction('disconnected', 2999, Infinity)).toBe('none');
    expect(iceAction('disconnected', ICE_POLICY.disconnectedGraceMs, Infinity)).toBe('restart');
  });
  it('does not restart more often than every 5 s', () => {
    expect(iceAction('failed', 6000, 1000)).toBe('none');
    expect(iceAction('failed', 9000, 5000)).toBe('restart');
  });
  it('escalates when the transport stays down', () => {
    expect(iceAction('failed', ICE_POLICY.escalateAfterMs, 0)).toBe('escalate');
  });
});
