// One palette for the whole page, indexed like the server's state lists.
import { HEALTH_STATES, TASK_STATES, type FreshnessStatus } from '../../api-types.ts';

const HEALTH: Record<(typeof HEALTH_STATES)[number], string> = {
  missing: '#dee2e6',
  materialized: '#2f9e44',
  stale: '#f59f00',
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

export const freshnessColor: Record<FreshnessStatus, string> = {
  fresh: '#2f9e44',
  'at-risk': '#f59f00',
  stale: '#e03131',
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
  succeeded: '#2f9e44',
  failed: '#e03131',
  terminated: '#e03131',
};
