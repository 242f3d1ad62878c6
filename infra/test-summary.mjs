// Adds up vitest's and Playwright's JSON reports into one closing line: "N passed, N failed".
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
// Every argument but the last is a vitest report (the suite, then the overload test run alone).
const vitestFiles = process.argv.slice(2, -1);
const playwrightFile = process.argv.at(-1);
let missing = false;

for (const vitestFile of vitestFiles) {
  if (existsSync(vitestFile)) {
    const v = JSON.parse(readFileSync(vitestFile, 'utf8'));
    passed += v.numPassedTests;
    failed += v.numFailedTests + (v.numFailedTestSuites ?? 0);
    skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
  } else missing = true;
}

if (existsSync(playwrightFile)) {
  const s = JSON.parse(readFileSync(playwrightFile, 'utf8')).stats ?? {};
  passed += (s.expected ?? 0) + (s.flaky ?? 0);
  failed += s.unexpected ?? 0;
  skipped += s.skipped ?? 0;
} else missing = true;

if (missing) failed += 1; // a runner that wrote no report did not run
console.log(`\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
