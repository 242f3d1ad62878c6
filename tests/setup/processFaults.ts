// Every vitest file runs with the product's process-level safety net installed, as the
// product does (server/main.ts) — and a test during which the net catches anything fails:
// the net keeps the field serving, it must never hide a bug from the tests.
import { afterEach, expect } from 'vitest';
import { installProcessFaultHandlers, onProcessFault } from '../../server/processFaults.js';

installProcessFaultHandlers();
const caught: string[] = [];
onProcessFault((kind, err) => caught.push(`${kind}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`));

afterEach(() => {
  const faults = caught.splice(0);
  expect(faults, 'the product left a promise rejection unhandled').toEqual([]);
});
