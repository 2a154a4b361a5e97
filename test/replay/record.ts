// Records one small history of every Freshet workflow type into test/replay/histories/, for
// test/replay.test.ts to replay against the current workflow code. Run by hand, from the repo root:
//
//   FRESHET_HOME=/path/to/.freshet node --import tsx test/replay/record.ts [name ...]
//
// (names: the histories to record, default all). It starts its own Temporal dev server and an
// in-process worker on a fresh warehouse, runs each workflow to its end (the freshness monitor,
// which never ends, for a few iterations), and writes each run's history as JSON.
// Re-record only to ADD a history (a new workflow type, a new path); never to make a failing replay
// pass: the old history is what running workflows in production replay.
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMaterialize } from '../../control/materialize.ts';
import { startStream, stopStream } from '../../control/streams.ts';
import { startWorkflow } from '../../control/start-workflow.ts';
import { assetPoolWorkflowId, freshnessMonitorWorkflowId } from '../../contract/ids.ts';
import { asset, dailyPartitions, definitions, source } from '../../core/index.ts';
import { createWorker, installRuntime, loadConfig, type FreshetConfig } from '../../runtime/index.ts';
import { startTemporalDevServer } from '../../services/temporal.ts';
import chain from '../fixtures/chain-project.ts';
import pool from '../fixtures/pool-project.ts';
import sla from '../fixtures/sla-project.ts';
import streams from '../fixtures/stream-project.ts';
import { historyToFile } from './history-file.ts';
import { pauseSignal, progressQuery } from '../../contract/signals.ts';
import { untilTrue } from '../support/until.ts';

export const historiesDir = fileURLToPath(new URL('./histories/', import.meta.url));

// One project holding every fixture the recordings need: a dependent chain, a pooled asset, an
// SLA with no data (the monitor catches it up) and the streaming assets.
// `broken` fails on 2026-08-02, with no retry: what reads it is failed without running.
const broken = [
  source({
    name: 'broken',
    partitions: dailyPartitions({ start: '2026-01-01' }),
    schema: { x: 'BIGINT' },
    retry: { maxAttempts: 1 },
    async *transform({ partition }) {
      if (partition!.key === '2026-08-02') throw new Error('broken on purpose');
      yield [{ x: 1 }];
    },
  }),
  asset({ name: 'after_broken', partitions: dailyPartitions({ start: '2026-01-01' }), deps: ['broken'], sql: 'SELECT x FROM broken' }),
];
const graph = definitions({ assets: [...chain.assets, pool.get('pooled'), ...sla.assets, ...broken], streams: streams.streams });

type Recording = (ctx: { client: Client; config: FreshetConfig }) => Promise<Record<string, WorkflowHandle>>;

const recordings: Record<string, Recording> = {
  // Two assets, three days, at most 12 events a run: the chain continues as new several times.
  backfill: async ({ client, config }) => {
    const handle = await startWorkflow(client, 'backfill', {
      taskQueue: config.taskQueue,
      workflowId: `${config.taskQueue}/backfill/replay`,
      args: [
        {
          request: { assets: ['raw', 'clean'], downstream: false, from: '2026-08-01', to: '2026-08-03', concurrency: 2, force: true },
          maxHistoryEvents: 12,
        },
      ],
    });
    await handle.result();
    return Object.fromEntries(
      (await runsOf(client, handle.workflowId, handle.firstExecutionRunId)).map((runId, i) => [
        `backfill-run${i + 1}`,
        client.workflow.getHandle(handle.workflowId, runId),
      ]),
    );
  },
  // Paused (the memo says so), then cancelled through Temporal: it winds down and ends CANCELLED.
  backfillCancelled: async ({ client, config }) => {
    const handle = await startWorkflow(client, 'backfill', {
      taskQueue: config.taskQueue,
      workflowId: `${config.taskQueue}/backfill/replay-cancelled`,
      args: [
        { request: { assets: ['raw', 'clean'], downstream: false, from: '2026-08-01', to: '2026-08-10', concurrency: 1, force: true } },
      ],
    });
    await handle.signal(pauseSignal);
    await untilTrue('the backfill paused', async () => (await handle.query(progressQuery)).status === 'paused');
    await handle.cancel();
    await handle.result().catch(() => {});
    return { 'backfill-cancelled': handle };
  },
  // The only day to run fails, and the day that reads it is failed unrun: the failure is the last
  // batch to finish (the plan's ranges as runs, the workflow failing readers before it judges itself finished).
  backfillFailed: async ({ client, config }) => {
    const handle = await startWorkflow(client, 'backfill', {
      taskQueue: config.taskQueue,
      workflowId: `${config.taskQueue}/backfill/replay-failed`,
      args: [{ request: { assets: ['broken'], downstream: true, from: '2026-08-02', to: '2026-08-02', force: true } }],
    });
    await handle.result();
    return { 'backfill-failed': handle };
  },
  materializePartition: async ({ client, config }) => {
    const handle = await startMaterialize(client, config.taskQueue, graph.get('raw'), '2026-09-01');
    await handle.result();
    return { materializePartition: handle };
  },
  // Two partitions of a concurrency-1 asset at once: one waits for the other's slot. The pool
  // stays open until it has been idle 10 minutes: its history so far is recorded.
  assetPool: async ({ client, config }) => {
    const pooled = graph.get('pooled');
    const handles = await Promise.all(['2026-09-01', '2026-09-02'].map((key) => startMaterialize(client, config.taskQueue, pooled, key)));
    await Promise.all(handles.map((h) => h.result()));
    return {
      'materializePartition-pooled': handles[0],
      assetPool: client.workflow.getHandle(assetPoolWorkflowId(config.taskQueue, 'pooled')),
    };
  },
  // `pulse` has an SLA and no data: the first check starts a catch-up; a few more iterations after.
  freshnessMonitor: async ({ client, config }) => {
    const handle = await startWorkflow(client, 'freshnessMonitor', {
      taskQueue: config.taskQueue,
      workflowId: freshnessMonitorWorkflowId(config.taskQueue),
      args: [{ intervalMs: 1000 }],
    });
    await untilTrue('three freshness checks', async () => (await completedActivities(handle)) >= 3);
    return { freshnessMonitor: handle };
  },
  // A finite generator (it ends the job: 'finished'), and an endless one stopped by signal, and a
  // salted job on two shards (the patched merge activity beside them).
  streamingJob: async ({ client, config }) => {
    const finite = client.workflow.getHandle(
      await startStream(
        client,
        config.taskQueue,
        'spend_per_user_10s',
        { kind: 'generator', options: { partitions: 2, eventsPerSecond: 1000, limit: 3000, seed: 1 } },
        { checkpointIntervalMs: 500 },
      ),
    );
    const salted = client.workflow.getHandle(
      await startStream(
        client,
        config.taskQueue,
        'spend_per_user_salted',
        { kind: 'generator', options: { partitions: 2, eventsPerSecond: 1000, limit: 3000, seed: 2 } },
        { shards: 2, checkpointIntervalMs: 500 },
      ),
    );
    await Promise.all([finite.result(), salted.result()]);
    // pinned to its run: the stopped job below is a second run of the same workflow id
    const finished = client.workflow.getHandle(finite.workflowId, (await finite.describe()).runId);
    // the same asset again (one job per asset), endless this time
    const stopped = client.workflow.getHandle(
      await startStream(
        client,
        config.taskQueue,
        'spend_per_user_10s',
        { kind: 'generator', options: { partitions: 1, eventsPerSecond: 200, realtime: true, startTime: Date.now(), seed: 3 } },
        { checkpointIntervalMs: 500 },
      ),
    );
    await new Promise((r) => setTimeout(r, 3000));
    await stopStream(client, config.taskQueue, 'spend_per_user_10s');
    await stopped.result();
    return { 'streamingJob-finished': finished, 'streamingJob-salted': salted, 'streamingJob-stopped': stopped };
  },
};

/** Every run of a chain of continue-as-new, first to last, from each run's closing event. */
async function runsOf(client: Client, workflowId: string, firstRunId: string): Promise<string[]> {
  const runs = [firstRunId];
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runs.at(-1)).fetchHistory();
    const next = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    if (!next) return runs;
    runs.push(next);
  }
}

async function completedActivities(handle: WorkflowHandle): Promise<number> {
  return ((await handle.fetchHistory()).events ?? []).filter((e) => e.activityTaskCompletedEventAttributes).length;
}

async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  for (const name of wanted)
    if (!recordings[name]) throw new Error(`No recording '${name}'; the recordings are ${Object.keys(recordings).join(', ')}.`);
  installRuntime('ERROR');
  const server = await startTemporalDevServer();
  const warehouse = mkdtempSync(path.join(tmpdir(), 'freshet-replay-record-'));
  const config: FreshetConfig = { ...loadConfig({}), temporalAddress: server.address, taskQueue: 'freshet-replay', warehouse };
  const { worker, connection: native } = await createWorker({ config, graph });
  const running = worker.run();
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: config.namespace });
  try {
    mkdirSync(historiesDir, { recursive: true });
    for (const [name, record] of Object.entries(recordings)) {
      if (wanted.length && !wanted.includes(name)) continue;
      for (const [file, handle] of Object.entries(await record({ client, config }))) {
        const history = await handle.fetchHistory();
        writeFileSync(path.join(historiesDir, `${file}.json`), historyToFile(history));
        console.log(`${file}.json: ${history.events?.length ?? 0} events`);
      }
    }
  } finally {
    // the monitor and the pool never end on their own
    for (const id of [freshnessMonitorWorkflowId(config.taskQueue), assetPoolWorkflowId(config.taskQueue, 'pooled')]) {
      await client.workflow
        .getHandle(id)
        .terminate('recording done')
        .catch(() => {});
    }
    // (a signal to the process stops the worker by itself)
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await native.close();
    await connection.close();
    await server.stop();
    rmSync(warehouse, { recursive: true, force: true });
  }
}

await main();
