// Reconnection policy: exponential backoff with jitter (forever), and the ICE watchdog decision.
import { backoffDelay, type BackoffOptions } from '../../../server/contract/backoff.js';

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 1000, maxMs: 15_000, jitter: 0.2 };

/** Delay before reconnect number `attempt` (1-based). Never gives up; capped at 15 s (± 20 %). */
export const reconnectDelay = (attempt: number): number => backoffDelay(attempt, DEFAULT_BACKOFF);

export const ICE_POLICY = {
  /** 'disconnected' this long → restart ICE. */
  disconnectedGraceMs: 3000,
  /** Don't restart ICE more often than this. */
  restartEveryMs: 5000,
  /** Still not connected after this long → tear down media and redo it. */
  escalateAfterMs: 20_000,
} as const;

export type IceState = 'new' | 'connecting' | 'connected' | 'failed' | 'disconnected' | 'closed';

/**
 * What to do about a transport: `troubleMs` = how long it has been failed/disconnected,
 * `sinceRestartMs` = time since our last ICE restart on it (Infinity if none).
 */
export function iceAction(state: IceState, troubleMs: number, sinceRestartMs: number): 'none' | 'restart' | 'escalate' {
  if (state !== 'failed' && state !== 'disconnected') return 'none';
  if (troubleMs >= ICE_POLICY.escalateAfterMs) return 'escalate';
  if (sinceRestartMs < ICE_POLICY.restartEveryMs) return 'none';
  if (state === 'failed' || troubleMs >= ICE_POLICY.disconnectedGraceMs) return 'restart';
  return 'none';
}
