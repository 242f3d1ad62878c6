// Adds up vitest's and Playwright's JSON reports into one closing line: "N passed, N failed".
import { existsSync, readFileSync } from 'node:fs';

let passed = 0;
let failed = 0;
let skipped = 0;
// Every argument but the last is a vitest report (the suite, then the overload test run alone).
const vitestFiles = process.argv.slice(2, -1);
const playwrightFile = process.argv.at(-1);
let missing = false;
const failures = [];

for (const vitestFile of vitestFiles) {
  if (existsSync(vitestFile)) {
    const v = JSON.parse(readFileSync(vitestFile, 'utf8'));
    passed += v.numPassedTests;
    failed += v.numFailedTests;
    skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
    // Name what failed: CI's log is cut to its end, where this line lands.
    for (const file of v.testResults ?? []) {
      const bad = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
      for (const a of bad) failures.push(`${file.name.replace(process.cwd() + '/', '')} › ${a.fullName ?? a.title}`);
      // A file that failed outside any test (an import, a hook) counts once on its own.
      if (!bad.length && file.status === 'failed') {
        failed += 1;
        failures.push(`${file.name.replace(process.cwd() + '/', '')} (${(file.message ?? '').split('\n')[0].slice(0, 200)})`);
      }
    }
  } else missing = true;
}

if (existsSync(playwrightFile)) {
  const report = JSON.parse(readFileSync(playwrightFile, 'utf8'));
  const s = report.stats ?? {};
  const walk = (suite) => {
    for (const spec of suite.specs ?? []) if (spec.ok === false) failures.push(`${spec.file} › ${spec.title}`);
    for (const child of suite.suites ?? []) walk(child);
  };
  for (const suite of report.suites ?? []) walk(suite);
  passed += (s.expected ?? 0) + (s.flaky ?? 0);
  failed += s.unexpected ?? 0;
  skipped += s.skipped ?? 0;
} else missing = true;

for (const f of failures) console.log(`FAILED: ${f}`);
if (missing) failed += 1; // a runner that wrote no report did not run
console.log(`\nTests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
