// Which errors no retry can fix: they fail the activity at once instead of burning attempts.
import { AssetGraphError, PartitionKeyError } from '../core/index.ts';
import { MissingInputError } from '../engine/index.ts';

export function isPermanent(err: unknown): err is Error {
  return err instanceof MissingInputError || err instanceof AssetGraphError || err instanceof PartitionKeyError;
}

/** How often a computing activity heartbeats; cancellation reaches it with the next one. */
export const HEARTBEAT_EVERY_MS = 2_000;
