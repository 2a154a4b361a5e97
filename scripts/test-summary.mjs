#!/usr/bin/env node
// Prints vitest's JSON reports as one closing line: `N passed, N failed`.
// Usage: test-summary.mjs [--gates N] report.json [more.json ...]. --gates counts failed checks
// that ran before the tests (typecheck, lint), one failure each; a missing report counts as one.
import { existsSync, readFileSync } from 'node:fs';

const args = process.argv.slice(2);
let failed = 0;
let passed = 0;
const gate = args.indexOf('--gates');
if (gate >= 0) failed += Number(args.splice(gate, 2)[1] ?? 0);
const files = args.length ? args : ['test-results/vitest.json'];
for (const file of files) {
  if (!existsSync(file)) {
    failed += 1;
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  // A file that failed to load has no tests in the report but counts as a failure.
  const brokenFiles = (report.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
  passed += report.numPassedTests;
  failed += report.numFailedTests + brokenFiles;
}
console.log(`${passed} passed, ${failed} failed`);
