// The join/reconnect state machine of one lesson view: every state it can be in and every
// transition it may take are in TRANSITIONS below; an event the table does not list for the
// current state is refused (send() answers false and nothing changes). A join attempt is
// numbered when it begins and stays current until the next transition of any kind, so a
// late answer to an attempt that a drop, a newer attempt, the lesson's end or leaving has
// superseded is refused too. The machine also owns the backoff timer between failed attempts.
import { reconnectDelay } from './reconnect.js';

export type JoinState =
  /** Made, not started. */
  | 'idle'
  /** First join: the socket is connecting. */
  | 'connecting'
  /** First join: an attempt (lesson:join if this socket has not joined, then media) is under way. */
  | 'joining'
  /** Joined, media up. */
  | 'live'
  /** Lost (or the first join failed): waiting for the socket or for the backoff timer. */
  | 'reconnecting'
  /** After a loss: an attempt is under way. */
  | 'rejoining'
  /** The lesson has ended (terminal). */
  | 'ended'
  /** The lesson is not there or not ours (terminal). */
  | 'fatal'
  /** The view is closed (terminal). */
  | 'left';

export type JoinEvent =
  /** The view starts: the socket opens. */
  | 'start'
  /** An attempt begins (supersedes an attempt under way). */
  | 'begin'
  /** The current attempt has media up. */
  | 'succeeded'
  /** The current attempt failed: back off, then retry. */
  | 'failed'
  /** The socket could not connect. */
  | 'unreachable'
  /** Socket lost, media:reset, or the media transports stayed down. */
  | 'dropped'
  /** The lesson ended. */
  | 'ended'
  /** The current attempt found the lesson missing or forbidden. */
  | 'fatal'
  /** The view is closed. */
  | 'leave';

/** Events that answer one attempt: accepted only with the current attempt's number. */
export type AttemptEvent = 'succeeded' | 'failed' | 'fatal';

const ANY_TIME = { ended: 'ended', leave: 'left' } as const;
const LOSABLE = { ...ANY_TIME, dropped: 'reconnecting' } as const;
const ATTEMPTING = { ...LOSABLE, succeeded: 'live', failed: 'reconnecting', fatal: 'fatal' } as const;

export const TRANSITIONS: Readonly<Record<JoinState, Readonly<Partial<Record<JoinEvent, JoinState>>>>> = {
  idle: { start: 'connecting', leave: 'left' },
  connecting: { ...LOSABLE, begin: 'joining', unreachable: 'reconnecting' },
  joining: { ...ATTEMPTING, begin: 'joining' },
  live: LOSABLE,
  reconnecting: { ...LOSABLE, begin: 'rejoining' },
  rejoining: { ...ATTEMPTING, begin: 'rejoining' },
  ended: { leave: 'left' },
  fatal: { leave: 'left' },
  left: {},
};

/** What the view shows for each state. */
export type Phase = 'connecting' | 'live' | 'reconnecting' | 'ended' | 'fatal';

const PHASE: Record<Exclude<JoinState, 'left'>, Phase> = {
  idle: 'connecting',
  connecting: 'connecting',
  joining: 'connecting',
  live: 'live',
  reconnecting: 'reconnecting',
  rejoining: 'reconnecting',
  ended: 'ended',
  fatal: 'fatal',
};

export interface JoinMachineOptions {
  /** Called when the backoff after a failed attempt has passed. */
  onRetry: () => void;
  /** Backoff before retry number `failures` (1-based). */
  retryDelay?: (failures: number) => number;
}

export class JoinMachine {
  private stateValue: JoinState = 'idle';
  private attemptCount = 0;
  private currentAttempt: number | null = null;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly onRetry: () => void;
  private readonly retryDelay: (failures: number) => number;

  constructor(opts: JoinMachineOptions) {
    this.onRetry = opts.onRetry;
    this.retryDelay = opts.retryDelay ?? reconnectDelay;
  }

  get state(): JoinState {
    return this.stateValue;
  }

  /** The phase shown for the current state; null once the view has left. */
  get phase(): Phase | null {
    return this.stateValue === 'left' ? null : PHASE[this.stateValue];
  }

  /** Ended, fatal or left: nothing more will be attempted. */
  get over(): boolean {
    return this.stateValue === 'ended' || this.stateValue === 'fatal' || this.stateValue === 'left';
  }

  get retryPending(): boolean {
    return this.retryTimer !== null;
  }

  /** Begins an attempt: its number, or null where the current state allows none. */
  begin(): number | null {
    if (!this.transition('begin')) return null;
    this.currentAttempt = ++this.attemptCount;
    return this.currentAttempt;
  }

  /** Whether `attempt` is still the one under way (nothing has happened since it began). */
  isCurrent(attempt: number): boolean {
    return this.currentAttempt === attempt;
  }

  /** Applies an event; false (and no change) when the table refuses it or the attempt is stale. */
  send(event: AttemptEvent, attempt: number): boolean;
  send(event: Exclude<JoinEvent, AttemptEvent | 'begin'>): boolean;
  send(event: Exclude<JoinEvent, 'begin'>, attempt?: number): boolean {
    if (isAttemptEvent(event) && (attempt === undefined || !this.isCurrent(attempt))) return false;
    if (!this.transition(event)) return false;
    if (event === 'succeeded') this.failures = 0;
    if (event === 'failed') this.scheduleRetry();
    return true;
  }

  private transition(event: JoinEvent): boolean {
    const next = TRANSITIONS[this.stateValue][event];
    if (!next) return false;
    // Any transition ends the attempt under way and the wait for a retry.
    this.currentAttempt = null;
    this.clearRetry();
    this.stateValue = next;
    return true;
  }

  private scheduleRetry(): void {
    this.failures += 1;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.onRetry();
    }, this.retryDelay(this.failures));
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}

function isAttemptEvent(e: JoinEvent): e is AttemptEvent {
  return e === 'succeeded' || e === 'failed' || e === 'fatal';
}
