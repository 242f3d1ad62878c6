// LayerGuard: frame rate before resolution. The consumer here stands in for mediasoup's (the
// fields the guard reads and the one call it makes); tests/integration/layer-guard.test.ts
// checks the guard against a real simulcast consumer.
import { describe, expect, it } from 'vitest';
import type { types } from 'mediasoup';
import { FIRST_PROBE_MS, LOW_FPS_HOLD_MS, LayerGuard } from '../../media/LayerGuard.js';

function consumer(mode: string | undefined) {
  const c = {
    closed: false,
    paused: false,
    producerPaused: false,
    currentLayers: undefined as { spatialLayer: number; temporalLayer?: number } | undefined,
    rtpParameters: { encodings: [{ scalabilityMode: mode }] },
    asked: [] as { spatialLayer: number; temporalLayer?: number }[],
    async setPreferredLayers(l: { spatialLayer: number; temporalLayer?: number }) {
      c.asked.push(l);
    },
  };
  return c;
}
const guardOf = (c: ReturnType<typeof consumer>) => new LayerGuard(c as unknown as types.Consumer);

describe('LayerGuard', () => {
  it('passes the wanted layer through on a link that carries it', async () => {
    const c = consumer('L3T3');
    const g = guardOf(c);
    await g.setWanted(2);
    c.currentLayers = { spatialLayer: 2, temporalLayer: 2 };
    for (let t = 0; t < 60_000; t += 1000) await g.tick(t);
    expect(c.asked).toEqual([{ spatialLayer: 2, temporalLayer: 2 }]);
    expect(g.preferred).toBe(2);
  });

  it('steps one spatial layer down after the frame rate stays low, and probes again later, backing off', async () => {
    const c = consumer('L3T3');
    const g = guardOf(c);
    await g.setWanted(2);
    c.currentLayers = { spatialLayer: 2, temporalLayer: 1 };
    await g.tick(0);
    await g.tick(LOW_FPS_HOLD_MS - 1);
    expect(g.preferred).toBe(2); // a dip shorter than the hold is left alone
    await g.tick(LOW_FPS_HOLD_MS);
    expect(g.preferred).toBe(1);
    expect(c.asked.at(-1)).toEqual({ spatialLayer: 1, temporalLayer: 2 });
    // On layer 1 at full rate: stays until the probe.
    c.currentLayers = { spatialLayer: 1, temporalLayer: 2 };
    await g.tick(LOW_FPS_HOLD_MS + FIRST_PROBE_MS - 1);
    expect(g.preferred).toBe(1);
    await g.tick(LOW_FPS_HOLD_MS + FIRST_PROBE_MS);
    expect(g.preferred).toBe(2);
    // The link still cannot carry it: capped again, and the next probe waits twice as long.
    const t1 = LOW_FPS_HOLD_MS + FIRST_PROBE_MS;
    c.currentLayers = { spatialLayer: 2, temporalLayer: 0 };
    await g.tick(t1 + 1000);
    await g.tick(t1 + 1000 + LOW_FPS_HOLD_MS);
    expect(g.preferred).toBe(1);
    c.currentLayers = { spatialLayer: 1, temporalLayer: 2 };
    const t2 = t1 + 1000 + LOW_FPS_HOLD_MS;
    await g.tick(t2 + FIRST_PROBE_MS);
    expect(g.preferred).toBe(1);
    await g.tick(t2 + 2 * FIRST_PROBE_MS);
    expect(g.preferred).toBe(2);
  });

  it('never goes below the layer the view asked for, nor above it', async () => {
    const c = consumer('L3T3');
    const g = guardOf(c);
    await g.setWanted(0);
    c.currentLayers = { spatialLayer: 0, temporalLayer: 0 };
    for (let t = 0; t < 20_000; t += 1000) await g.tick(t);
    expect(c.asked).toEqual([{ spatialLayer: 0, temporalLayer: 2 }]);
  });

  it('leaves paused consumers and single-temporal-layer streams alone', async () => {
    const paused = consumer('L3T3');
    const g = guardOf(paused);
    await g.setWanted(2);
    paused.paused = true;
    paused.currentLayers = { spatialLayer: 2, temporalLayer: 0 };
    for (let t = 0; t < 20_000; t += 1000) await g.tick(t);
    expect(g.preferred).toBe(2);

    for (const mode of ['L3T1', undefined]) {
      const c = consumer(mode);
      const h = guardOf(c);
      await h.setWanted(2);
      c.currentLayers = { spatialLayer: 2, temporalLayer: 0 };
      for (let t = 0; t < 20_000; t += 1000) await h.tick(t);
      expect(h.preferred).toBe(2);
    }
  });
});
