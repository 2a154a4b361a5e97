// Streaming assets the crash tests run in a child process (job-child.ts loads them by name).
import { count, sliding, streamingAsset, sum } from '../core/streaming.ts';

/** purchases and spend per user over 10 s, every 2 s: the exactly-once test's job */
export const spendPerUser = streamingAsset({
  name: 'spend_per_user_10s',
  source: 'purchases',
  key: 'user_id',
  eventTime: 'ts',
  window: sliding('10s', '2s'),
  aggregates: { purchases: count(), spend: sum('amount') },
  watermark: { maxOutOfOrderness: '2s' },
  dedupBy: 'id',
});
