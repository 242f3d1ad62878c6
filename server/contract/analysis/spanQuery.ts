// Queries on sorted, merged spans (unionSpans output): overlap with an interval and the nearest
// span boundary, by binary search — the point-sampling S-T asks both once per sample.
import type { Span } from './timeline.js';

/** Index of the first span whose end is after `ms` (spans.length when none). */
function firstEndingAfter(spans: readonly Span[], ms: number): number {
  let lo = 0;
  let hi = spans.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid][1] <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Milliseconds of `spans` inside [from, to). */
export function overlapMs(spans: readonly Span[], from: number, to: number): number {
  let sum = 0;
  for (let i = firstEndingAfter(spans, from); i < spans.length && spans[i][0] < to; i++) {
    const lo = Math.max(from, spans[i][0]);
    const hi = Math.min(to, spans[i][1]);
    if (hi > lo) sum += hi - lo;
  }
  return sum;
}

/** Distance from `ms` to the nearest start or end of a span; Infinity when there are no spans. */
export function nearestBoundaryMs(spans: readonly Span[], ms: number): number {
  const i = firstEndingAfter(spans, ms);
  let best = Infinity;
  for (const j of [i - 1, i]) {
    const s = spans[j];
    if (s) best = Math.min(best, Math.abs(ms - s[0]), Math.abs(ms - s[1]));
  }
  return best;
}
