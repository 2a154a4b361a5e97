// A small project for the web tests: a partitioned source and what reads it, an unpartitioned
// asset, static partitions, an asset that never finishes (a backfill to cancel) and one that fails.
import { allPartitions, asset, dailyPartitions, definitions, identity, source, staticPartitions } from '../core/index.ts';

const daily = dailyPartitions({ start: '2026-01-01' });

export default definitions({
  assets: [
    source({
      name: 'clicks',
      description: 'Synthetic clicks, 50 a day.',
      partitions: daily,
      freshness: { maxLag: '1d' },
      sql: (ctx) => `SELECT i AS click_id, i % 7 AS user_id, ${ctx.partition!.sql.key} AS label FROM range(50) r(i)`,
    }),
    source({
      name: 'users',
      description: 'Seven users.',
      sql: `SELECT i AS user_id, 'user_' || i AS name FROM range(7) r(i)`,
    }),
    asset({
      name: 'clicks_per_user',
      partitions: daily,
      deps: { clicks: identity(), users: allPartitions() },
      freshness: { maxLag: '2d' },
      sql: `SELECT u.name, count(*) AS clicks FROM clicks c JOIN users u USING (user_id) GROUP BY u.name`,
    }),
    source({
      name: 'by_region',
      partitions: staticPartitions(['eu', 'us', 'apac']),
      sql: (ctx) => `SELECT ${ctx.partition!.sql.key} AS region, 1 AS n`,
    }),
    source({
      name: 'stuck',
      description: 'Fails and retries every 30 s: a backfill of it keeps running until it is cancelled.',
      partitions: daily,
      retry: { maxAttempts: 100, initialInterval: '30s', backoff: 1 },
      sql: () => { throw new Error('upstream feed not there yet'); },
    }),
    source({
      name: 'broken',
      description: 'Fails at once, no retry: its partitions show failed.',
      partitions: daily,
      retry: { maxAttempts: 1 },
      sql: (ctx) => { throw new Error(`bad data in ${ctx.partition!.key}`); },
    }),
  ],
});
