// The benchmarks' measure of what a joined track plays (tests/helpers/joinedCoverage.ts).
import { expect, it } from 'vitest';
import { playedFromTimes } from '../helpers/joinedCoverage.js';

it('credits each interval between packets up to the cap: a hole counts as missing beyond it', () => {
  const frames = Array.from({ length: 41 }, (_, i) => i * 0.25); // 10 s at 4 fps
  expect(playedFromTimes(frames, 1)).toBeCloseTo(10, 6);
  // A 6 s hole after 10 s, then 4 s more: 1 s of the hole is a held picture, 5 s are missing.
  const withHole = [...frames, ...Array.from({ length: 17 }, (_, i) => 16 + i * 0.25)];
  expect(playedFromTimes(withHole, 1)).toBeCloseTo(10 + 1 + 4, 6);
  expect(playedFromTimes([], 1)).toBe(0);
  expect(playedFromTimes([3], 1)).toBe(0);
});
