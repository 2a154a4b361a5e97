// Public face of storage/: openStore picks a local directory or an S3 prefix from the URI.
import { LocalStore } from './local.ts';
import { parseS3Uri, S3Store, withS3Defaults, type S3Options } from './s3.ts';
import type { ObjectStore } from './types.ts';

export type * from './types.ts';
export type { S3Options } from './s3.ts';
export { LocalStore } from './local.ts';
export { ensureBucket, S3Store } from './s3.ts';

export interface StoreOptions {
  s3?: S3Options;
}

/** `s3://bucket/prefix` (with the S3 options the configuration gives), `file:///dir` or a directory path. */
export function openStore(uri: string, options: StoreOptions = {}): ObjectStore {
  if (/^s3a?:\/\//.test(uri)) {
    const { bucket, prefix } = parseS3Uri(uri);
    return new S3Store(bucket, prefix, withS3Defaults(options.s3));
  }
  if (uri.startsWith('file://')) return new LocalStore(new URL(uri).pathname);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) {
    throw new Error(`unsupported store URI "${uri.replace(/\/\/[^/@]*@/, '//***@')}": use a directory or s3://bucket/prefix`);
  }
  return new LocalStore(uri);
}
