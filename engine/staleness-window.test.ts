// Staleness through time windows (lookback, timeWindow) on logs written here commit by commit:
// partitionStates finds each window's changes by bisection, and must say exactly what listing
// the window's keys one by one says.
import fc from 'fast-check';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  asset,
  definitions,
  hourlyPartitions,
  lookback,
  partitionValue,
  shiftKey,
  source,
  timeWindow,
  upstreamKeys,
  type PartitionMapping,
} from '../core/index.ts';
import { openStore } from '../storage/index.ts';
import { tempDir } from '../test/harness.ts';
import { partitionStates, type PartitionStatus } from './index.ts';

const root = tempDir('staleness-window');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const hourly = hourlyPartitions({ start: '2026-01-01-00', end: '2026-01-05-23' });
const schema = JSON.stringify({
  type: 'struct',
  fields: [
    { name: 'x', type: 'integer', nullable: true, metadata: {} },
    { name: 'hour', type: 'timestamp', nullable: true, metadata: {} },
  ],
});
const head = [
  { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
  {
    metaData: {
      id: 't',
      format: { provider: 'parquet', options: {} },
      schemaString: schema,
      partitionColumns: ['hour'],
      configuration: {},
      createdTime: 0,
    },
  },
];

/** A table whose version v (from 1) adds a file in partition keys[v - 1], with `info` as Freshet's commitInfo. */
function writeTable(dir: string, commits: Array<{ key: string; info?: object }>): void {
  const log = path.join(dir, '_delta_log');
  mkdirSync(log, { recursive: true });
  const file = (v: number, actions: object[]) =>
    writeFileSync(path.join(log, `${String(v).padStart(20, '0')}.json`), actions.map((a) => JSON.stringify(a)).join('\n') + '\n');
  file(0, head);
  commits.forEach(({ key, info }, i) =>
    file(i + 1, [
      {
        add: {
          path: `hour=${i}/part-${i}.parquet`,
          partitionValues: { hour: partitionValue(hourly, key) },
          size: 1,
          modificationTime: 0,
          dataChange: true,
        },
      },
      ...(info ? [{ commitInfo: { timestamp: 0, freshet: info } }] : []),
    ]),
  );
}

/** The rule, read key by key: stale when an upstream key in the window changed after the version read. */
function expected(
  mapping: PartitionMapping,
  upCommits: string[],
  down: Array<{ key: string; read: number }>,
  keys: string[],
): Map<string, PartitionStatus> {
  const newest = new Map<string, number>();
  upCommits.forEach((k, i) => newest.set(k, i + 1));
  const latest = new Map(down.map((d) => [d.key, d.read]));
  return new Map(
    keys.map((k): [string, PartitionStatus] => {
      const read = latest.get(k);
      if (read === undefined) return [k, { state: 'missing', reason: undefined }];
      const ups = upstreamKeys(hourly, hourly, mapping, k) as string[];
      const hit = ups.find((u) => (newest.get(u) ?? -1) > read);
      return [
        k,
        hit ? { state: 'outdated', reason: `raw ${hit} changed in v${newest.get(hit)} after this read v${read}` } : { state: 'up_to_date' },
      ];
    }),
  );
}

describe('staleness through time windows', () => {
  it('matches the window listed key by key, for any mapping, changes and reads', async () => {
    let run = 0;
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<PartitionMapping>(lookback(1), lookback(6), lookback(30), timeWindow(-3, 2), timeWindow(2, 5)),
        fc.array(fc.integer({ min: 0, max: 119 }), { minLength: 1, maxLength: 40 }),
        fc.uniqueArray(fc.record({ at: fc.integer({ min: 0, max: 119 }), read: fc.integer({ min: 0, max: 40 }) }), {
          selector: (d) => d.at,
          maxLength: 30,
        }),
        async (mapping, upAt, downAt) => {
          const dir = path.join(root, String(run++));
          const upCommits = upAt.map((i) => shiftKey(hourly, hourly.start, i));
          const down = downAt.map((d) => ({ key: shiftKey(hourly, hourly.start, d.at), read: Math.min(d.read, upCommits.length) }));
          writeTable(
            path.join(dir, 'raw'),
            upCommits.map((key) => ({ key })),
          );
          writeTable(
            path.join(dir, 'rolling'),
            down.map((d) => ({ key: d.key, info: { partition: d.key, inputVersions: { raw: d.read } } })),
          );
          const graph = definitions({
            assets: [
              source({ name: 'raw', partitions: hourly, sql: 'SELECT 1' }),
              asset({ name: 'rolling', deps: { raw: mapping }, partitions: hourly, sql: 'SELECT 1' }),
            ],
          });
          const keys = Array.from({ length: 120 }, (_, i) => shiftKey(hourly, hourly.start, i));
          const got = await partitionStates(graph, openStore(dir), 'rolling', keys);
          const want = expected(mapping, upCommits, down, keys);
          for (const k of keys) expect({ key: k, ...got.get(k) }).toEqual({ key: k, ...want.get(k) });
          for (const s of got.values()) seen.add(s.state);
        },
      ),
      { numRuns: 25 },
    );
    expect([...seen].sort()).toEqual(['missing', 'outdated', 'up_to_date']);
  });
});
