import { describe, expect, it } from 'vitest';
import { chooseSpatialLayer } from '../../client/src/live/layers.js';

describe('chooseSpatialLayer', () => {
  it('picks the full layer for wide views', () => {
    expect(chooseSpatialLayer(720)).toBe(2);
    expect(chooseSpatialLayer(1920)).toBe(2);
  });
  it('picks the middle layer from 320 to 719 px', () => {
    expect(chooseSpatialLayer(320)).toBe(1);
    expect(chooseSpatialLayer(719)).toBe(1);
  });
  it('picks the lowest layer for small, hidden or bogus sizes', () => {
    expect(chooseSpatialLayer(319)).toBe(0);
    expect(chooseSpatialLayer(0)).toBe(0);
    expect(chooseSpatialLayer(-5)).toBe(0);
    expect(chooseSpatialLayer(Number.NaN)).toBe(0);
  });
});
