// One production-shaped stack (`freshet stack`: PostgreSQL, the Temporal server, MinIO, two
// workers, the page) for every file of the stack project: they run one at a time, after the
// other projects, because some kill parts of it. A stack already up in the folder is reused
// and left up (for iterating on one file); one started here is stopped and purged at the end.
// FRESHET_TEST_KEEP_STACK=1 keeps the stopped stack's data and logs, to read them after a failure.
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { freshetHome } from '../../services/paths.ts';
import { stackDown, stackStatus, stackUp } from '../../services/stack.ts';
import * as runTmp from '../run-tmp.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stackDir: string;
    stackStartedHere: boolean;
  }
}

// FRESHET_TEST_STACK_DIR: a folder of one's own, for sessions that share FRESHET_HOME's binaries.
export const STACK_DIR = process.env.FRESHET_TEST_STACK_DIR
  ? path.resolve(process.env.FRESHET_TEST_STACK_DIR)
  : path.join(freshetHome, 'stack-test');
export const STACK_PROJECT = path.resolve('test/fixtures/stack-project.ts');
export const STACK_TASK_QUEUE = 'freshet-stack-test';

let startedHere = false;

export async function setup(project: TestProject): Promise<void> {
  runTmp.setup();
  const before = await stackStatus(STACK_DIR);
  startedHere = !before.entries.length || before.entries.some((e) => !e.alive);
  await stackUp({ dir: STACK_DIR, project: STACK_PROJECT, taskQueue: STACK_TASK_QUEUE, log: (m) => console.log(`[stack] ${m}`) });
  project.provide('stackDir', STACK_DIR);
  project.provide('stackStartedHere', startedHere);
}

export async function teardown(): Promise<void> {
  if (startedHere) await stackDown({ dir: STACK_DIR, purge: !process.env.FRESHET_TEST_KEEP_STACK });
  runTmp.teardown();
}
