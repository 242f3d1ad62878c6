// The edge's TOO_LARGE check measures decoded payloads; it must agree with what the JSON took on
// the wire (so legitimate payloads under the limit are never refused) and stop at the limit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { payloadBytes } from '../../server/live/edge.js';

describe('payloadBytes', () => {
  it('agrees with the JSON size of any JSON value', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const json = Buffer.byteLength(JSON.stringify(v) ?? '');
        const est = payloadBytes(v, Number.MAX_SAFE_INTEGER);
        // Never much more than the JSON (a payload under the limit is not refused); less only
        // by JSON's escapes (at most 6 bytes for 1), which the frame limit bounds anyway.
        expect(est).toBeLessThanOrEqual(2 + json * 1.1);
        expect(est).toBeGreaterThanOrEqual(json / 6 - 2);
      }),
      { numRuns: 2000 },
    );
  });

  it('counts binary attachments by their length and stops early on huge payloads', () => {
    expect(payloadBytes({ update: new Uint8Array(1000) }, 1e9)).toBeGreaterThanOrEqual(1000);
    const huge = Array.from({ length: 1_000_000 }, () => 'x');
    const t0 = performance.now();
    expect(payloadBytes(huge, 1000)).toBeGreaterThan(1000);
    expect(performance.now() - t0).toBeLessThan(200);
  });
});
