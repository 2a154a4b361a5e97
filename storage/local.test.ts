import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { openStore } from './index.ts';
import { LocalStore } from './local.ts';
import { storeContract } from '../test/support/storage/contract.ts';

const make = async () => new LocalStore(await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-local-')));

describe('local directory store', () => {
  storeContract(make);

  it('openStore picks a directory for plain paths and file:// URIs', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-local-'));
    expect(openStore(dir).uri).toBe(dir);
    expect(openStore(`file://${dir}`).uri).toBe(dir);
    expect(() => openStore('gs://bucket/x')).toThrow(/unsupported store URI/);
  });

  it('putIfAbsent never leaves a half-written file under the final name', async () => {
    const s = await make();
    // A writer that dies mid-write leaves at most a hidden temp file; the final name is absent or complete.
    const big = new Uint8Array(8 * 1024 * 1024).fill(7);
    const writes = Array.from({ length: 4 }, () => s.putIfAbsent('_delta_log/00000000000000000000.json', big));
    const results = await Promise.all(writes);
    expect(results.filter(Boolean).length).toBe(1);
    expect((await s.get('_delta_log/00000000000000000000.json'))!.length).toBe(big.length);
    expect(await fs.readdir(path.join(s.uri, '_delta_log'))).toEqual(['00000000000000000000.json']);
  });
});
