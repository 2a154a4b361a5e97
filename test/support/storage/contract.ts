// The ObjectStore contract, run against every implementation (local directory, MinIO).
import { expect, it } from 'vitest';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ObjectStore } from '../../../storage/types.ts';

const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

export function storeContract(make: () => Promise<ObjectStore>): void {
  it('gets what was put, undefined for what was not', async () => {
    const s = await make();
    expect(await s.get('a/missing.json')).toBeUndefined();
    await s.put('a/b.json', '{"x":1}');
    expect(text(await s.get('a/b.json'))).toBe('{"x":1}');
    await s.put('a/b.json', new Uint8Array([104, 105]));
    expect(text(await s.get('a/b.json'))).toBe('hi');
    expect(text(await s.at('a').get('b.json'))).toBe('hi');
  });

  it('putIfAbsent writes once: exactly one of many concurrent writers wins', async () => {
    const s = await make();
    expect(await s.putIfAbsent('log/0.json', 'first')).toBe(true);
    expect(await s.putIfAbsent('log/0.json', 'second')).toBe(false);
    expect(text(await s.get('log/0.json'))).toBe('first');
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => s.putIfAbsent('log/1.json', `writer ${i}`)));
    expect(results.filter(Boolean).length).toBe(1);
    const winner = results.indexOf(true);
    expect(text(await s.get('log/1.json'))).toBe(`writer ${winner}`);
    // nothing but the two commits is left under log/ (temp files are cleaned up)
    expect((await s.list('log/')).map((o) => o.path)).toEqual(['log/0.json', 'log/1.json']);
  });

  it('lists by prefix, sorted, after a key; deletes', async () => {
    const s = await make();
    for (const k of ['t/_delta_log/00002.json', 't/_delta_log/00001.json', 't/x=1/p.parquet', 'u/other']) await s.put(k, k);
    const all = await s.list('t/');
    expect(all.map((o) => o.path)).toEqual(['t/_delta_log/00001.json', 't/_delta_log/00002.json', 't/x=1/p.parquet']);
    expect(all[0].size).toBe('t/_delta_log/00001.json'.length);
    expect(all[0].modified).toBeGreaterThan(Date.now() - 3_600_000);
    expect((await s.list('t/_delta_log/', { startAfter: 't/_delta_log/00001.json' })).map((o) => o.path)).toEqual([
      't/_delta_log/00002.json',
    ]);
    expect((await s.at('t').list('_delta_log/')).map((o) => o.path)).toEqual(['_delta_log/00001.json', '_delta_log/00002.json']);
    await s.delete('t/x=1/p.parquet');
    await s.delete('t/x=1/never-existed');
    expect((await s.list('t/x=1/')).length).toBe(0);
  });

  it('a shallow list gives only the objects directly in the folder, never those of its subfolders', async () => {
    const s = await make();
    const direct = ['t/_delta_log/00000000000000000000.json', 't/_delta_log/00000000000000000001.json', 't/_delta_log/_last_checkpoint'];
    const nested = [
      't/_delta_log/.tmp/00000000000000000002.json',
      't/_delta_log/_commits/00000000000000000002.3a0d65cd-0000-4000-8000-000000000000.json',
      't/_delta_log/_staged_commits/00000000000000000003.json',
      't/_delta_log/a/b/c/00000000000000000004.json',
      't/_delta_log/00000000000000000005.json/00000000000000000005.json',
      't/x=1/p.parquet',
    ];
    for (const k of [...direct, ...nested]) await s.put(k, k);
    expect((await s.list('t/_delta_log/', { shallow: true })).map((o) => o.path)).toEqual(direct);
    expect((await s.at('t').list('_delta_log/', { shallow: true })).map((o) => o.path)).toEqual(direct.map((k) => k.slice(2)));
    expect((await s.list('t/_delta_log/', { shallow: true, startAfter: direct[0] })).map((o) => o.path)).toEqual(direct.slice(1));
    // a prefix that ends inside a name lists the folder's objects starting with it
    expect((await s.list('t/_delta_log/0000', { shallow: true })).map((o) => o.path)).toEqual(direct.slice(0, 2));
    expect((await s.list('t/', { shallow: true })).map((o) => o.path)).toEqual([]);
    // the deep list still sees everything
    expect((await s.list('t/_delta_log/')).length).toBe(direct.length + nested.length - 1);
  });

  it('uploads local files and gives local paths DuckDB can read', async () => {
    const s = await make();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-store-'));
    const local = path.join(dir, 'f.bin');
    await fs.writeFile(local, 'payload');
    await s.putFile('d=1/f.bin', local);
    expect(text(await s.get('d=1/f.bin'))).toBe('payload');
    const p = await s.localPath('d=1/f.bin');
    expect(await fs.readFile(p, 'utf8')).toBe('payload');
    await expect(s.localPath('d=1/missing.bin')).rejects.toThrow(/missing\.bin/);
  });

  it('refuses paths that climb out of the store', async () => {
    const s = await make();
    await expect(s.get('../etc/passwd')).rejects.toThrow(/"\.\." is not allowed/);
  });
}
