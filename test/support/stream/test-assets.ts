// Streaming assets the crash tests run in a child process (job-child.ts loads them by name).
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { count, distinctCount, sliding, streamingAsset, sum, type StreamingAssetInput } from '../../../core/streaming.ts';
import { LocalStore } from '../../../storage/local.ts';

/** The spend job's declaration (count and sum per user over 10 s, every 2 s), for tests that vary it. */
export const spendPerUserInput = {
  name: 'spend_per_user_10s',
  source: 'purchases',
  key: 'user_id',
  eventTime: 'ts',
  window: sliding('10s', '2s'),
  aggregates: { purchases: count(), spend: sum('amount') },
  watermark: { maxOutOfOrderness: '2s' },
  dedupBy: 'id',
} satisfies StreamingAssetInput;

/** purchases and spend per user over 10 s, every 2 s: the exactly-once test's job */
export const spendPerUser = streamingAsset(spendPerUserInput);

/** the same over a source whose producer salts hot users over partitions: shards write partials, a merge combines them */
export const spendPerUserSalted = streamingAsset({ ...spendPerUserInput, name: 'spend_per_user_salted', hotKeys: { salted: true } });

/** purchases, spend and distinct merchants per user over 10 s, every 2 s, with lateness: the runtime tests' job */
export const spend10sInput = {
  name: 'spend_10s',
  source: 'purchases',
  key: 'user_id',
  eventTime: 'ts',
  window: sliding('10s', '2s'),
  aggregates: { purchases: count(), spend: sum('amount'), merchants: distinctCount('merchant') },
  watermark: { maxOutOfOrderness: '1s' },
  allowedLateness: '2s',
  dedupBy: 'id',
} satisfies StreamingAssetInput;

/** A LocalStore in a fresh temp directory; `cleanup()` removes every one made. */
export function tempStores(prefix: string) {
  const dirs: string[] = [];
  return {
    make: async (): Promise<LocalStore> => {
      const d = await fs.mkdtemp(path.join(os.tmpdir(), `${prefix}-`));
      dirs.push(d);
      return new LocalStore(d);
    },
    cleanup: async () => {
      for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
    },
  };
}
