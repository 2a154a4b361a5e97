// Client-side operations on streaming jobs: start, stop, restart, and status with live metrics.
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { streamWorkflowId } from '../contract/ids.ts';
import { STREAM_HISTORY_DIR, streamJobDir } from '../contract/layout.ts';
import { scheduledQueue } from '../contract/queues.ts';
import { restartStreamSignal, stopStreamSignal, streamStatusQuery } from '../contract/signals.ts';
import {
  parseStreamHistory,
  SHARD_ACTIVITY,
  type ShardHeartbeat,
  type StreamMetricsHistory,
  type SourceSpec,
  type StreamingJobInput,
  type StreamingJobStatus,
} from '../contract/streaming.ts';
import type { ObjectStore } from '../storage/index.ts';
import { startWorkflow } from './start-workflow.ts';

export interface StreamOptions {
  shards?: number;
  checkpointIntervalMs?: number;
  heartbeatTimeoutMs?: number;
}

/** Starts the job, or joins the one already running. */
export async function startStream(
  client: Client,
  taskQueue: string,
  asset: string,
  source: SourceSpec,
  opts: StreamOptions = {},
): Promise<string> {
  const workflowId = streamWorkflowId(taskQueue, asset);
  const input: StreamingJobInput = { asset, source, ...opts };
  await startWorkflow(client, 'streamingJob', {
    taskQueue: scheduledQueue(taskQueue),
    workflowId,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return workflowId;
}

export interface ShardStatus {
  /** from the shard's heartbeat; undefined until its first attempt has started on a worker */
  shard: number | undefined;
  /** 1 on the first run; each worker death adds one */
  attempt: number;
  lastHeartbeatAt: number | undefined;
  heartbeat: ShardHeartbeat | undefined;
  lastFailure: string | undefined;
  /** the identity (pid@host) of the worker that last started this attempt, as Temporal records it */
  worker: string | undefined;
}

/**
 * A job as Temporal and, when one answers, its worker know it. The workflow's own fields (state,
 * shards, restarts, source) come from a query a worker answers; with no worker polling they are
 * absent and `liveUnavailable` says why, while Temporal's own fields still show.
 */
export interface StreamStatus extends Partial<Omit<StreamingJobStatus, 'asset' | 'startedAt'>> {
  asset: string;
  workflowId: string;
  runId: string;
  workflowStatus: string;
  /** when the job started: the workflow's own record, else Temporal's start time */
  startedAt: number;
  shardsStatus: ShardStatus[];
  /** why the live state is missing (no worker answered the query in time); undefined when it is there */
  liveUnavailable: string | undefined;
}

/**
 * How long a status query may wait for a worker: Temporal holds a query until a worker takes it
 * (about 30 s), too long for a page or a status command when no worker runs.
 */
export const STATUS_QUERY_DEADLINE_MS = 3_000;

export async function streamStatus(client: Client, taskQueue: string, asset: string): Promise<StreamStatus | undefined> {
  const handle = client.workflow.getHandle(streamWorkflowId(taskQueue, asset));
  let desc;
  try {
    desc = await handle.describe();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
  let status: StreamingJobStatus | undefined;
  let liveUnavailable: string | undefined;
  // A closed workflow is answered from its history by any worker; it too waits without one.
  try {
    status = await client.withDeadline(Date.now() + STATUS_QUERY_DEADLINE_MS, () => handle.query(streamStatusQuery));
  } catch (err) {
    liveUnavailable = `No worker answered the job's status query within ${STATUS_QUERY_DEADLINE_MS / 1000} s (${(err as Error).message.slice(0, 200)}): start one (\`npx freshet worker\` or \`npm start\`) to see the job's state; shard heartbeats below are Temporal's last record.`;
  }
  // Live metrics travel in heartbeats: read them from the pending shard activities (not the merge).
  // The order of pending activities says nothing about which shard each is: the heartbeat names it.
  const pending = (desc.raw.pendingActivities ?? []).filter((p) => p.activityType?.name === SHARD_ACTIVITY);
  const shardsStatus: ShardStatus[] = pending.map((p) => {
    const payload = p.heartbeatDetails?.payloads?.[0];
    const heartbeat = payload ? defaultPayloadConverter.fromPayload<ShardHeartbeat>(payload) : undefined;
    return {
      shard: heartbeat?.shard,
      attempt: p.attempt ?? 1,
      lastHeartbeatAt: p.lastHeartbeatTime?.seconds ? Number(p.lastHeartbeatTime.seconds) * 1000 : undefined,
      heartbeat,
      lastFailure: p.lastFailure?.message ?? undefined,
      worker: p.lastWorkerIdentity || undefined,
    };
  });
  shardsStatus.sort((a, b) => (a.shard ?? Infinity) - (b.shard ?? Infinity));
  return {
    ...status,
    asset,
    startedAt: status?.startedAt ?? desc.startTime.getTime(),
    workflowId: desc.workflowId,
    runId: desc.runId,
    workflowStatus: desc.status.name,
    shardsStatus,
    liveUnavailable,
  };
}

export async function stopStream(client: Client, taskQueue: string, asset: string): Promise<void> {
  await client.workflow.getHandle(streamWorkflowId(taskQueue, asset)).signal(stopStreamSignal);
}

export async function restartStream(client: Client, taskQueue: string, asset: string): Promise<void> {
  await client.workflow.getHandle(streamWorkflowId(taskQueue, asset)).signal(restartStreamSignal);
}

/** Each shard's metrics history (activities/stream-history.ts writes it), by shard; none before the first checkpoint. */
export async function streamHistory(warehouse: ObjectStore, asset: string): Promise<StreamMetricsHistory[]> {
  const dir = warehouse.at(streamJobDir(asset));
  const files = await dir.list(STREAM_HISTORY_DIR, { shallow: true });
  const histories = await Promise.all(
    files.map(async (f): Promise<StreamMetricsHistory | undefined> => {
      const shard = /shard-(\d+)\.json$/.exec(f.path);
      const bytes = shard && (await dir.get(f.path));
      return bytes ? { shard: Number(shard[1]), samples: parseStreamHistory(new TextDecoder().decode(bytes)) } : undefined;
    }),
  );
  return histories.filter((x) => x !== undefined).sort((a, b) => a.shard - b.shard);
}
