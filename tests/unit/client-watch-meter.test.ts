// The replay page's watch heartbeat, apart from the DOM: what it claims for played time.
import { describe, expect, it } from 'vitest';
import { WatchMeter } from '../../client/src/workspace/mentors/watchMeter.js';
import { matchRoute } from '../../client/src/routes.js';

function meter() {
  let t = 0;
  const sent: number[] = [];
  const m = new WatchMeter((s) => sent.push(s), () => t);
  return { m, sent, at: (s: number) => void (t = s * 1000) };
}

describe('WatchMeter', () => {
  it('sends 0 on play, the played seconds on each beat and on pause, nothing while paused', () => {
    const { m, sent, at } = meter();
    m.play();
    at(30);
    m.tick();
    at(42.5);
    m.stop();
    at(90);
    m.tick(); // paused: nothing played
    m.play();
    at(120.75);
    m.tick();
    // The half second left at the pause carries over: 0.5 + 30.75 → 31, 0.25 left.
    expect(sent).toEqual([0, 30, 12, 0, 31]);
    at(121.5); // 0.25 + 0.75: a whole second
    m.stop();
    expect(sent.slice(5)).toEqual([1]);
  });

  it('claims at most a beat’s worth at once and keeps the rest for the next one', () => {
    const { m, sent, at } = meter();
    m.play();
    at(150); // a timer that was throttled in a background tab
    m.tick();
    m.tick();
    m.tick();
    expect(sent).toEqual([0, 60, 60, 30]);
    m.play(); // already playing: no new start
    expect(sent).toHaveLength(4);
  });
});

describe('the mentors route', () => {
  it('lists at /workspace/mentors and opens a pair at /workspace/mentors/:pairId', () => {
    expect(matchRoute('/workspace/mentors')).toEqual({ name: 'mentors', pairId: null });
    expect(matchRoute('/workspace/mentors/p%201/')).toEqual({ name: 'mentors', pairId: 'p 1' });
  });
});
