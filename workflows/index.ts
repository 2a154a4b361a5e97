// Every workflow the Freshet worker registers (this file is what the worker bundles).
export { materializePartition, materializeRange } from './materialize.ts';
export { backfill } from './backfill.ts';
