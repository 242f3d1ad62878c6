// Exponential backoff, for every retry loop of the product: the client's reconnects (with
// jitter, forever), and on the server a recorder that keeps dying, a mediasoup worker that
// cannot respawn at once, a crash-looping worker process. Pure: the client imports it too.

export interface BackoffOptions {
  /** The first retry's delay. */
  baseMs: number;
  /** No delay is longer (before jitter). */
  maxMs: number;
  /** ± fraction of randomisation, 0..1 (0: exactly baseMs · 2^(attempt−1)). */
  jitter: number;
}

/** Delay before retry number `attempt` (1-based): baseMs, 2·baseMs, 4·baseMs, … capped at maxMs, then ± jitter. */
export function backoffDelay(attempt: number, opts: BackoffOptions, rand: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const raw = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(n - 1, 30));
  const factor = 1 + opts.jitter * (2 * rand() - 1);
  return Math.max(0, Math.round(raw * factor));
}
