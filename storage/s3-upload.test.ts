// putFile sends a local file. A MinIO restart under a backfill killed a worker: the file was
// sent as a stream, and when the upload failed the stream's error surfaced on the SDK's own
// chunked-encoding stream, which nothing listens to. Bodies are now buffers (one request, or
// parts): whatever happens to the request or the file, putFile rejects naming the object, the
// file is closed, and the process lives.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMinio, type MinioServer } from '../services/minio.ts';
import { freePort } from '../services/process.ts';
import { ensureBucket, openStore } from './index.ts';
import { S3Store, UPLOAD_PART_BYTES, withS3Defaults } from './s3.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'freshet-s3-upload-'));
const creds = { accessKeyId: 'test', secretAccessKey: 'test-secret' };
const store = (endpoint: string) => new S3Store('bucket', 'p', withS3Defaults({ endpoint, ...creds }));
const openFds = () => readdirSync('/proc/self/fd').length;

// Accepts any request, reads its body, answers 200: an endpoint that never fails by itself.
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { ETag: '"x"' }).end());
});
let minio: MinioServer;
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  minio = await startMinio();
  await ensureBucket('s3://uploads', { ...minio, pathStyle: true });
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await minio?.stop();
});
const live = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('S3Store.putFile', () => {
  it('uploads files of one request and of several parts, byte for byte', async () => {
    const s3 = openStore(`s3://uploads/${randomUUID()}`, { s3: { ...minio, pathStyle: true } });
    for (const size of [0, 1, 100_000, UPLOAD_PART_BYTES, UPLOAD_PART_BYTES + 1, 2 * UPLOAD_PART_BYTES + 12_345]) {
      const file = path.join(dir, `up-${size}.bin`);
      const data = Buffer.alloc(size);
      for (let i = 0; i < size; i += 4096) data[i] = (i / 4096) % 251;
      writeFileSync(file, data);
      await s3.putFile(`f/${size}.bin`, file);
      expect(Buffer.from((await s3.get(`f/${size}.bin`))!).equals(data), `${size} bytes`).toBe(true);
    }
  }, 120_000);

  it('closes the file of every refused upload', async () => {
    const refused = store(`http://127.0.0.1:${await freePort()}`);
    const files = Array.from({ length: 12 }, (_, i) => {
      const f = path.join(dir, `refused-${i}.bin`);
      writeFileSync(f, Buffer.alloc(10_000 * (i + 1), i));
      return f;
    });
    const before = openFds();
    const results = await Promise.allSettled(files.map((f, i) => refused.putFile(`k/${i}.bin`, f)));
    expect(results.map((r) => r.status)).toEqual(files.map(() => 'rejected'));
    await new Promise((r) => setTimeout(r, 200));
    expect(openFds() - before).toBeLessThan(3);
  }, 60_000);

  it('rides out an endpoint that is away for a moment (a MinIO restart)', async () => {
    const port = await freePort();
    const later = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { ETag: '"x"' }).end());
    });
    const upIn = 2000;
    setTimeout(() => later.listen(port, '127.0.0.1'), upIn);
    const file = path.join(dir, 'later.bin');
    writeFileSync(file, Buffer.alloc(50_000, 3));
    try {
      const started = Date.now();
      const s = store(`http://127.0.0.1:${port}`);
      await s.put('k/small', 'v');
      expect(Date.now() - started).toBeGreaterThanOrEqual(upIn - 100);
      await s.putFile('k/later.bin', file);
    } finally {
      await new Promise<void>((r) => later.close(() => r()));
    }
  }, 90_000);

  it('fails naming the object when the file cannot be read, instead of crashing the process or hanging', async () => {
    // A directory opens but cannot be read (EISDIR).
    const unreadable = path.join(dir, 'a-directory');
    mkdirSync(unreadable);
    await expect(store(live()).putFile('k/dir.bin', unreadable)).rejects.toThrow(
      /S3 upload of s3:\/\/bucket\/p\/k\/dir\.bin failed.*EISDIR/,
    );
    await expect(store(live()).putFile('k/gone.bin', path.join(dir, 'no-such-file'))).rejects.toThrow(
      /S3 upload of s3:\/\/bucket\/p\/k\/gone\.bin failed.*ENOENT/,
    );
  }, 30_000);
});
