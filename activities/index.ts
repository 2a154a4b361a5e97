// Every activity the Freshet worker registers.
import { createMaterializeActivities, type ActivityDeps } from './materialize.ts';

export function createActivities(deps: ActivityDeps) {
  return { ...createMaterializeActivities(deps) };
}

export type Activities = ReturnType<typeof createActivities>;
export type { ActivityDeps, MaterializeActivityInput } from './materialize.ts';
