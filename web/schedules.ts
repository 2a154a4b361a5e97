// Schedules derived from SLAs (schedules/), whether the freshness monitor runs, and the stale
// events it recorded in the warehouse.
import { ScheduleNotFoundError, WorkflowNotFoundError } from '@temporalio/client';
import { FRESHNESS_EVENTS_PREFIX, type AssetDef } from '../core/index.ts';
import { deriveSchedule } from '../schedules/derive.ts';
import { describeSchedules } from '../schedules/reconcile.ts';
import { monitorWorkflowId } from '../schedules/start.ts';
import type { Schedule, StaleEvent } from './api-types.ts';
import type { WebContext } from './context.ts';

const MAX_EVENTS = 200;

type Described = Awaited<ReturnType<typeof describeSchedules>>[number];

function toSchedule(d: Described): Schedule {
  return { description: d.reason, everyMs: d.everyMs, runTimeoutMs: d.runTimeoutMs, onServer: d.onServer, nextRunAt: d.nextRunAt ?? null, warning: d.warning ?? null };
}

/** Every asset's derived schedule, with the server's next run when Temporal has it. */
export async function allSchedules(ctx: WebContext): Promise<Map<string, Schedule>> {
  const list = await describeSchedules(ctx.control?.client, ctx.graph, ctx.config.taskQueue);
  return new Map(list.map((d) => [d.asset, toSchedule(d)]));
}

export async function scheduleOf(ctx: WebContext, asset: AssetDef): Promise<Schedule | null> {
  const d = deriveSchedule(asset, ctx.config.taskQueue);
  if (!d) return null;
  const client = ctx.control?.client;
  if (!client) return toSchedule({ ...d, onServer: false });
  try {
    const desc = await client.schedule.getHandle(d.scheduleId).describe();
    return toSchedule({ ...d, onServer: true, nextRunAt: desc.info.nextActionTimes[0]?.getTime() });
  } catch (err) {
    if (err instanceof ScheduleNotFoundError) return toSchedule({ ...d, onServer: false });
    throw err;
  }
}

export async function monitorRunning(ctx: WebContext): Promise<boolean> {
  const client = ctx.control?.client;
  if (!client) return false;
  try {
    return (await client.workflow.getHandle(monitorWorkflowId(ctx.config.taskQueue)).describe()).status.name === 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return false;
    throw err;
  }
}

/** The newest events first. A file that cannot be parsed is reported by name, not skipped silently. */
export async function staleEvents(ctx: WebContext): Promise<StaleEvent[]> {
  const objects = (await ctx.warehouse.list(FRESHNESS_EVENTS_PREFIX)).slice(-MAX_EVENTS).reverse();
  return Promise.all(objects.map(async (o) => {
    const bytes = await ctx.warehouse.get(o.path);
    try {
      const e = JSON.parse(new TextDecoder().decode(bytes)) as { at: number; asset: string; from: string; to: string; lagMs?: number; catchUpWorkflowId?: string };
      return { at: e.at, asset: e.asset, from: e.from, to: e.to, lagMs: e.lagMs ?? null, catchUpBackfill: e.catchUpWorkflowId ?? null };
    } catch {
      return { at: o.modified, asset: '?', from: '?', to: `unreadable event file ${o.path}`, lagMs: null, catchUpBackfill: null };
    }
  }));
}
