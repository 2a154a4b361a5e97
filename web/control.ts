// The backfill and staleness operations the API calls, looked up at call time: the modules
// that implement them (control/backfills.ts, engine/staleness.ts) may still be contracts
// without bodies, and a missing one must give a 501 naming it, not stop the server loading.
import * as backfills from '../control/backfills.ts';
import * as staleness from '../engine/staleness.ts';

export class NotAvailableError extends Error {}

type Fn = (...args: never[]) => unknown;

function need<T extends Fn>(fn: T | undefined, name: string): T {
  if (typeof fn !== 'function') throw new NotAvailableError(`${name} is not implemented yet on this server.`);
  return fn;
}

const mod = backfills as Partial<typeof backfills>;

export const control = {
  previewBackfill: (...a: Parameters<typeof backfills.previewBackfill>) => need(mod.previewBackfill, 'previewBackfill')(...a),
  startBackfill: (...a: Parameters<typeof backfills.startBackfill>) => need(mod.startBackfill, 'startBackfill')(...a),
  backfillProgress: (...a: Parameters<typeof backfills.backfillProgress>) => need(mod.backfillProgress, 'backfillProgress')(...a),
  backfillPartitions: (...a: Parameters<typeof backfills.backfillPartitions>) => need(mod.backfillPartitions, 'backfillPartitions')(...a),
  listBackfills: (...a: Parameters<typeof backfills.listBackfills>) => need(mod.listBackfills, 'listBackfills')(...a),
  pauseBackfill: (...a: Parameters<typeof backfills.pauseBackfill>) => need(mod.pauseBackfill, 'pauseBackfill')(...a),
  resumeBackfill: (...a: Parameters<typeof backfills.resumeBackfill>) => need(mod.resumeBackfill, 'resumeBackfill')(...a),
  cancelBackfill: (...a: Parameters<typeof backfills.cancelBackfill>) => need(mod.cancelBackfill, 'cancelBackfill')(...a),
  retryFailedBackfill: (...a: Parameters<typeof backfills.retryFailedBackfill>) => need(mod.retryFailedBackfill, 'retryFailedBackfill')(...a),
};

export function hasBackfills(): boolean {
  return typeof mod.startBackfill === 'function';
}

/** The field a BackfillRequestError names, or undefined for any other error. */
export function backfillRequestField(err: unknown): string | undefined {
  const cls = mod.BackfillRequestError;
  if (typeof cls === 'function' && err instanceof cls) return err.field;
  return undefined;
}

const stale = staleness as Partial<typeof staleness>;

/** partitionStates when engine/staleness.ts has it; undefined otherwise (the grid then shows no 'stale'). */
export function partitionStatesFn(): typeof staleness.partitionStates | undefined {
  return typeof stale.partitionStates === 'function' ? stale.partitionStates : undefined;
}
