// Object store on an S3 prefix (AWS or MinIO) through @aws-sdk/client-s3.
// put-if-absent is a conditional PUT (If-None-Match: *). Credentials live only in the client:
// never in `uri`, in messages, or in errors.
import { createHash, randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { ListOptions, ObjectInfo, ObjectStore } from './types.ts';
import { checkKey, joinKey } from './keys.ts';

export interface S3Options {
  endpoint?: string;
  region?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** bucket in the path (MinIO) rather than in the host name */
  pathStyle?: boolean;
  /** where localPath() keeps downloaded objects */
  cacheDir?: string;
}

/** Defaults for what the options leave out (runtime/config.ts reads them from the environment). */
export function withS3Defaults(options: S3Options = {}): S3Options {
  return {
    ...options,
    region: options.region ?? 'us-east-1',
    // S3-compatible servers at an endpoint (MinIO) want the bucket in the path.
    pathStyle: options.pathStyle ?? options.endpoint !== undefined,
  };
}

export function parseS3Uri(uri: string): { bucket: string; prefix: string } {
  const m = /^s3a?:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m || m[1].includes('@')) {
    throw new Error(`invalid S3 URI "${redact(uri)}": expected s3://bucket/prefix (credentials go in the environment, not the URI)`);
  }
  return { bucket: m[1], prefix: checkKey(m[2]) };
}

/** putFile sends a file up to this size in one request, a bigger one in parts of this size (S3's minimum part is 5 MiB). */
export const UPLOAD_PART_BYTES = 8 * 1024 * 1024;

/** attempts of each S3 request (the SDK retries throttling, 5xx and connection errors) */
export const S3_MAX_ATTEMPTS = 10;

// One client per configuration: clients hold connection pools.
const clients = new Map<string, S3Client>();
function clientFor(o: S3Options): S3Client {
  const key = JSON.stringify([o.endpoint, o.region, o.accessKeyId, o.secretAccessKey, o.pathStyle]);
  let client = clients.get(key);
  if (!client) {
    client = new S3Client({
      endpoint: o.endpoint,
      region: o.region,
      forcePathStyle: o.pathStyle,
      // The SDK's default 3 attempts span well under a second: a MinIO restart or a network blip
      // then fails every request in flight, and with them the activities' own few attempts (a
      // partition would fail for good while the warehouse was away for 5 s). 10 attempts with
      // the SDK's jittered backoff (capped at 20 s) wait about half a minute in all.
      maxAttempts: S3_MAX_ATTEMPTS,
      credentials: o.accessKeyId && o.secretAccessKey ? { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } : undefined,
    });
    clients.set(key, client);
  }
  return client;
}

export class S3Store implements ObjectStore {
  readonly uri: string;
  private readonly client: S3Client;
  private readonly cacheDir: string;

  constructor(
    readonly bucket: string,
    readonly prefix: string,
    private readonly options: S3Options,
  ) {
    this.uri = prefix ? `s3://${bucket}/${prefix}` : `s3://${bucket}`;
    this.client = clientFor(options);
    this.cacheDir = options.cacheDir ?? path.join(os.tmpdir(), 'freshet-s3-cache');
  }

  at(sub: string): ObjectStore {
    return new S3Store(this.bucket, joinKey(this.prefix, checkKey(sub)), this.options);
  }

  private key(p: string): string {
    return joinKey(this.prefix, checkKey(p));
  }

  private where(p: string): string {
    return `s3://${this.bucket}/${this.key(p)}`;
  }

  async get(p: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(p) }));
      return out.Body ? await out.Body.transformToByteArray() : new Uint8Array();
    } catch (e) {
      if (status(e) === 404 || errName(e) === 'NoSuchKey') return undefined;
      throw s3Error('read', this.where(p), e, this.options);
    }
  }

  async put(p: string, data: Uint8Array | string): Promise<void> {
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(p), Body: data }));
    } catch (e) {
      throw s3Error('write', this.where(p), e, this.options);
    }
  }

  async putIfAbsent(p: string, data: Uint8Array | string): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(p), Body: data, IfNoneMatch: '*' }));
        return true;
      } catch (e) {
        const code = status(e);
        if (code === 412 || errName(e) === 'PreconditionFailed') return false;
        // 409: a concurrent conditional write to the same key is in flight; S3 asks to retry.
        if (code === 409 && attempt < 5) {
          await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
          continue;
        }
        throw s3Error('conditional write', this.where(p), e, this.options);
      }
    }
  }

  async putFile(p: string, localFile: string): Promise<void> {
    // Bodies are buffers, never file streams: the SDK does not retry a streamed body, and an
    // error of the stream (the file gone or unreadable mid-upload) surfaces on the SDK's own
    // chunked-encoding stream with no listener, which kills the process. A file past one part
    // goes up in parts, so memory stays bounded at one part.
    let file: fs.FileHandle | undefined;
    try {
      file = await fs.open(localFile, 'r');
      const { size } = await file.stat();
      if (size <= UPLOAD_PART_BYTES) {
        await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.key(p), Body: await file.readFile() }));
      } else {
        await this.putParts(this.key(p), file, size, localFile);
      }
    } catch (e) {
      throw s3Error('upload', this.where(p), e, this.options);
    } finally {
      await file?.close();
    }
  }

  private async putParts(key: string, file: fs.FileHandle, size: number, localFile: string): Promise<void> {
    const target = { Bucket: this.bucket, Key: key };
    const { UploadId } = await this.client.send(new CreateMultipartUploadCommand(target));
    try {
      const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
      const buf = Buffer.allocUnsafe(Math.min(UPLOAD_PART_BYTES, size));
      for (let offset = 0, n = 1; offset < size; offset += UPLOAD_PART_BYTES, n++) {
        const len = Math.min(UPLOAD_PART_BYTES, size - offset);
        const { bytesRead } = await file.read(buf, 0, len, offset);
        if (bytesRead !== len) throw new Error(`${localFile} shrank while it was uploaded (${size} bytes at the start)`);
        const part = await this.client.send(new UploadPartCommand({ ...target, UploadId, PartNumber: n, Body: buf.subarray(0, len) }));
        parts.push({ ETag: part.ETag, PartNumber: n });
      }
      await this.client.send(new CompleteMultipartUploadCommand({ ...target, UploadId, MultipartUpload: { Parts: parts } }));
    } catch (e) {
      // Parts of an upload never completed cost storage until aborted; the original error matters more.
      await this.client.send(new AbortMultipartUploadCommand({ ...target, UploadId })).catch(() => undefined);
      throw e;
    }
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ObjectInfo[]> {
    const root = this.prefix ? `${this.prefix}/` : '';
    const out: ObjectInfo[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({
            Bucket: this.bucket,
            Prefix: root + prefix,
            // Subfolders come back as CommonPrefixes, which are not objects of this folder.
            Delimiter: opts.shallow ? '/' : undefined,
            StartAfter: opts.startAfter !== undefined && !token ? root + opts.startAfter : undefined,
            ContinuationToken: token,
          }),
        );
        for (const o of page.Contents ?? []) {
          if (!o.Key || o.Key.endsWith('/')) continue;
          out.push({ path: o.Key.slice(root.length), size: o.Size ?? 0, modified: o.LastModified?.getTime() ?? 0 });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
    } catch (e) {
      throw s3Error('list', `s3://${this.bucket}/${root}${prefix}`, e, this.options);
    }
    return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(p: string): Promise<void> {
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(p) }));
    } catch (e) {
      if (status(e) === 404) return;
      throw s3Error('delete', this.where(p), e, this.options);
    }
  }

  /**
   * Downloads once into the cache. Data files have unique names and never change; a log object
   * (checkpoint) could be rewritten if a table is deleted and recreated, so its ETag is part of the key.
   */
  async localPath(p: string): Promise<string> {
    let tag = '';
    if (p.includes('_delta_log/')) {
      try {
        const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(p) }));
        tag = head.ETag ?? '';
      } catch (e) {
        if (status(e) === 404) throw new Error(`file not found: ${this.where(p)}`, { cause: e });
        throw s3Error('read', this.where(p), e, this.options);
      }
    }
    const id = createHash('sha256')
      .update(`${this.options.endpoint ?? ''}|${this.bucket}|${this.key(p)}|${tag}`)
      .digest('hex');
    const file = path.join(this.cacheDir, `${id.slice(0, 32)}-${path.basename(p)}`);
    try {
      await fs.access(file);
      return file;
    } catch {
      // not cached yet
    }
    const bytes = await this.get(p);
    if (!bytes) throw new Error(`file not found: ${this.where(p)}`);
    await fs.mkdir(this.cacheDir, { recursive: true });
    const tmp = `${file}.${randomUUID()}.tmp`;
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, file);
    return file;
  }
}

/** Creates the bucket of an `s3://bucket/...` URI unless it exists (for tests and local MinIO). */
export async function ensureBucket(uri: string, options: S3Options = {}): Promise<void> {
  const { bucket } = parseS3Uri(uri);
  try {
    await clientFor(withS3Defaults(options)).send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    if (errName(e) === 'BucketAlreadyOwnedByYou' || errName(e) === 'BucketAlreadyExists') return;
    throw s3Error('create bucket', `s3://${bucket}`, e);
  }
}

function status(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}

function errName(e: unknown): string {
  return e instanceof Error ? e.name : String(e);
}

/** An error naming the object and what S3 said, and nothing of the configuration. */
function s3Error(op: string, where: string, e: unknown, options?: S3Options): Error {
  const code = status(e);
  let msg = redact(e instanceof Error ? e.message : String(e));
  for (const secret of [options?.secretAccessKey, options?.accessKeyId]) {
    if (secret) msg = msg.split(secret).join('***');
  }
  return new Error(`S3 ${op} of ${where} failed: ${errName(e)}${code ? ` (HTTP ${code})` : ''}: ${msg}`);
}

/** Drops anything that looks like user:secret@ in a URL. */
export function redact(text: string): string {
  return text.replace(/\/\/[^/@\s]*:[^/@\s]*@/g, '//***@');
}
