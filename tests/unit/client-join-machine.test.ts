import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JoinMachine, TRANSITIONS, type JoinEvent, type JoinState } from '../../client/src/live/joinMachine.js';

const RETRY_MS = 1000;

function machine() {
  const onRetry = vi.fn();
  const m = new JoinMachine({ onRetry, retryDelay: (n) => n * RETRY_MS });
  return { m, onRetry };
}

/** Starts and joins the first time: the machine is live. */
function live() {
  const t = machine();
  t.m.send('start');
  const a = t.m.begin()!;
  expect(t.m.send('succeeded', a)).toBe(true);
  return t;
}

describe('JoinMachine', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('joins, drops, reconnects and is live again', () => {
    const { m } = machine();
    expect([m.state, m.phase]).toEqual(['idle', 'connecting']);
    expect(m.send('start')).toBe(true);
    expect(m.state).toBe('connecting');
    const first = m.begin()!;
    expect([m.state, m.phase]).toEqual(['joining', 'connecting']);
    expect(m.send('succeeded', first)).toBe(true);
    expect([m.state, m.phase]).toEqual(['live', 'live']);

    expect(m.send('dropped')).toBe(true); // socket lost
    expect([m.state, m.phase]).toEqual(['reconnecting', 'reconnecting']);
    const second = m.begin()!; // socket back
    expect([m.state, m.phase]).toEqual(['rejoining', 'reconnecting']);
    expect(second).not.toBe(first);
    expect(m.send('succeeded', second)).toBe(true);
    expect([m.state, m.phase]).toEqual(['live', 'live']);
  });

  it('ignores the answer of an attempt that a drop or a newer attempt superseded', () => {
    const { m } = live();
    m.send('dropped');
    const stale = m.begin()!;
    m.send('dropped'); // media:reset while it was under way
    expect(m.isCurrent(stale)).toBe(false);
    expect(m.send('succeeded', stale)).toBe(false);
    expect(m.send('failed', stale)).toBe(false);
    expect(m.send('fatal', stale)).toBe(false);
    expect(m.state).toBe('reconnecting');

    const older = m.begin()!;
    const newer = m.begin()!; // a new socket's attempt supersedes the one under way
    expect(m.send('succeeded', older)).toBe(false);
    expect(m.state).toBe('rejoining');
    expect(m.send('succeeded', newer)).toBe(true);
    expect(m.state).toBe('live');
  });

  it('backs off after a failed attempt, longer each time, and starts afresh once live', () => {
    const { m, onRetry } = machine();
    m.send('start');
    expect(m.send('failed', m.begin()!)).toBe(true);
    expect([m.state, m.phase]).toEqual(['reconnecting', 'reconnecting']);
    expect(m.retryPending).toBe(true);
    vi.advanceTimersByTime(RETRY_MS - 1);
    expect(onRetry).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(onRetry).toHaveBeenCalledTimes(1);

    m.send('failed', m.begin()!);
    vi.advanceTimersByTime(2 * RETRY_MS - 1);
    expect(onRetry).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(onRetry).toHaveBeenCalledTimes(2);

    m.send('succeeded', m.begin()!);
    m.send('dropped');
    m.send('failed', m.begin()!);
    vi.advanceTimersByTime(RETRY_MS);
    expect(onRetry).toHaveBeenCalledTimes(3);
  });

  it('leaving while reconnecting cancels the retry and refuses the attempt under way', () => {
    const { m, onRetry } = live();
    m.send('dropped');
    m.send('failed', m.begin()!);
    expect(m.retryPending).toBe(true);
    expect(m.send('leave')).toBe(true);
    expect([m.state, m.phase, m.over, m.retryPending]).toEqual(['left', null, true, false]);
    vi.advanceTimersByTime(60_000);
    expect(onRetry).not.toHaveBeenCalled();
    expect(m.begin()).toBeNull();

    const t = live();
    t.m.send('dropped');
    const under = t.m.begin()!;
    t.m.send('leave');
    expect(t.m.send('succeeded', under)).toBe(false);
    expect(t.m.send('leave')).toBe(false);
    expect(t.m.state).toBe('left');
  });

  it('a drop cancels a pending retry; the next attempt comes with the socket', () => {
    const { m, onRetry } = machine();
    m.send('start');
    m.send('failed', m.begin()!);
    expect(m.send('dropped')).toBe(true);
    expect(m.retryPending).toBe(false);
    vi.advanceTimersByTime(60_000);
    expect(onRetry).not.toHaveBeenCalled();
  });

  it('ended and fatal are final: only leaving follows', () => {
    const ended = live().m;
    expect(ended.send('ended')).toBe(true);
    expect([ended.phase, ended.over]).toEqual(['ended', true]);
    expect(ended.send('dropped')).toBe(false);
    expect(ended.begin()).toBeNull();
    expect(ended.send('ended')).toBe(false);

    const { m: fatal } = machine();
    fatal.send('start');
    const a = fatal.begin()!;
    expect(fatal.send('fatal', a)).toBe(true);
    expect([fatal.phase, fatal.over]).toEqual(['fatal', true]);
    expect(fatal.send('ended')).toBe(false);
    expect(fatal.send('leave')).toBe(true);
  });

  it('a socket that cannot connect shows reconnecting; it does not end an attempt or a live lesson', () => {
    const { m } = machine();
    m.send('start');
    expect(m.send('unreachable')).toBe(true);
    expect(m.phase).toBe('reconnecting');
    expect(m.send('unreachable')).toBe(false);
    const a = m.begin()!;
    expect(m.send('unreachable')).toBe(false);
    expect(m.isCurrent(a)).toBe(true);
    m.send('succeeded', a);
    expect(m.send('unreachable')).toBe(false);
    expect(m.state).toBe('live');
  });

  it('refuses every event the table does not list, without any change', () => {
    const events: JoinEvent[] = ['start', 'begin', 'succeeded', 'failed', 'unreachable', 'dropped', 'ended', 'fatal', 'leave'];
    // Drive a machine into each state, then try every event the table leaves out there.
    const reach: Record<JoinState, (m: JoinMachine) => void> = {
      idle: () => undefined,
      connecting: (m) => m.send('start'),
      joining: (m) => (m.send('start'), m.begin()),
      live: (m) => (m.send('start'), m.send('succeeded', m.begin()!)),
      reconnecting: (m) => (m.send('start'), m.send('unreachable')),
      rejoining: (m) => (m.send('start'), m.send('unreachable'), m.begin()),
      ended: (m) => (m.send('start'), m.send('ended')),
      fatal: (m) => (m.send('start'), m.send('fatal', m.begin()!)),
      left: (m) => m.send('leave'),
    };
    for (const state of Object.keys(TRANSITIONS) as JoinState[]) {
      for (const event of events) {
        if (TRANSITIONS[state][event]) continue;
        const { m } = machine();
        reach[state](m);
        expect(m.state).toBe(state);
        const accepted = event === 'begin' ? m.begin() !== null : m.send(event as 'succeeded', 1);
        expect(accepted, `${state} + ${event}`).toBe(false);
        expect(m.state).toBe(state);
      }
    }
  });
});
