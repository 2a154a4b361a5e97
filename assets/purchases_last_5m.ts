// A streaming feature over the same purchases: per user, the last 5 minutes, refreshed every minute.
import { count, distinctCount, frequency, sliding, streamingAsset, sum } from '../core/index.ts';

export const purchasesLast5m = streamingAsset({
  name: 'purchases_last_5m',
  description: 'Per user: purchases, spend, distinct merchants and top categories over the last 5 minutes.',
  source: 'purchases',
  key: 'user_id',
  eventTime: 'ts',
  window: sliding('5m', '1m'),
  aggregates: { purchases: count(), spend: sum('amount'), merchants: distinctCount('merchant'), top_categories: frequency('category') },
  watermark: { maxOutOfOrderness: '30s', idleTimeout: '1m' },
  allowedLateness: '1m',
  dedupBy: 'id',
});
