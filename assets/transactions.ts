// A deterministic synthetic source of card transactions: the same day always yields the same rows.
import { dailyPartitions, source } from '../core/index.ts';
import { syntheticConfig } from './config.ts';

const { rowsPerDay, users, startDate } = syntheticConfig;

export const daily = dailyPartitions({ start: startDate });

export const transactions = source({
  name: 'transactions',
  description: 'Card transactions, one partition per day (synthetic: hash-derived from the day and row number).',
  partitions: daily,
  freshness: { maxLag: '1d' },
  sql: ({ partition }) => `
    SELECT
      ${partition!.sql.key} || '-' || i                                       AS transaction_id,
      CAST(hash(${partition!.sql.key}, i, 'user') % ${users} AS BIGINT) + 1     AS user_id,
      ${partition!.sql.start} + to_milliseconds(CAST(hash(${partition!.sql.key}, i, 'time') % 86400000 AS BIGINT)) AS event_time,
      CAST(1 + (hash(${partition!.sql.key}, i, 'amount') % 50000) / 100 AS DECIMAL(10, 2)) AS amount,
      ['groceries', 'electronics', 'travel', 'dining', 'fuel', 'fashion'][CAST(hash(${partition!.sql.key}, i, 'category') % 6 AS INTEGER) + 1] AS category,
      'merchant_' || CAST(hash(${partition!.sql.key}, i, 'merchant') % 200 AS VARCHAR) AS merchant
    FROM range(${rowsPerDay}) AS r(i)`,
});
