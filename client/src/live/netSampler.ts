// The network-quality badge: every 2 s, the receive transport's stats (netQuality.ts) while
// live; 'poor' while reconnecting. Loss is measured between two samples of the same media
// session, so a rejoin starts afresh.
import type { LessonStore } from './LessonStore.js';
import type { MediaSession } from './MediaSession.js';
import { classifyNetQuality, lossBetween, sampleFromStats, type NetSample } from './netQuality.js';

const SAMPLE_EVERY_MS = 2000;

export class NetSampler {
  private last: { session: MediaSession; sample: NetSample } | null = null;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly store: LessonStore,
    private readonly media: () => MediaSession | null,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.sample(), SAMPLE_EVERY_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async sample(): Promise<void> {
    const session = this.media();
    const { phase, netQuality } = this.store.state;
    if (phase !== 'live' || !session) {
      if (phase === 'reconnecting' && netQuality !== 'poor') this.store.set({ netQuality: 'poor' });
      return;
    }
    try {
      const reports = await session.recvTransportStats();
      if (!reports || session !== this.media()) return;
      const cur = sampleFromStats(reports);
      const loss = lossBetween(this.last?.session === session ? this.last.sample : null, cur);
      this.last = { session, sample: cur };
      const recvState = session.recvTransport?.connectionState;
      const q =
        recvState === 'failed' || recvState === 'disconnected'
          ? 'poor'
          : classifyNetQuality(loss, cur.rttSeconds === null ? null : cur.rttSeconds * 1000);
      if (q !== this.store.state.netQuality) this.store.set({ netQuality: q });
    } catch {
      /* transport closing */
    }
  }
}
