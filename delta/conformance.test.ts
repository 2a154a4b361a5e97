// Conformance with delta-rs (Python `deltalake`), an oracle no one here wrote: tables Freshet writes
// read the same in delta-rs, and tables delta-rs writes read the same in Freshet. Local and MinIO.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { ensureDeltaLake } from '../services/deltalake.ts';
import { startMinio, type MinioServer } from '../services/minio.ts';
import { ensureBucket, openStore, type ObjectStore } from '../storage/index.ts';
import { canonical, deltaRsRead, oracle, parquetRows } from '../test/support/delta/conformance/oracle.ts';
import { addPath, loadSnapshot, newDataFileKey, readRows, write, type Field } from './index.ts';
import { schemaString } from './schema.ts';
import { dataFile, tempDir } from '../test/support/delta/testkit.ts';

let minio: MinioServer | undefined;
const bucket = 'freshet-conformance';

beforeAll(async () => {
  await ensureDeltaLake();
  if (!sites.some((s) => s.name === 'MinIO')) return;
  minio = await startMinio();
  await ensureBucket(`s3://${bucket}`, s3Options());
});
afterAll(async () => {
  await minio?.stop();
});

function s3Options() {
  return {
    endpoint: minio!.endpoint,
    region: minio!.region,
    accessKeyId: minio!.accessKeyId,
    secretAccessKey: minio!.secretAccessKey,
    pathStyle: true,
  };
}

interface Site {
  name: string;
  /** a fresh table: the URI delta-rs opens and the store Freshet opens */
  table(): Promise<{ uri: string; store: ObjectStore }>;
  storageOptions(): Record<string, string>;
}

const allSites: Site[] = [
  {
    name: 'local directory',
    async table() {
      const uri = path.join(await tempDir('freshet-conf'), 'table');
      return { uri, store: openStore(uri) };
    },
    storageOptions: () => ({}),
  },
  {
    name: 'MinIO',
    async table() {
      const uri = `s3://${bucket}/${randomUUID()}/table`;
      return { uri, store: openStore(uri, { s3: s3Options() }) };
    },
    storageOptions: () => ({
      AWS_ENDPOINT_URL: minio!.endpoint,
      AWS_REGION: minio!.region,
      AWS_ALLOW_HTTP: 'true',
      AWS_ACCESS_KEY_ID: minio!.accessKeyId,
      AWS_SECRET_ACCESS_KEY: minio!.secretAccessKey,
    }),
  },
];
// FRESHET_CONFORMANCE_SITES (comma-separated site names) runs some sites only: the time-zone
// projects of vitest.config.ts run the local directory alone, the store has nothing zoned.
const only = process.env.FRESHET_CONFORMANCE_SITES?.split(',').map((s) => s.trim());
const sites = only ? allSites.filter((s) => only.includes(s.name)) : allSites;

async function py(site: Site, ...args: string[]): Promise<Record<string, unknown>> {
  return oracle(args, site.storageOptions());
}

/** delta-rs's view of a table: version, add paths, and its rows. */
async function deltaRs(site: Site, uri: string, version?: number) {
  const read = await deltaRsRead(uri, site.storageOptions(), version);
  return { version: read.version, files: read.files, rows: canonical(await parquetRows(read.parquet)) };
}

const BASE: Field[] = [
  { name: 'user_id', type: 'long', nullable: true },
  { name: 'amount', type: 'double', nullable: true },
  { name: 'ts', type: 'timestamp', nullable: true },
  { name: 'date', type: 'string', nullable: true },
];
const WIDE: Field[] = [...BASE, { name: 'country', type: 'string', nullable: true }];

/** 14 versions: appends, partition overwrites, a schema addition, a txn, odd partition values, a checkpoint at 10. */
async function freshetScenario(t: ObjectStore): Promise<void> {
  let n = 0;
  const rows = (k: number, wide = false) =>
    Array.from({ length: k }, () => {
      n++;
      return {
        user_id: n,
        amount: n * 0.25,
        ts: `2024-01-0${(n % 9) + 1} 0${n % 10}:15:00+00`,
        ...(wide ? { country: n % 2 ? 'NL' : null } : {}),
      };
    });
  const add = (schema: Field[], date: string | null, k: number) => dataFile(t, rows(k, schema === WIDE), { schema, pv: { date } });
  const commit = async (schema: Field[], mode: 'append' | 'overwrite', date: string | null, files: Promise<unknown>[], extra = {}) =>
    write(t, {
      schema,
      partitionColumns: ['date'],
      mode,
      replace: mode === 'overwrite' ? { date } : undefined,
      adds: (await Promise.all(files)) as never,
      ...extra,
    });
  await commit(BASE, 'append', null, [add(BASE, '2024-01-01', 3), add(BASE, '2024-01-02', 2)]);
  await commit(BASE, 'append', null, [add(BASE, '2024-01-03', 2)]);
  await commit(BASE, 'append', null, [add(BASE, '2024-01-01', 1)]);
  await commit(BASE, 'overwrite', '2024-01-02', [add(BASE, '2024-01-02', 4)]);
  await commit(BASE, 'append', null, [add(BASE, 'a:b c%/é', 2)], { txn: { appId: 'conformance', version: 1 } });
  await commit(WIDE, 'append', null, [add(WIDE, '2024-01-04', 3)]);
  await commit(WIDE, 'overwrite', '2024-01-01', [add(WIDE, '2024-01-01', 2)]);
  await commit(WIDE, 'append', null, [add(WIDE, null, 2)]);
  await commit(WIDE, 'append', null, [add(WIDE, '2024-01-03', 1), add(WIDE, '2024-01-05', 1)]);
  await commit(WIDE, 'overwrite', '2024-01-03', [add(WIDE, '2024-01-03', 2)]);
  await commit(WIDE, 'append', null, [add(WIDE, '2024-01-04', 1)]); // version 10: checkpoint
  await commit(WIDE, 'overwrite', 'a:b c%/é', [add(WIDE, 'a:b c%/é', 1)]);
  await commit(WIDE, 'append', null, [add(WIDE, '2024-01-06', 2)]);
  await commit(WIDE, 'overwrite', '2024-01-06', []);
}

async function freshetView(store: ObjectStore, version?: number) {
  const snap = (await loadSnapshot(store, version === undefined ? undefined : { version }))!;
  return { version: snap.version, files: snap.files.map((f) => f.path).sort(), rows: canonical(await readRows(store, snap)), snap };
}

describe.each(sites)('conformance with delta-rs on $name', (site) => {
  it('delta-rs reads a table Freshet wrote over 14 versions: same version, files and rows', async () => {
    const { uri, store } = await site.table();
    await freshetScenario(store);
    expect((await store.list('_delta_log/')).map((o) => o.path)).toContain('_delta_log/00000000000000000010.checkpoint.parquet');

    const ours = await freshetView(store);
    const theirs = await deltaRs(site, uri);
    expect(ours.version).toBe(13);
    expect(theirs.version).toBe(ours.version);
    expect(theirs.files).toEqual(ours.files);
    expect(theirs.rows.length).toBeGreaterThan(10);
    expect(theirs.rows).toEqual(ours.rows);

    // time travel, before the schema change and across the checkpoint
    for (const v of [4, 11]) {
      const [a, b] = [await freshetView(store, v), await deltaRs(site, uri, v)];
      expect(b.files).toEqual(a.files);
      expect(b.rows).toEqual(a.rows);
    }

    // filtered reads in delta-rs skip files by Freshet's stats: no row may go missing
    const rows = await readRows(store, ours.snap);
    const when = (r: Record<string, unknown>) =>
      Date.parse(
        String(r.ts)
          .replace(' ', 'T')
          .replace(/([+-]\d\d)$/, '$1:00'),
      );
    const cases: Array<[string, string, string, (r: Record<string, unknown>) => boolean]> = [
      ['user_id', '>', '20', (r) => Number(r.user_id) > 20],
      ['user_id', '<=', '16', (r) => Number(r.user_id) <= 16],
      ['ts', '>', '2024-01-05T03:15:00Z', (r) => when(r) > Date.parse('2024-01-05T03:15:00Z')],
      ['ts', '<', '2024-01-03T00:00:00Z', (r) => when(r) < Date.parse('2024-01-03T00:00:00Z')],
    ];
    for (const [col, op, value, keep] of cases) {
      const expected = rows.filter(keep).length;
      expect(expected, `${col} ${op} ${value} in ${JSON.stringify(rows[0])}`).toBeGreaterThan(0);
      expect((await py(site, 'count-where', uri, col, op, value)).rows, `${col} ${op} ${value}`).toBe(expected);
    }

    // delta-rs appends to the table Freshet wrote; Freshet reads its commit
    expect((await py(site, 'append', uri)).version).toBe(14);
    const appended = await freshetView(store);
    expect(appended.version).toBe(14);
    expect(appended.rows.length).toBe(ours.rows.length + 2);
    expect(appended.rows).toEqual((await deltaRs(site, uri)).rows);
  });

  it('Freshet reads a table delta-rs wrote (partition_by, append, overwrite, checkpoint, schema merge)', async () => {
    const { uri, store } = await site.table();
    const written = await py(site, 'write', uri);
    expect((await store.list('_delta_log/')).some((o) => o.path.endsWith('.checkpoint.parquet'))).toBe(true);

    const theirs = await deltaRs(site, uri);
    const ours = await freshetView(store);
    expect(ours.version).toBe(written.version);
    expect(ours.version).toBe(theirs.version);
    expect(ours.files).toEqual(theirs.files);
    expect(ours.rows).toEqual(theirs.rows);
    expect(ours.rows.length).toBe(7);
    expect(ours.snap.metadata.partitionColumns).toEqual(['date']);
    expect(ours.snap.metadata.schema.map((f) => f.name)).toContain('country');

    // and Freshet can go on writing it, with delta-rs still agreeing
    await write(store, {
      schema: ours.snap.metadata.schema,
      partitionColumns: ['date'],
      mode: 'overwrite',
      replace: { date: '2024-01-02' },
      adds: [],
    });
    const after = await deltaRs(site, uri);
    expect(after.version).toBe(ours.version + 1);
    expect(after.rows).toEqual((await freshetView(store)).rows);
  });

  it('every Delta timestamp reads as the same UTC instant as in delta-rs: INT96, zone-less and UTC columns, both partition value forms', async () => {
    const { uri, store } = await site.table();
    const made = await py(site, 'timestamp-files', await tempDir('freshet-ts'));
    const files = made.files as Array<{ kind: string; path: string; rows: number }>;
    // Partition values as the protocol allows them: UTC wall time (a DST gap and a repeated hour
    // in Los Angeles, a fraction) or ISO-8601 in UTC; and null.
    const pts = ['2024-03-10 02:30:00', '2024-11-03 01:30:00.5', '2024-03-10T10:30:00.123456Z', null];
    const schema: Field[] = [
      { name: 'id', type: 'long', nullable: true },
      { name: 'ts', type: 'timestamp', nullable: true },
      { name: 'pts', type: 'timestamp', nullable: true },
    ];
    const adds = [];
    for (const [i, f] of files.entries()) {
      const partitionValues = { pts: pts[i] };
      const key = newDataFileKey(['pts'], partitionValues);
      const size = (await fs.stat(f.path)).size;
      await store.putFile(key, f.path);
      adds.push({
        add: {
          path: addPath(key),
          partitionValues,
          size,
          modificationTime: Date.now(),
          dataChange: true,
          stats: JSON.stringify({ numRecords: f.rows }),
        },
      });
    }
    // the log as another writer (Spark) leaves it: one commit, files it did not write with Freshet
    const log = [
      { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
      {
        metaData: {
          id: randomUUID(),
          format: { provider: 'parquet', options: {} },
          schemaString: schemaString(schema),
          partitionColumns: ['pts'],
          configuration: {},
          createdTime: Date.now(),
        },
      },
      ...adds,
    ];
    await store.putIfAbsent('_delta_log/00000000000000000000.json', log.map((a) => JSON.stringify(a)).join('\n') + '\n');

    const ours = await freshetView(store);
    expect(ours.rows).toEqual((await deltaRs(site, uri)).rows);
    // and the instants are the ones written, each in one representation (UTC, "+00")
    const instants = [
      '2024-03-10 02:30:00+00',
      '2024-11-03 01:30:00.5+00',
      '2024-03-10 10:30:00.123456+00',
      '1969-12-31 23:59:59.999999+00',
    ];
    const millis = ['2024-03-10 02:30:00+00', '2024-11-03 01:30:00.5+00', '2024-03-10 10:30:00.123+00', '1969-12-31 23:59:59.999+00'];
    const partitions = ['2024-03-10 02:30:00+00', '2024-11-03 01:30:00.5+00', '2024-03-10 10:30:00.123456+00', null];
    const check = (rows: Record<string, unknown>[]) => {
      for (const r of rows) {
        const id = Number(r.id);
        const file = Math.floor(id / 10);
        expect({ id, ts: r.ts, pts: r.pts }).toEqual({
          id,
          ts: (files[file].kind === 'naive-ms' ? millis : instants)[id % 10],
          pts: partitions[file],
        });
      }
    };
    const rows = await readRows(store, ours.snap);
    expect(rows.length).toBe(16);
    check(rows);
    // each file read alone too: with no UTC-adjusted file to union with, the column is the file's own
    for (const add of ours.snap.files) {
      const alone = await readRows(store, ours.snap, [add]);
      expect(alone.length).toBe(4);
      check(alone);
    }
  });
});
