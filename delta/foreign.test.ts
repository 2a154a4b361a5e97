// Tables other writers made or touched: stray files in and under _delta_log, a Delta Live Tables
// first metaData, protocols Freshet may read but not write (checked by every writing operation).
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ensureDeltaLake, runPython } from '../services/deltalake.ts';
import { openStore, type ObjectStore } from '../storage/index.ts';
import {
  checkpoint,
  DeltaLogError,
  DeltaWriteError,
  forgetCachedSnapshots,
  history,
  loadSnapshot,
  readRows,
  vacuum,
  write,
} from './index.ts';
import { schemaString } from './schema.ts';
import { listLog } from './snapshot.ts';
import { dataFile, SCHEMA, tempDir, tempTable } from '../test/support/delta/testkit.ts';

const name = (v: number, ext = 'json') => `${String(v).padStart(20, '0')}.${ext}`;
const logFile = (t: { uri: string }, file: string) => path.join(t.uri, '_delta_log', ...file.split('/'));
const lines = (actions: unknown[]) => actions.map((a) => JSON.stringify(a)).join('\n') + '\n';

async function put(t: { uri: string }, file: string, body: string): Promise<void> {
  await fs.mkdir(path.dirname(logFile(t, file)), { recursive: true });
  await fs.writeFile(logFile(t, file), body);
}

/** A Freshet table at version `newest`, one row per partition d0..d<newest>. */
async function tableAt(newest: number, t?: ObjectStore): Promise<ObjectStore> {
  const table = t ?? (await tempTable());
  for (let v = 0; v <= newest; v++) {
    const add = await dataFile(table, [{ user_id: v, amount: v, ts: '2024-01-01 00:00:00+00' }], { pv: { date: `d${v}` } });
    await write(table, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [add] });
  }
  return table;
}

const users = async (t: ObjectStore) => (await readRows(t, (await loadSnapshot(t))!)).map((r) => Number(r.user_id)).sort((a, b) => a - b);

/** A commit that, read as the next version, would delete every row: what a staged file must never do. */
async function wipeCommit(t: ObjectStore): Promise<string> {
  const snap = (await loadSnapshot(t))!;
  return lines([
    { commitInfo: { operation: 'DELETE', engineInfo: 'delta-rs:py-1.6.6' } },
    ...snap.files.map((f) => ({ remove: { path: f.path, deletionTimestamp: Date.now(), dataChange: true } })),
  ]);
}

// Every name here sits in or under _delta_log and is not a log file of version 5.
const STRAY = [
  '.tmp/00000000000000000005.json', // delta-rs stages a commit here, then renames it
  '_commits/00000000000000000005.4f7c0a9e-1b2c-4d3e-8f90-a1b2c3d4e5f6.json', // managed (coordinated) commits
  '_staged_commits/00000000000000000005.json',
  'a/b/c/00000000000000000005.json',
  '00000000000000000009.json/00000000000000000005.json', // in a folder named like a commit
  '00000000000000000005.crc',
  '00000000000000000005.json.tmp',
  '.00000000000000000005.json.0a1b2c3d.tmp',
  '00000000000000000005.JSON',
  '5.json',
  '0000000000000000005.json', // 19 digits
  '000000000000000000005.json', // 21 digits
  ' 00000000000000000005.json',
  '00000000000000000005.json.bak',
  '00000000000000000003.00000000000000000005.compacted.json',
  '00000000000000000005.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json', // V2 checkpoint
  '00000000000000000005.checkpoint.0000000002.0000000001.parquet', // part 2 of 1
  '00000000000000000005.checkpoint.0000000000.0000000001.parquet', // part 0
  '.tmp/00000000000000000005.checkpoint.parquet',
  '_sidecars/00000000000000000005.checkpoint.parquet',
];

describe('files in _delta_log that are not log files', () => {
  beforeAll(async () => {
    await ensureDeltaLake();
  });

  it('a commit delta-rs staged in _delta_log/.tmp/ is not version 5: Freshet reads version 4, writes version 5, and delta-rs opens it', async () => {
    const t = await tableAt(4);
    await put(t, '.tmp/00000000000000000005.json', await wipeCommit(t));
    await put(t, '_commits/00000000000000000005.4f7c0a9e-1b2c-4d3e-8f90-a1b2c3d4e5f6.json', await wipeCommit(t));
    // as a reader in another process: nothing cached
    forgetCachedSnapshots();
    const fresh = openStore(t.uri);
    expect((await loadSnapshot(fresh))!.version).toBe(4);
    expect(await users(fresh)).toEqual([0, 1, 2, 3, 4]);
    const add = await dataFile(fresh, [{ user_id: 5, amount: 5, ts: '2024-01-01 00:00:00+00' }], { pv: { date: 'd5' } });
    expect((await write(fresh, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [add] })).version).toBe(5);
    expect((await history(fresh)).map((c) => c.version)).toEqual([0, 1, 2, 3, 4, 5]);
    const theirs = JSON.parse(
      await runPython(
        'import sys, json; from deltalake import DeltaTable; t = DeltaTable(sys.argv[1]); print(json.dumps({"v": t.version(), "ids": sorted(t.to_pyarrow_table().column("user_id").to_pylist())}))',
        [t.uri],
      ),
    );
    expect(theirs).toEqual({ v: 5, ids: [0, 1, 2, 3, 4, 5] });
  });

  it('none of many stray names is read as a commit or checkpoint', async () => {
    const t = await tableAt(4);
    const wipe = await wipeCommit(t);
    for (const file of STRAY) await put(t, file, file.endsWith('.parquet') ? 'not parquet' : wipe);
    // _last_checkpoint pointing at a checkpoint that does not exist: the reader lists the log instead
    await put(t, '_last_checkpoint', JSON.stringify({ version: 5, size: 3 }));
    forgetCachedSnapshots();
    const fresh = openStore(t.uri);
    const listing = await listLog(fresh);
    expect([...listing.commits.keys()].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(listing.checkpoints.size).toBe(0);
    expect((await loadSnapshot(fresh))!.version).toBe(4);
    expect(await users(fresh)).toEqual([0, 1, 2, 3, 4]);
    expect((await write(fresh, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [] })).version).toBe(5);
    expect((await loadSnapshot(openStore(t.uri), { version: 5 }))!.files.length).toBe(5);
  });

  it('a folder named like the next commit: reads ignore it, a write stops naming it instead of retrying forever', async () => {
    const t = await tableAt(1);
    await put(t, '00000000000000000002.json/00000000000000000002.json', await wipeCommit(t));
    forgetCachedSnapshots();
    const fresh = openStore(t.uri);
    expect((await loadSnapshot(fresh))!.version).toBe(1);
    await expect(write(fresh, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [] })).rejects.toThrow(
      /cannot commit version 2 of .*_delta_log\/00000000000000000002\.json exists but is not a commit file/,
    );
  });

  it('a log file name whose version no double counts exactly stops the reader, naming the file', async () => {
    const t = await tableAt(1);
    await put(t, '99999999999999999999.json', await wipeCommit(t));
    await expect(loadSnapshot(openStore(t.uri), { version: 1 })).rejects.toThrow(
      /_delta_log\/99999999999999999999\.json names version 99999999999999999999, beyond/,
    );
  });

  it('property: stray files at any depth under _delta_log never change the versions read', async () => {
    const base = await tableAt(2);
    const wipe = await wipeCommit(base);
    const version = fc.integer({ min: 0, max: 12 }).map((v) => String(v).padStart(20, '0'));
    const logName = fc.oneof(
      version.map((v) => `${v}.json`),
      version.map((v) => `${v}.checkpoint.parquet`),
      fc
        .tuple(version, fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
        .map(([v, p, n]) => `${v}.checkpoint.${String(p).padStart(10, '0')}.${String(n).padStart(10, '0')}.parquet`),
    );
    const segment = fc
      .oneof(
        fc.constantFrom('.tmp', '_commits', '_staged_commits', '_sidecars', 'x', '00000000000000000003.json'),
        fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/),
      )
      .filter((s) => s !== '.' && s !== '..');
    // a log file name in a subfolder, or a near miss of one directly in _delta_log
    const nested = fc.tuple(fc.array(segment, { minLength: 1, maxLength: 3 }), logName).map(([dirs, n]) => [...dirs, n].join('/'));
    const nearMiss = fc
      .tuple(logName, fc.constantFrom('x', '.tmp', '~', '.crc', ' ', '0'), fc.boolean())
      .map(([n, extra, before]) => (before ? `${extra}${n}` : `${n}${extra}`));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.oneof(nested, nearMiss), { minLength: 1, maxLength: 8 }), async (strays) => {
        const dir = path.join(await tempDir('freshet-stray'), 'table');
        await fs.cp(base.uri, dir, { recursive: true });
        const t = openStore(dir);
        // a name can be both a folder (of a nested one) and a file: keep the first that fits
        for (const file of strays) await put(t, file, file.endsWith('.parquet') ? 'not parquet' : wipe).catch(() => undefined);
        const listing = await listLog(t);
        expect([...listing.commits.keys()].sort()).toEqual([0, 1, 2]);
        expect(listing.checkpoints.size).toBe(0);
        expect((await loadSnapshot(t, { version: 2 }))!.files.length).toBe(3);
      }),
      { numRuns: 40 },
    );
  });
});

// Delta Live Tables write version 0 with a metaData that has no schemaString; version 1 completes it.
const DLT_V0 = [
  { commitInfo: { operation: 'CREATE TABLE', engineInfo: 'Databricks-Runtime/15.4.x-photon' } },
  { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
  {
    metaData: {
      id: 'ac0a0120-970e-4d8c-ae92-b5244b055d6e',
      format: { provider: 'parquet', options: {} },
      partitionColumns: [],
      configuration: {},
      createdTime: 1681798577757,
    },
  },
];

function dltV1(protocol: object, configuration: Record<string, string>, schema = SCHEMA.filter((f) => f.name !== 'date')) {
  const mapped = configuration['delta.columnMapping.mode'] !== undefined;
  const fields = schema.map((f, i) =>
    mapped ? { ...f, metadata: { 'delta.columnMapping.id': i + 1, 'delta.columnMapping.physicalName': `col-${randomUUID()}` } } : f,
  );
  return [
    { commitInfo: { operation: 'STREAMING UPDATE', engineInfo: 'Databricks-Runtime/15.4.x-photon' } },
    { protocol },
    {
      metaData: {
        id: 'ac0a0120-970e-4d8c-ae92-b5244b055d6e',
        format: { provider: 'parquet', options: {} },
        schemaString: schemaString(fields),
        partitionColumns: [],
        configuration,
        createdTime: 1681798577757,
      },
    },
  ];
}

async function logTable(...commits: unknown[][]): Promise<ObjectStore> {
  const t = await tempTable();
  for (const [v, actions] of commits.entries()) await put(t, name(v), lines(actions));
  return openStore(t.uri);
}

describe('a table whose first metaData is incomplete (Delta Live Tables)', () => {
  const mapping = { 'delta.columnMapping.mode': 'name', 'delta.columnMapping.maxColumnId': '3' };
  const cases: Array<[string, object, Record<string, string>, RegExp]> = [
    [
      'reader 2 (column mapping)',
      { minReaderVersion: 2, minWriterVersion: 5 },
      mapping,
      /00000000000000000001\.json needs reader version 2 \(table feature "columnMapping"\)/,
    ],
    [
      'reader 3 with the columnMapping feature',
      { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['columnMapping'], writerFeatures: ['columnMapping'] },
      mapping,
      /00000000000000000001\.json needs reader feature "columnMapping"/,
    ],
    [
      'reader 3 with column mapping and deletion vectors',
      {
        minReaderVersion: 3,
        minWriterVersion: 7,
        readerFeatures: ['columnMapping', 'deletionVectors'],
        writerFeatures: ['columnMapping', 'deletionVectors'],
      },
      mapping,
      /needs reader features "columnMapping", "deletionVectors"/,
    ],
    [
      'column mapping in the configuration only',
      { minReaderVersion: 1, minWriterVersion: 2 },
      { 'delta.columnMapping.mode': 'id' },
      /uses column mapping \(delta\.columnMapping\.mode=id in .*00000000000000000001\.json\), table feature "columnMapping"/,
    ],
  ];
  for (const [what, protocol, configuration, reason] of cases) {
    it(`is refused for its real reason, not as corrupt: ${what}`, async () => {
      const t = await logTable(DLT_V0, dltV1(protocol, configuration));
      const attempts = [
        () => loadSnapshot(t),
        () => write(t, { schema: SCHEMA.filter((f) => f.name !== 'date'), partitionColumns: [], mode: 'append', adds: [] }),
        () => checkpoint(t),
        () => vacuum(t, { dryRun: true }),
      ];
      for (const attempt of attempts) {
        const err = await (attempt() as Promise<unknown>).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(err).toBeInstanceOf(DeltaLogError);
        expect(err!.message).toMatch(reason);
        expect(err!.message).not.toMatch(/corrupt|schemaString/);
      }
      expect(await fs.readdir(path.join(t.uri, '_delta_log'))).toEqual([name(0), name(1)]);
    });
  }

  it('reads and writes when the metaData the version uses is complete and needs no unsupported feature', async () => {
    const t = await logTable(DLT_V0, dltV1({ minReaderVersion: 1, minWriterVersion: 2 }, {}));
    expect((await loadSnapshot(t))!.metadata.schema.map((f) => f.name)).toEqual(['user_id', 'amount', 'ts']);
    const add = await dataFile(t, [{ user_id: 7, amount: 1.5, ts: '2024-01-01 00:00:00+00' }], {
      partitionColumns: [],
      schema: SCHEMA.filter((f) => f.name !== 'date'),
    });
    expect(
      (await write(t, { schema: SCHEMA.filter((f) => f.name !== 'date'), partitionColumns: [], mode: 'append', adds: [add] })).version,
    ).toBe(2);
    expect(await users(t)).toEqual([7]);
    expect((await checkpoint(t)).version).toBe(2);
    expect((await loadSnapshot(openStore(t.uri)))!.version).toBe(2);
    // version 0 on its own has no schema: that version is what is corrupt, and the error says where
    await expect(loadSnapshot(t, { version: 0 })).rejects.toThrow(
      /corrupt action in .*00000000000000000000\.json: metaData without schemaString \(the metaData that version 0/,
    );
  });

  it('the newest metaData without schemaString is corrupt, named by its file', async () => {
    const t = await logTable(dltV1({ minReaderVersion: 1, minWriterVersion: 2 }, {}), DLT_V0.slice(2));
    await expect(loadSnapshot(t)).rejects.toThrow(/corrupt action in .*00000000000000000001\.json: metaData without schemaString/);
    expect((await loadSnapshot(t, { version: 0 }))!.version).toBe(0);
  });

  it('a feature the table has since dropped does not stop reading the newer versions', async () => {
    const dv = { minReaderVersion: 3, minWriterVersion: 7, readerFeatures: ['deletionVectors'], writerFeatures: ['deletionVectors'] };
    const t = await logTable(dltV1(dv, {}), [
      { commitInfo: { operation: 'DROP FEATURE' } },
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    ]);
    expect((await loadSnapshot(t))!.version).toBe(1);
    await expect(loadSnapshot(t, { version: 0 })).rejects.toThrow(/00000000000000000000\.json needs reader feature "deletionVectors"/);
  });
});

describe('every writing operation checks the protocol the same way', () => {
  const refused: Array<[object, RegExp]> = [
    [{ minReaderVersion: 1, minWriterVersion: 3 }, /needs writer version 3/],
    [{ minReaderVersion: 1, minWriterVersion: 4 }, /needs writer version 4/],
    [{ minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['domainMetadata'] }, /needs writer feature "domainMetadata"/],
    [
      { minReaderVersion: 1, minWriterVersion: 7, writerFeatures: ['appendOnly', 'inCommitTimestamp'] },
      /needs writer feature "inCommitTimestamp"/,
    ],
    [
      {
        minReaderVersion: 3,
        minWriterVersion: 7,
        readerFeatures: ['timestampNtz'],
        writerFeatures: ['timestampNtz', 'rowTracking', 'domainMetadata'],
      },
      /needs writer features "rowTracking", "domainMetadata"/,
    ],
  ];
  for (const [protocol, reason] of refused) {
    it(`write, checkpoint and vacuum all refuse ${JSON.stringify(protocol)}; reading works`, async () => {
      const t = await tableAt(2);
      await put(t, name(3), lines([{ commitInfo: { operation: 'SET TBLPROPERTIES' } }, { protocol }]));
      const fresh = openStore(t.uri);
      expect((await loadSnapshot(fresh))!.version).toBe(3);
      const attempts = [
        () => write(fresh, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [] }),
        () => checkpoint(fresh),
        () => vacuum(fresh, { dryRun: true }),
      ];
      const messages: string[] = [];
      for (const attempt of attempts) {
        const err = await (attempt() as Promise<unknown>).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        expect(err).toBeInstanceOf(DeltaWriteError);
        expect(err!.message).toMatch(reason);
        messages.push(err!.message);
      }
      expect(new Set(messages).size).toBe(1);
      // nothing was written: no checkpoint, no _last_checkpoint, no new commit
      expect((await fs.readdir(path.join(t.uri, '_delta_log'))).filter((f) => !f.startsWith('.'))).toEqual(
        [0, 1, 2, 3].map((v) => name(v)),
      );
    });
  }

  it('a column with an invariant is refused by checkpoint as by write and vacuum', async () => {
    const withInvariant = SCHEMA.map((f) =>
      f.name === 'amount' ? { ...f, metadata: { 'delta.invariants': '{"expression":{"expression":"amount > 0"}}' } } : f,
    );
    const t = await logTable([
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      {
        metaData: {
          id: randomUUID(),
          format: { provider: 'parquet', options: {} },
          schemaString: schemaString(withInvariant),
          partitionColumns: ['date'],
          configuration: {},
          createdTime: 0,
        },
      },
    ]);
    for (const attempt of [
      () => write(t, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [] }),
      () => checkpoint(t),
      () => vacuum(t, { dryRun: true }),
    ]) {
      await expect((attempt as () => Promise<unknown>)()).rejects.toThrow(/column "amount" has a delta\.invariants constraint/);
    }
  });

  it('features Freshet honours let every operation through', async () => {
    for (const protocol of [
      { minReaderVersion: 1, minWriterVersion: 2 },
      {
        minReaderVersion: 3,
        minWriterVersion: 7,
        readerFeatures: ['timestampNtz'],
        writerFeatures: ['appendOnly', 'timestampNtz', 'vacuumProtocolCheck'],
      },
    ]) {
      const t = await tableAt(1);
      await put(t, name(2), lines([{ protocol }]));
      const fresh = openStore(t.uri);
      expect((await checkpoint(fresh)).version).toBe(2);
      expect((await vacuum(fresh, { dryRun: true })).files).toEqual([]);
      expect((await write(fresh, { schema: SCHEMA, partitionColumns: ['date'], mode: 'append', adds: [] })).version).toBe(3);
    }
  });
});
