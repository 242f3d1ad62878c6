// Every committed benchmark result is in the house format (tests/bench/lib.ts BenchResult):
// {"metrics": {NAME: {"value": …}}, "machine", "date", "load", …}, named after its benchmark,
// with its row in docs/benchmarks.md — and writeResult refuses anything else.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DOC, LOAD_AT_START, RESULTS_DIR, ROOT, houseResult, machine, readResult, today } from '../bench/lib.js';

const files = readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json'));
const doc = readFileSync(DOC, 'utf8');

describe('tests/bench/results', () => {
  it('has result files', () => expect(files.length).toBeGreaterThan(0));

  describe.each(files)('%s', (file) => {
    const name = path.basename(file, '.json');
    it('is in the house format', () => {
      const r = readResult(path.join(RESULTS_DIR, file));
      for (const m of Object.values(r.metrics)) expect(['number', 'boolean']).toContain(typeof m.value);
      expect(typeof r.load).toBe('object');
    });
    it('is named after its benchmark, which has a row in docs/benchmarks.md', () => {
      expect(existsSync(path.join(ROOT, 'tests/bench', `${name}.ts`))).toBe(true);
      expect(doc).toContain(`| \`${name}\` |`);
    });
  });
});

describe('houseResult', () => {
  it('wraps bare figures, adds machine, date and the load at start, keeps the rest after them', () => {
    const r = houseResult({ metrics: { p95_ms: 28.3, met: true, fps: { value: 17.8, unit: 'fps', target: '>= 15', met: true } }, load: { load_avg_during: 12.5 }, method: 'm', detail: { n: 3 } });
    expect(r).toEqual({
      metrics: { p95_ms: { value: 28.3 }, met: { value: true }, fps: { value: 17.8, unit: 'fps', target: '>= 15', met: true } },
      machine: machine(),
      date: today(),
      load: { load_at_start: LOAD_AT_START, load_avg_during: 12.5 },
      method: 'm',
      detail: { n: 3 },
    });
    expect(Object.keys(r)).toEqual(['metrics', 'machine', 'date', 'load', 'method', 'detail']);
  });

  it('refuses no metrics, a value that is not a finite number or boolean, and unknown metric keys', () => {
    expect(() => houseResult({ metrics: {} })).toThrow(/no metrics/);
    expect(() => houseResult({ metrics: { p50_ms: NaN } })).toThrow(/metrics\.p50_ms\.value/);
    expect(() => houseResult({ metrics: { p50_ms: { value: null as unknown as number } } })).toThrow(/metrics\.p50_ms\.value/);
    expect(() => houseResult({ metrics: { p50_ms: { value: 1, samples: [1] } as never } })).toThrow(/samples/);
  });
});
