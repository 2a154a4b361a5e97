// Every path Freshet itself writes in the warehouse, beside the assets' Delta tables (one table
// per asset, at the asset's name). Workers write these and the page and CLI read them: one
// module, so both sides agree.

/** Freshet's own folder; no asset may be named like it. */
export const FRESHET_DIR = '_freshet';

/** One JSON object per freshness change the monitor records. */
export const FRESHNESS_EVENTS_PREFIX = `${FRESHET_DIR}/freshness-events/`;

export function freshnessEventPath(at: number, asset: string): string {
  return `${FRESHNESS_EVENTS_PREFIX}${new Date(at).toISOString().replace(/[:.]/g, '-')}-${asset}.json`;
}

/** One object per (asset, partition) whose last run failed (contract/failure-records.ts names them). */
export const FAILURE_RECORDS_PREFIX = `${FRESHET_DIR}/failures/`;

/** Each materialization attempt's log object (contract/runs.ts names them). */
export const RUN_LOGS_PREFIX = `${FRESHET_DIR}/logs/`;

/** A streaming job's own folder: checkpoints, late events, dead letters, partials. */
export function streamJobDir(asset: string): string {
  return `_streams/${asset}`;
}

/** Inside a job's folder: the partial windows of a salted job's shards, merged into the sink. */
export const STREAM_PARTIALS_DIR = 'partials';

/** Inside a job's folder: the metrics history of each shard (StreamMetricsHistory), for the page's charts. */
export const STREAM_HISTORY_DIR = 'metrics/';

export function streamHistoryPath(shard: number): string {
  return `${STREAM_HISTORY_DIR}shard-${shard}.json`;
}
