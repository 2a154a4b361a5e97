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
});
