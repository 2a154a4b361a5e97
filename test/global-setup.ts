// Starts one Temporal dev server and bundles the workflows once for every test file; gives the
// run one temp folder, removed at the end.
import { bundleWorkflowCode } from '@temporalio/worker';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { workflowsPath } from '../runtime/index.ts';
import { freshetHome } from '../services/paths.ts';
import { startTemporalDevServer, type TemporalServer } from '../services/temporal.ts';
import * as runTmp from './run-tmp.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    workflowBundlePath: string;
  }
}

let server: TemporalServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  runTmp.setup();
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
  runTmp.teardown();
}

const noop = () => {};
const quietLogger = { trace: noop, debug: noop, info: noop, warn: console.warn, error: console.error, log: noop };
