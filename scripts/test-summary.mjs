#!/usr/bin/env node
// Prints vitest's JSON report as one closing line: `N passed, N failed`. The second argument
// counts failed gates that ran before the tests (typecheck, lint), one failure each.
import { existsSync, readFileSync } from 'node:fs';

const file = process.argv[2] ?? 'test-results/vitest.json';
const gates = Number(process.argv[3] ?? 0);
if (!existsSync(file)) {
  console.log(`0 passed, ${1 + gates} failed`);
  process.exit(0);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
// A file that failed to load has no tests in the report but counts as a failure.
const brokenFiles = (report.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
console.log(`${report.numPassedTests} passed, ${report.numFailedTests + brokenFiles + gates} failed`);
