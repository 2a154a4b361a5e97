// A small project for the web tests: a partitioned source and what reads it, an unpartitioned
// asset, static partitions, and a slow source (a transform that waits) to have a backfill to cancel.
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
      name: 'slow',
      description: 'Takes 2 s a partition: a backfill of it is still running when the test cancels it.',
      partitions: daily,
      schema: { n: 'BIGINT' },
      async *transform() {
        await new Promise((r) => setTimeout(r, 2_000));
        yield [{ n: 1 }];
      },
    }),
  ],
});
