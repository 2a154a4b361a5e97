// Backfill previews (and the check before a start) planned on a thread of their own: the web
// server's event loop only waits, so /api/info still answers while a plan runs, and a plan
// that runs too long is stopped by ending the thread. One plan runs at a time; a few may wait.
import { Worker } from 'node:worker_threads';
import { BackfillRequestError } from '../core/backfill-plan.ts';
import { AssetGraphError, PartitionKeyError, type AssetGraph } from '../core/index.ts';
import type { BackfillPreview, BackfillRequest } from './api-types.ts';
import { HttpError } from './errors.ts';
import type { FreshetConfig } from '../runtime/index.ts';
import type { S3Options } from '../storage/index.ts';

/** A plan within MAX_BACKFILL_PARTITIONS takes a second or two; this is for what nobody foresaw. */
export const PLAN_TIMEOUT_MS = 30_000;
/** plans queued behind the running one before more are turned away */
export const MAX_WAITING_PLANS = 8;
/** the thread compiles its modules once (tsx) before its first plan */
const START_TIMEOUT_MS = 120_000;

export interface ThreadData {
  /** the project's declarations without their functions (planning never runs them) */
  assets: unknown[];
  warehouse: string;
  /** how the thread reaches an S3 warehouse (the worker thread has no configuration of its own) */
  s3: S3Options;
}

export type PlanReply =
  | { id: number; preview: BackfillPreview }
  | { id: number; error: { kind: 'request' | 'partition' | 'graph' | 'other'; message: string; field?: string } };

export interface Planner {
  plan(request: BackfillRequest): Promise<BackfillPreview>;
  close(): Promise<void>;
}

interface Thread {
  worker: Worker;
  ready: Promise<void>;
  pending: Map<number, (reply: PlanReply | Error) => void>;
}

export function createPlanner(
  graph: AssetGraph,
  config: Pick<FreshetConfig, 'warehouse' | 's3'>,
  opts: { timeoutMs?: number } = {},
): Planner {
  const timeoutMs = opts.timeoutMs ?? PLAN_TIMEOUT_MS;
  const data: ThreadData = { assets: graph.assets.map(declaration), warehouse: config.warehouse, s3: config.s3 };
  let thread: Thread | undefined;
  let nextId = 0;
  let running = false;
  const waiting: Array<() => void> = [];

  const start = (): Thread => {
    const worker = new Worker(new URL('../bin/ts-thread.mjs', import.meta.url), {
      argv: [new URL('./plan-thread.ts', import.meta.url).href],
      workerData: data,
    });
    worker.unref(); // an idle planner never keeps the process alive
    const pending = new Map<number, (reply: PlanReply | Error) => void>();
    const t: Thread = { worker, pending, ready: undefined as unknown as Promise<void> };
    const fail = (err: Error) => {
      if (thread === t) thread = undefined;
      for (const settle of pending.values()) settle(err);
      pending.clear();
    };
    t.ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the planning thread did not start within ${START_TIMEOUT_MS / 1000} s`)),
        START_TIMEOUT_MS,
      );
      worker.on('message', (m: PlanReply | { ready: true }) => {
        if ('ready' in m) {
          clearTimeout(timer);
          resolve();
          return;
        }
        pending.get(m.id)?.(m);
        pending.delete(m.id);
      });
      worker.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
        fail(err);
      });
      worker.on('exit', (code) => {
        clearTimeout(timer);
        const err = new Error(`the planning thread stopped (exit code ${code})`);
        reject(err);
        fail(err);
      });
    });
    t.ready.catch(() => {});
    return t;
  };

  const once = async (request: BackfillRequest): Promise<BackfillPreview> => {
    const t = (thread ??= start());
    await t.ready;
    const id = nextId++;
    const reply = await new Promise<PlanReply | Error>((resolve) => {
      const timer = setTimeout(() => {
        t.pending.delete(id);
        if (thread === t) thread = undefined;
        void t.worker.terminate(); // stops the plan where it is, even mid-loop
        resolve(
          new HttpError(
            503,
            `Planning this backfill took more than ${timeoutMs / 1000} s, so it was stopped: select fewer assets or a shorter range.`,
          ),
        );
      }, timeoutMs);
      t.pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      t.worker.postMessage({ id, request });
    });
    if (reply instanceof Error) throw reply;
    if ('preview' in reply) return reply.preview;
    throw rebuild(reply.error);
  };

  return {
    async plan(request) {
      if (running) {
        if (waiting.length >= MAX_WAITING_PLANS) {
          throw new HttpError(503, `${MAX_WAITING_PLANS} backfill plans are already waiting for the planner: try again in a moment.`);
        }
        await new Promise<void>((resolve) => waiting.push(resolve)); // the plan before hands its turn over
      }
      running = true;
      try {
        return await once(request);
      } finally {
        const next = waiting.shift();
        if (next) next();
        else running = false;
      }
    },
    async close() {
      const t = thread;
      thread = undefined;
      if (t) await t.worker.terminate();
    },
  };
}

/** An asset declaration as plain data: its SQL and transform functions cannot cross to a thread, and planning does not need them. */
function declaration(a: AssetGraph['assets'][number]): unknown {
  return { ...a, sql: typeof a.sql === 'string' ? a.sql : undefined, rangeSql: undefined, transform: undefined, functions: {} };
}

/** The thread's error as the class the API answers with a 400 and the field. */
function rebuild(e: { kind: string; message: string; field?: string }): Error {
  if (e.kind === 'request') return new BackfillRequestError(e.field ?? 'body', e.message);
  if (e.kind === 'partition') return new PartitionKeyError(e.message);
  if (e.kind === 'graph') return new AssetGraphError(e.message);
  return new Error(e.message);
}
