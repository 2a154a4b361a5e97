// Every activity the Freshet worker registers.
import { createBackfillActivities } from './backfill.ts';
import { createFreshnessActivities } from './freshness.ts';
import { createMaterializeActivities, type ActivityDeps } from './materialize.ts';
import { createStreamMergeActivities } from './stream-merge.ts';
import { createStreamingActivities } from './streaming.ts';

export function createActivities(deps: ActivityDeps) {
  return {
    ...createMaterializeActivities(deps),
    ...createBackfillActivities(deps),
    ...createFreshnessActivities(deps),
    ...createStreamingActivities(deps),
    ...createStreamMergeActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps } from './materialize.ts';
