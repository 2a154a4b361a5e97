// Table maintenance on demand: a checkpoint at the newest version.
import type { ObjectStore } from '../storage/types.ts';
import { writeCheckpoint, type LastCheckpoint } from './checkpoint.ts';
import { DeltaLogError } from './errors.ts';
import { latestState } from './snapshot.ts';

/** Writes a checkpoint of the newest version (writers also do this every delta.checkpointInterval commits). */
export async function checkpoint(table: ObjectStore): Promise<LastCheckpoint> {
  const state = await latestState(table);
  if (!state) throw new DeltaLogError(`${table.uri} is not a Delta table: it has no _delta_log`);
  return writeCheckpoint(table, state);
}
