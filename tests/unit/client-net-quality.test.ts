import { describe, expect, it } from 'vitest';
import { classifyNetQuality, lossBetween, sampleFromStats } from '../../client/src/live/netQuality.js';

describe('classifyNetQuality', () => {
  it('is good with low loss and RTT, or with no data', () => {
    expect(classifyNetQuality(0, 30)).toBe('good');
    expect(classifyNetQuality(0.019, 199)).toBe('good');
    expect(classifyNetQuality(null, null)).toBe('good');
  });
  it('is fair with moderate loss or RTT', () => {
    expect(classifyNetQuality(0.02, 50)).toBe('fair');
    expect(classifyNetQuality(0.0, 250)).toBe('fair');
    expect(classifyNetQuality(0.079, 499)).toBe('fair');
  });
  it('is poor with heavy loss or RTT', () => {
    expect(classifyNetQuality(0.08, 20)).toBe('poor');
    expect(classifyNetQuality(0.3, null)).toBe('poor');
    expect(classifyNetQuality(0, 500)).toBe('poor');
  });
});

describe('lossBetween', () => {
  it('uses the deltas since the previous sample', () => {
    const a = { packetsReceived: 1000, packetsLost: 10, rttSeconds: null };
    const b = { packetsReceived: 1950, packetsLost: 60, rttSeconds: null };
    expect(lossBetween(a, b)).toBeCloseTo(50 / 1000);
  });
  it('is null without traffic or after a counter reset', () => {
    const a = { packetsReceived: 100, packetsLost: 0, rttSeconds: null };
    expect(lossBetween(a, a)).toBeNull();
    expect(lossBetween(a, { packetsReceived: 5, packetsLost: 0, rttSeconds: null })).toBeNull();
  });
  it('counts from zero for the first sample', () => {
    expect(lossBetween(null, { packetsReceived: 90, packetsLost: 10, rttSeconds: null })).toBeCloseTo(0.1);
  });
});

describe('sampleFromStats', () => {
  it('sums inbound-rtp and takes the selected pair RTT', () => {
    const s = sampleFromStats([
      { type: 'inbound-rtp', kind: 'video', packetsReceived: 500, packetsLost: 5 },
      { type: 'inbound-rtp', kind: 'audio', packetsReceived: 300, packetsLost: 1 },
      { type: 'outbound-rtp', packetsSent: 999 },
      { type: 'candidate-pair', id: 'p1', state: 'succeeded', nominated: false, currentRoundTripTime: 0.9 },
      { type: 'candidate-pair', id: 'p2', state: 'succeeded', nominated: true, currentRoundTripTime: 0.04 },
      { type: 'transport', selectedCandidatePairId: 'p2' },
    ]);
    expect(s).toEqual({ packetsReceived: 800, packetsLost: 6, rttSeconds: 0.04 });
  });
  it('falls back to a nominated succeeded pair, else null RTT', () => {
    expect(
      sampleFromStats([{ type: 'candidate-pair', id: 'x', state: 'succeeded', nominated: true, currentRoundTripTime: 0.1 }]).rttSeconds,
    ).toBe(0.1);
    expect(sampleFromStats([]).rttSeconds).toBeNull();
  });
});
