// Starts one Temporal dev server and bundles the workflows once for every test file; gives the
// run one temp folder, removed at the end.
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { workflowsPath } from '../runtime/index.ts';
import { freshetHome } from '../services/paths.ts';
import { startTemporalDevServer, type TemporalServer } from '../services/temporal.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

let server: TemporalServer | undefined;
let runTmp: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  // Test warehouses, staged Parquet and worker processes' scratch all go through os.tmpdir():
  // pointing TMPDIR at one folder (the test forks and their children inherit it) lets the run
  // clean up everything it wrote. FRESHET_KEEP_TMP=1 keeps it for a look after a failure.
  runTmp = mkdtempSync(path.join(tmpdir(), 'freshet-run-'));
  process.env.TMPDIR = runTmp;
  server = await startTemporalDevServer();
  const { code } = await bundleWorkflowCode({ workflowsPath, logger: quietLogger });
  const bundlePath = path.join(freshetHome, 'test', `workflow-bundle-${process.pid}.js`);
  mkdirSync(path.dirname(bundlePath), { recursive: true });
  writeFileSync(bundlePath, code);
  project.provide('temporalAddress', server.address);
  project.provide('workflowBundlePath', bundlePath);
}

export async function teardown(): Promise<void> {
  await server?.stop();
  if (runTmp && !process.env.FRESHET_KEEP_TMP) rmSync(runTmp, { recursive: true, force: true });
  else if (runTmp) console.log(`test files kept in ${runTmp}`);
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
