// The warehouse the configuration names: a local directory or an S3 prefix, with the S3 settings.
import { openStore, type ObjectStore } from '../storage/index.ts';
import type { FreshetConfig } from './config.ts';

export function openWarehouse(config: Pick<FreshetConfig, 'warehouse' | 's3'>): ObjectStore {
  return openStore(config.warehouse, { s3: config.s3 });
}
