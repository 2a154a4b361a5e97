// One temp folder per test run: test warehouses, staged Parquet and worker processes' scratch all go
// through os.tmpdir(), so pointing TMPDIR at one folder (test forks and their children inherit it)
// lets the run clean up everything it wrote. FRESHET_KEEP_TMP=1 keeps it for a look after a failure.
// Also the whole global setup of the time-zone projects, which need no Temporal server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let created: string | undefined;

export function setup(): void {
  // Several projects of one run share the folder: the first setup makes it.
  if (process.env.FRESHET_RUN_TMP) return;
  created = mkdtempSync(path.join(tmpdir(), 'freshet-run-'));
  process.env.FRESHET_RUN_TMP = created;
  process.env.TMPDIR = created;
}

export function teardown(): void {
  if (!created) return;
  if (!process.env.FRESHET_KEEP_TMP) rmSync(created, { recursive: true, force: true });
  else console.log(`test files kept in ${created}`);
}
