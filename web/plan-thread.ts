// The web server's planning thread (started by planner.ts): plans backfill previews off the
// server's event loop, so a costly plan cannot stop it answering, and can be stopped outright.
import { parentPort, workerData } from 'node:worker_threads';
import { planPreview } from '../control/preview.ts';
import { BackfillRequestError } from '../core/backfill-plan.ts';
import { AssetGraphError, definitions, PartitionKeyError, type AssetDef } from '../core/index.ts';
import { openStore } from '../storage/index.ts';
import type { BackfillRequest } from '../contract/backfill.ts';
import type { PlanReply, ThreadData } from './planner.ts';

const data = workerData as ThreadData;
// The declarations as data: planning reads names, dependencies and partitions, never the SQL.
const graph = definitions({ assets: data.assets as AssetDef[] });
const warehouse = openStore(data.warehouse, { s3: data.s3 });
const port = parentPort!;

port.on('message', async ({ id, request }: { id: number; request: BackfillRequest }) => {
  let reply: PlanReply;
  try {
    reply = { id, preview: await planPreview(graph, warehouse, request) };
  } catch (err) {
    const e = err as Error;
    const kind =
      err instanceof BackfillRequestError
        ? 'request'
        : err instanceof PartitionKeyError
          ? 'partition'
          : err instanceof AssetGraphError
            ? 'graph'
            : 'other';
    reply = { id, error: { kind, message: e.message ?? String(err), field: err instanceof BackfillRequestError ? err.field : undefined } };
  }
  port.postMessage(reply);
});
port.postMessage({ ready: true });
