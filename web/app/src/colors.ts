// One palette for the whole page, indexed like the server's state lists. Every colour is a
// palette variable of styles.css, so the dark theme recolours it; canvas and chart code, which
// cannot take var(), resolve them through theme.ts.
import { HEALTH_STATES, TASK_STATES, type FreshnessStatus } from '../../api-types.ts';

const [fg, muted, border, accent, ok, okSoft, warn, danger] = [
  'var(--fg)',
  'var(--muted)',
  'var(--border)',
  'var(--accent)',
  'var(--ok)',
  'var(--ok-soft)',
  'var(--warn)',
  'var(--danger)',
];
export const palette = { fg, muted, border, accent, ok, okSoft, warn, danger };

const HEALTH: Record<(typeof HEALTH_STATES)[number], string> = {
  missing: border,
  materialized: ok,
  outdated: warn,
  running: accent,
  failed: danger,
};
export const healthNames = HEALTH_STATES;
export const healthColors = HEALTH_STATES.map((s) => HEALTH[s]);

const TASK: Record<string, string> = {
  pending: border,
  running: accent,
  materialized: ok,
  skipped: okSoft,
  failed: danger,
  cancelled: muted,
};
export const taskNames = TASK_STATES;
export const taskColors = TASK_STATES.map((s) => TASK[s]);

/** inputs changed since computed: the grid's 'outdated' cells, apart from the SLA's colours */
export const outdatedColor = HEALTH.outdated;

export const freshnessColor: Record<FreshnessStatus, string> = {
  fresh: ok,
  'at-risk': warn,
  late: danger,
  never: danger,
  'no-sla': muted,
  unknown: muted,
};

export const backfillStatusColor: Record<string, string> = {
  planning: muted,
  running: accent,
  paused: warn,
  cancelling: warn,
  cancelled: muted,
  succeeded: ok,
  failed: danger,
  terminated: danger,
};
