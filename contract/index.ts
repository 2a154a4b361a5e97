// Public face of contract/: everything a worker and its clients must agree on. Pure and
// bundle-safe (workflow code imports it); it imports nothing of Freshet's but core/ types.
export * from './backfill.ts';
export * from './errors.ts';
export * from './failure-records.ts';
export * from './freshness.ts';
export * from './ids.ts';
export * from './int-runs.ts';
export * from './layout.ts';
export * from './materialize.ts';
export * from './pool.ts';
export * from './queues.ts';
export * from './runs.ts';
export * from './signals.ts';
export * from './streaming.ts';
export * from './workflows.ts';
export * from './schedule-runs.ts';
