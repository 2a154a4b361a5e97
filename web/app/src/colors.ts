// One palette for the whole page, indexed like the server's state lists.
import { HEALTH_STATES, TASK_STATES, type FreshnessStatus } from '../../api-types.ts';

const HEALTH: Record<(typeof HEALTH_STATES)[number], string> = {
  missing: '#dee2e6',
  materialized: '#2f9e44',
  outdated: '#f59f00',
  running: '#1c7ed6',
  failed: '#e03131',
};
export const healthNames = HEALTH_STATES;
export const healthColors = HEALTH_STATES.map((s) => HEALTH[s]);

const TASK: Record<string, string> = {
  pending: '#ced4da',
  running: '#1c7ed6',
  materialized: '#2f9e44',
  skipped: '#b2f2bb',
  failed: '#e03131',
  cancelled: '#868e96',
};
export const taskNames = TASK_STATES;
export const taskColors = TASK_STATES.map((s) => TASK[s]);

/** inputs changed since computed: the grid's 'outdated' cells, apart from the SLA's colours */
export const outdatedColor = HEALTH.outdated;

export const freshnessColor: Record<FreshnessStatus, string> = {
  fresh: '#2f9e44',
  'at-risk': '#f59f00',
  late: '#e03131',
  never: '#c2255c',
  'no-sla': '#868e96',
  unknown: '#868e96',
};

export const backfillStatusColor: Record<string, string> = {
  planning: '#868e96',
  running: '#1c7ed6',
  paused: '#f59f00',
  cancelling: '#e8590c',
  cancelled: '#868e96',
  completed: '#2f9e44',
  completed_with_failures: '#e03131',
  // workflow statuses, as the list of backfills gives them
  failed: '#e03131',
  terminated: '#e03131',
  timed_out: '#e03131',
  continued_as_new: '#1c7ed6',
};
