// What the replay page's watch heartbeat reports, apart from the DOM: played wall-clock time,
// sent in whole seconds (at most a beat's worth at once), with a 0 on each start of play so the
// server's cap (the time since the previous beat) starts from the real start.
import { WATCH_BEAT_MAX_S } from '../../../../server/contract/workspace/mentors.js';

export class WatchMeter {
  private playingSince: number | null = null;
  private pendingMs = 0;

  constructor(
    private readonly send: (seconds: number) => void,
    private readonly now: () => number = Date.now,
  ) {}

  get playing(): boolean {
    return this.playingSince !== null;
  }

  play(): void {
    if (this.playingSince !== null) return;
    this.playingSince = this.now();
    this.send(0);
  }

  /** The periodic beat: what was played since the last one. */
  tick(): void {
    if (this.playingSince !== null) {
      const t = this.now();
      this.pendingMs += t - this.playingSince;
      this.playingSince = t;
    }
    const s = Math.min(WATCH_BEAT_MAX_S, Math.floor(this.pendingMs / 1000));
    if (s > 0) {
      this.pendingMs -= s * 1000;
      this.send(s);
    }
  }

  /** Paused, ended, buffering or gone: reports what was played and stops the clock. */
  stop(): void {
    this.tick();
    this.playingSince = null;
  }
}
