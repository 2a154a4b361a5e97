// Per user and day: purchases and spend over the 30 days ending that day, with the user's profile.
import { allPartitions, asset, lookback } from '../core/index.ts';
import { daily } from './transactions.ts';

export const userPurchases30d = asset({
  name: 'user_purchases_30d',
  description: '30-day rolling purchase count and spend per user, joined to the profile.',
  partitions: daily,
  // Partition D reads transactions D-29..D: the view `transactions` holds exactly those days.
  deps: { transactions: lookback(30), user_profiles: allPartitions() },
  freshness: { maxLag: '1d' },
  retry: { maxAttempts: 3, initialInterval: '2s' },
  sql: `
    SELECT
      t.user_id,
      count(*)                    AS purchases_30d,
      sum(t.amount)               AS spend_30d,
      max(t.event_time)           AS last_purchase_at,
      any_value(p.country)        AS country,
      any_value(p.segment)        AS segment
    FROM transactions AS t
    LEFT JOIN user_profiles AS p USING (user_id)
    GROUP BY t.user_id`,
  // The same rows for many days at once (backfills): each day's (count, spend) enters the
  // window on that day and leaves it 30 days later, so a running sum over those steps is the
  // 30-day total, constant until the next step; the latest purchase so far is the window's max
  // whenever the window holds any purchase. One pass instead of re-reading 30 days per day.
  rangeSql: ({ sql }) => `
    WITH daily AS (
      SELECT user_id, day, count(*) AS n, sum(amount) AS s, max(event_time) AS m
      FROM transactions GROUP BY user_id, day
    ), steps AS (
      SELECT user_id, d, sum(n) AS n, sum(s) AS s, max(m) AS m FROM (
        SELECT user_id, day AS d, n, s, m FROM daily
        UNION ALL
        SELECT user_id, day + 30, -n, -s, NULL FROM daily
      ) GROUP BY user_id, d
    ), running AS (
      SELECT user_id, d, sum(n) OVER w AS n, sum(s) OVER w AS s, max(m) OVER w AS m,
             lead(d, 1, d + 1) OVER (PARTITION BY user_id ORDER BY d) AS next_d
      FROM steps WINDOW w AS (PARTITION BY user_id ORDER BY d ROWS UNBOUNDED PRECEDING)
    )
    SELECT
      CAST(unnest(generate_series(greatest(r.d, CAST(${sql.start} AS DATE)), least(r.next_d, CAST(${sql.end} AS DATE)) - 1, INTERVAL 1 DAY)) AS DATE) AS day,
      r.user_id,
      CAST(r.n AS BIGINT)         AS purchases_30d,
      r.s                         AS spend_30d,
      r.m                         AS last_purchase_at,
      p.country,
      p.segment
    FROM running AS r LEFT JOIN user_profiles AS p USING (user_id)
    WHERE r.n > 0 AND r.next_d > CAST(${sql.start} AS DATE) AND r.d < CAST(${sql.end} AS DATE)`,
});
