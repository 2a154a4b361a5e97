// Safe deploys of workflow code: every recorded history in test/replay/histories/ replays against
// the current workflows. A change that is not deterministic (an activity added, removed or
// reordered without patched(), a timer moved) fails here instead of in the backfills, monitors
// and streaming jobs running in production when the new worker picks them up.
import { Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { WORKFLOW_TYPES } from '../contract/workflows.ts';
import { installRuntime } from '../runtime/index.ts';
import { historyFromFile, taskQueueOf, workflowTypeOf } from './replay/history-file.ts';

const dir = path.resolve('test/replay/histories');
const histories = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, history: historyFromFile(readFileSync(path.join(dir, file), 'utf8')) }));

describe('replaying recorded histories', () => {
  it('holds a history of every workflow type the worker registers', () => {
    const recorded = new Set(histories.map((h) => workflowTypeOf(h.history)));
    const missing = Object.values(WORKFLOW_TYPES).filter((t) => !recorded.has(t));
    expect(
      missing,
      `no recorded history of ${missing.join(', ')}: record one with test/replay/record.ts (see README, "Changing a workflow safely")`,
    ).toEqual([]);
  });

  it('replays every one against the current workflow code', async () => {
    installRuntime('ERROR');
    const failures: string[] = [];
    const replayed: string[] = [];
    // Workflows derive child and pool ids from workflowInfo().taskQueue, which a replay worker
    // takes from its own options (a made-up queue by default, so every child id would differ):
    // replay each history on the queue it ran on. The SDK's type leaves taskQueue out; its replay
    // worker spreads the options it is given over its default.
    for (const taskQueue of new Set(histories.map((h) => taskQueueOf(h.history)))) {
      const options: ReplayWorkerOptions & { taskQueue?: string } = {
        workflowBundle: { codePath: inject('workflowBundlePath') },
        taskQueue,
      };
      const onQueue = histories.filter((h) => taskQueueOf(h.history) === taskQueue);
      for await (const r of Worker.runReplayHistories(
        options,
        onQueue.map(({ file, history }) => ({ workflowId: file, history })),
      )) {
        replayed.push(r.workflowId);
        if (r.error) failures.push(`${r.workflowId}: ${r.error.name}: ${r.error.message}`);
      }
    }
    expect(failures, failures.join('\n')).toEqual([]);
    expect(replayed.sort()).toEqual(histories.map((h) => h.file));
  });
});
