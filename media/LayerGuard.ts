// Frame rate before resolution on a short link. When a receiver's link cannot carry the spatial
// layer its view asks for, mediasoup keeps that layer and drops to its lower temporal layers
// (a third or half of the frame rate). A classroom follows a lesson better with fluid motion at
// a smaller size than with a sharp picture that stutters: a consumer that stays below full frame
// rate on a higher spatial layer for a few seconds is capped one spatial layer lower; the cap is
// lifted again after a while (doubling each time the link still cannot carry it).
import type { types } from 'mediasoup';

export const LOW_FPS_HOLD_MS = 4_000;
export const FIRST_PROBE_MS = 20_000;
export const MAX_PROBE_MS = 160_000;

export class LayerGuard {
  private wanted = 0;
  private cap = Infinity;
  private lowSince: number | null = null;
  private cappedAt = 0;
  private probeMs = FIRST_PROBE_MS;
  /** Highest temporal layer index, from the consumer's scalability mode ("L3T3" → 2); null if unknown. */
  readonly topTemporal: number | null;

  constructor(private readonly consumer: types.Consumer) {
    const mode = consumer.rtpParameters.encodings?.[0]?.scalabilityMode ?? '';
    const t = /T(\d)/.exec(mode);
    this.topTemporal = t ? Number(t[1]) - 1 : null;
  }

  /** The layer the receiver's view asks for. */
  setWanted(spatialLayer: number): Promise<void> {
    this.wanted = spatialLayer;
    return this.apply();
  }

  /** Called about once a second. */
  tick(now: number): Promise<void> | undefined {
    const c = this.consumer;
    // One temporal layer (or an unknown mode) means there is no frame rate to trade.
    if (c.closed || !this.topTemporal) return;
    const l = c.currentLayers;
    const top = this.topTemporal;
    const low = !!l && !c.paused && !c.producerPaused && l.spatialLayer > 0 && (l.temporalLayer ?? top) < top;
    if (low) {
      this.lowSince ??= now;
      if (now - this.lowSince >= LOW_FPS_HOLD_MS) {
        this.cap = l!.spatialLayer - 1;
        this.cappedAt = now;
        this.lowSince = null;
        return this.apply();
      }
    } else {
      this.lowSince = null;
    }
    if (this.cap !== Infinity && now - this.cappedAt >= this.probeMs) {
      this.cap = Infinity;
      this.probeMs = Math.min(this.probeMs * 2, MAX_PROBE_MS);
      return this.apply();
    }
  }

  /** The spatial layer asked of mediasoup now. */
  get preferred(): number {
    return Math.min(this.wanted, this.cap);
  }

  private async apply(): Promise<void> {
    if (this.consumer.closed) return;
    // mediasoup clamps a temporal layer above what the stream has.
    await this.consumer.setPreferredLayers({ spatialLayer: this.preferred, temporalLayer: this.topTemporal ?? 2 });
  }
}
