// Schedules derived from SLAs (schedules/) with their recent runs and paused state, whether the freshness monitor runs, and the late
// events it recorded in the warehouse.
import { WorkflowNotFoundError } from '@temporalio/client';
import { currentStatusName, type FreshnessEvent } from '../contract/freshness.ts';
import { freshnessMonitorWorkflowId } from '../contract/ids.ts';
import { FRESHNESS_EVENTS_PREFIX } from '../contract/layout.ts';
import type { AssetDef } from '../core/index.ts';
import { scheduleState } from '../schedules/control.ts';
import { describeSchedule, describeSchedules, type DescribedSchedule } from '../schedules/reconcile.ts';
import type { Schedule, StaleEvent } from './api-types.ts';
import type { WebContext } from './context.ts';

const MAX_EVENTS = 200;

async function toSchedule(ctx: WebContext, d: DescribedSchedule): Promise<Schedule> {
  const client = ctx.control?.client;
  const server = client && d.server ? await scheduleState(client, d.server) : { paused: false, note: null, recentRuns: [] };
  return {
    ...server,
    description: d.reason,
    everyMs: d.everyMs,
    runTimeoutMs: d.runTimeoutMs,
    onServer: d.onServer,
    nextRunAt: d.nextRunAt ?? null,
    warning: d.warning ?? null,
  };
}

/** Every asset's derived schedule, with the server's next run when Temporal has it. */
export async function allSchedules(ctx: WebContext): Promise<Map<string, Schedule>> {
  const list = await describeSchedules(ctx.control?.client, ctx.graph, ctx.config.taskQueue);
  return new Map(await Promise.all(list.map(async (d) => [d.asset, await toSchedule(ctx, d)] as const)));
}

export async function scheduleOf(ctx: WebContext, asset: AssetDef): Promise<Schedule | null> {
  const d = await describeSchedule(ctx.control?.client, asset, ctx.config.taskQueue);
  return d ? toSchedule(ctx, d) : null;
}

export async function monitorRunning(ctx: WebContext): Promise<boolean> {
  const client = ctx.control?.client;
  if (!client) return false;
  try {
    return (await client.workflow.getHandle(freshnessMonitorWorkflowId(ctx.config.taskQueue)).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** The newest events first. A file that cannot be parsed is reported by name, not skipped silently. */
export async function staleEvents(ctx: WebContext): Promise<StaleEvent[]> {
  const objects = (await ctx.warehouse.list(FRESHNESS_EVENTS_PREFIX)).slice(-MAX_EVENTS).reverse();
  return Promise.all(
    objects.map(async (o) => {
      const bytes = await ctx.warehouse.get(o.path);
      try {
        const e = JSON.parse(new TextDecoder().decode(bytes)) as FreshnessEvent;
        return {
          at: e.at,
          asset: e.asset,
          from: currentStatusName(e.from),
          to: currentStatusName(e.to),
          lagMs: e.lagMs ?? null,
          catchUpBackfill: e.catchUpWorkflowId ?? null,
        };
      } catch {
        return { at: o.modified, asset: '?', from: '?', to: `unreadable event file ${o.path}`, lagMs: null, catchUpBackfill: null };
      }
    }),
  );
}
