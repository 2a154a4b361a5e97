// Queries of one workflow go one at a time from this process. A closed workflow is queried by
// replaying its history on a worker, and the SDK can lose a second query of the same run that
// arrives meanwhile: it then times out after 30 s ("query timed out before a worker could process
// it"; sdk-core issues #438, #716). Seen once in CI: two re-run clicks of a cancelled backfill.
import type { WorkflowHandle } from '@temporalio/client';
import type { QueryDefinition } from '@temporalio/common';

const tails = new Map<string, Promise<unknown>>();

export async function queryOneAtATime<R, A extends unknown[]>(h: WorkflowHandle, def: QueryDefinition<R, A>, ...args: A): Promise<R> {
  const before = tails.get(h.workflowId) ?? Promise.resolve();
  const mine = before.catch(() => undefined).then(() => h.query(def, ...args));
  tails.set(h.workflowId, mine);
  try {
    return await mine;
  } finally {
    if (tails.get(h.workflowId) === mine) tails.delete(h.workflowId);
  }
}
