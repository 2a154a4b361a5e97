// Attempts running now, as Temporal knows them: the newest open backfill and materialize
// workflows of this deployment (one list call) and the started activities of each (one describe
// apiece). Describe gives no activity inputs; the activities name their asset and partitions in
// their heartbeats (contract/runs.ts, RunHeartbeat), so nothing is queried of a worker.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
// the default import: Node's ESM loader finds no named exports in this CommonJS package
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import { triggerOfWorkflowId, type RunHeartbeat, type RunRow } from '../contract/runs.ts';
import { WORKFLOW_TYPES } from '../contract/workflows.ts';

/** How many open workflows are described per call: the newest, so the list stays cheap however many run. */
export const RUNNING_WORKFLOWS_DESCRIBED = 20;

/** How long listing and describing may take before the caller gets an error rather than a hang. */
const DEADLINE_MS = 5_000;

const { PENDING_ACTIVITY_STATE_STARTED, PENDING_ACTIVITY_STATE_CANCEL_REQUESTED } = proto.temporal.api.enums.v1.PendingActivityState;

function heartbeatOf(p: temporal.api.workflow.v1.IPendingActivityInfo): RunHeartbeat | undefined {
  const payload = p.heartbeatDetails?.payloads?.[0];
  if (!payload) return undefined;
  try {
    const hb = defaultPayloadConverter.fromPayload<Partial<RunHeartbeat>>(payload);
    return typeof hb?.asset === 'string' && Array.isArray(hb.partitions) ? (hb as RunHeartbeat) : undefined;
  } catch {
    return undefined; // not a materializing activity's heartbeat
  }
}

/** One row per partition an activity is computing now, newest start first. */
export async function runningAttempts(client: Client, taskQueue: string, limit = RUNNING_WORKFLOWS_DESCRIBED): Promise<RunRow[]> {
  const types = [WORKFLOW_TYPES.backfill, WORKFLOW_TYPES.materializePartition].map((t) => `WorkflowType = '${t}'`).join(' OR ');
  const prefix = `${taskQueue.replaceAll("'", '')}/`;
  const query = `ExecutionStatus = 'Running' AND (${types}) AND WorkflowId STARTS_WITH '${prefix}'`;
  return client.withDeadline(Date.now() + DEADLINE_MS, async () => {
    const open: Array<{ workflowId: string; runId: string }> = [];
    for await (const wf of client.workflow.list({ query })) {
      open.push({ workflowId: wf.workflowId, runId: wf.runId });
      if (open.length >= limit) break;
    }
    const described = await Promise.all(
      open.map(async (wf) => {
        // one that ended since it was listed has nothing running
        const desc = await client.workflow
          .getHandle(wf.workflowId, wf.runId)
          .describe()
          .catch(() => undefined);
        return { wf, pending: desc?.raw.pendingActivities ?? [] };
      }),
    );
    const rows: RunRow[] = [];
    for (const { wf, pending } of described) {
      for (const p of pending) {
        if (p.state !== PENDING_ACTIVITY_STATE_STARTED && p.state !== PENDING_ACTIVITY_STATE_CANCEL_REQUESTED) continue;
        const hb = heartbeatOf(p);
        const startedAt = optionalTsToMs(p.lastStartedTime);
        if (!hb || startedAt === undefined) continue; // not materializing, or before its first heartbeat
        for (const partition of hb.partitions) {
          rows.push({
            asset: hb.asset,
            partition,
            trigger: hb.trigger ?? triggerOfWorkflowId(wf.workflowId),
            status: 'running',
            attempt: p.attempt ?? 1,
            startedAt,
            durationMs: null,
            rows: null,
            bytes: null,
            version: null,
            workflowId: wf.workflowId,
            runId: wf.runId,
            log: null,
            error: null,
          });
        }
      }
    }
    return rows.sort((a, b) => b.startedAt - a.startedAt);
  });
}
