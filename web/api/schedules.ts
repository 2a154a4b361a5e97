// POST /api/schedules/:asset/{pause,unpause,run}: operating an asset's Temporal schedule from the
// page (schedules/control.ts does the work; the list is GET /api/schedules in meta.ts).
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { pauseSchedule, runScheduleNow, ScheduleControlError, unpauseSchedule } from '../../schedules/control.ts';
import type { WebContext } from '../context.ts';
import { HttpError } from '../errors.ts';
import { emptyBody, findAsset, jsonBody } from '../input.ts';

/** Pause and unpause: an optional note, shown by Temporal beside the schedule. */
export const noteBody = z.strictObject({ note: z.string().max(500, 'must be at most 500 characters').optional() });

export interface ScheduleRunStarted {
  /** the workflow the schedule started, or null when it had not taken the action yet (it will) */
  workflowId: string | null;
}

export function scheduleRoutes(ctx: WebContext): Hono {
  const app = new Hono();
  const target = (c: Context) => {
    if (!ctx.control)
      throw new HttpError(
        503,
        'This server has no Temporal connection, so it cannot operate schedules: start it with `freshet web` or `freshet dev`.',
      );
    return { client: ctx.control.client, asset: findAsset(ctx.graph, c.req.param('asset') ?? '') };
  };

  app.post('/:asset/pause', async (c) => {
    const { client, asset } = target(c);
    const { note } = noteBody.parse(await jsonBody(c));
    await answering(() => pauseSchedule(client, ctx.config.taskQueue, asset, note));
    return c.json({ paused: true });
  });

  app.post('/:asset/unpause', async (c) => {
    const { client, asset } = target(c);
    const { note } = noteBody.parse(await jsonBody(c));
    await answering(() => unpauseSchedule(client, ctx.config.taskQueue, asset, note));
    return c.json({ paused: false });
  });

  app.post('/:asset/run', async (c) => {
    const { client, asset } = target(c);
    emptyBody.parse(await jsonBody(c));
    const workflowId = await answering(() => runScheduleNow(client, ctx.config.taskQueue, asset));
    return c.json<ScheduleRunStarted>({ workflowId }, 202);
  });

  return app;
}

/** No SLA: nothing to operate (404); not on the server yet: a state to fix first (409). */
async function answering<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (err) {
    if (err instanceof ScheduleControlError) throw new HttpError(err.kind === 'no-sla' ? 404 : 409, err.message, 'name');
    throw err;
  }
}
