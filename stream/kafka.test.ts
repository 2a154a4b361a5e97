// Exactly-once through SIGKILL, with a real Kafka broker on loopback and a real Delta sink: the
// job runs in a child process killed three times at random moments; the sink's final windows
// must equal DuckDB's answer over the same events, every row, none twice.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSnapshot, readRows } from '../delta/index.ts';
import { startKafka } from '../services/kafka.ts';
import type { KafkaServer } from '../services/kafka.ts';
import { LocalStore } from '../storage/local.ts';
import { listCheckpoints, readCheckpointHeader } from './checkpoint.ts';
import type { ChildConfig } from '../test/support/stream/job-child.ts';
import { makePurchases, produceToTopic } from '../test/support/stream/kafka-fixture.ts';

const EVENTS = Number(process.env.FRESHET_KAFKA_EVENTS ?? 200_000);
const PARTITIONS = 3;
const here = path.dirname(new URL(import.meta.url).pathname);
let kafka: KafkaServer;
let dir: string;

beforeAll(async () => {
  kafka = await startKafka({ partitions: PARTITIONS });
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-kafka-test-'));
}, 180_000);

afterAll(async () => {
  await kafka?.stop();
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

function startChild(config: ChildConfig, onLine: (o: Record<string, unknown>) => void): ChildProcess {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(here, '..', 'test', 'support', 'stream', 'job-child.ts'), JSON.stringify(config)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        onLine(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* not ours */
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
  return child;
}

describe('streaming job on Kafka', () => {
  it(`commits every window exactly once through three SIGKILLs (${EVENTS} events)`, async () => {
    const topic = 'purchases';
    const events = makePurchases(EVENTS, 7, 2_000);
    // plus some garbage for the dead letters
    const ends = await produceToTopic(kafka.brokers, topic, PARTITIONS, events, {
      extra: ['{"user_id": "u1", "ts": "not a time", "id": "bad"}'],
    });

    const storeDir = path.join(dir, 'job');
    const config: ChildConfig = {
      assetModule: path.join(here, '..', 'test', 'support', 'stream', 'test-assets.ts'),
      assetExport: 'spendPerUser',
      storeDir,
      source: { kind: 'kafka', options: { brokers: kafka.brokers, topic, stopAt: ends } },
      checkpointIntervalMs: 200,
      compactEvery: 5,
    };
    const restoredFrom: number[] = [];
    for (let kill = 0; kill < 3; kill++) {
      await new Promise<void>((resolve, reject) => {
        let seen = 0;
        const child = startChild(config, (o) => {
          if (o.checkpoint !== undefined && ++seen === 1) {
            restoredFrom.push(Number(o.restoredFrom));
            setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 250));
          }
          if (o.done) reject(new Error('the job finished before it could be killed; raise FRESHET_KAFKA_EVENTS'));
        });
        child.on('exit', () => resolve());
      });
    }
    const done = await new Promise<Record<string, unknown>>((resolve, reject) => {
      let last: Record<string, unknown> | undefined;
      let first = true;
      const child = startChild(config, (o) => {
        if (o.done) last = o;
        else if (first) {
          first = false;
          restoredFrom.push(Number(o.restoredFrom));
        }
      });
      child.on('exit', (code) => (last ? resolve(last) : reject(new Error(`job exited with ${code}`))));
    });
    expect(done.done).toBe('source-exhausted');
    // the first run started empty; each run after a kill restored a checkpoint
    expect(restoredFrom[0]).toBe(0);
    expect(restoredFrom.slice(1).every((id) => id > 0)).toBe(true);

    // what the sink holds: the newest revision of each window, and no revision twice
    const sink = new LocalStore(storeDir).at('sink');
    const rows = await readRows(sink, (await loadSnapshot(sink))!);
    const got = new Map<string, string>();
    const seenRevision = new Set<string>();
    for (const r of rows) {
      const id = `${r.user_id}@${new Date(String(r.window_start)).getTime()}`;
      expect(seenRevision.has(`${id}#${r.revision}`), `${id} revision ${r.revision} committed twice`).toBe(false);
      seenRevision.add(`${id}#${r.revision}`);
      got.set(id, `${Number(r.purchases)}|${Number(r.spend).toFixed(2)}`);
    }

    // DuckDB over the same events: every window the final watermark closed
    const eventsFile = path.join(dir, 'events.json');
    await fs.writeFile(eventsFile, events.map((e) => JSON.stringify(e)).join('\n'));
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    // the job's final watermark: the smallest per-partition maximum, less the 2 s bound and 1 ms
    const finalWatermark = await finalWatermarkOf(storeDir);
    const reference = await c.runAndReadAll(`
      WITH e AS (SELECT * FROM read_json('${eventsFile}', format = 'newline_delimited', columns = {id: 'VARCHAR', user_id: 'VARCHAR', amount: 'DOUBLE', ts: 'BIGINT'})),
      w AS (SELECT user_id, amount, (floor(ts / 2000)::BIGINT * 2000) - i * 2000 AS ws FROM e, range(0, 5) t(i))
      SELECT user_id, ws, count(*) AS purchases, sum(amount) AS spend FROM w
      WHERE ws + 10000 - 1 <= ${finalWatermark} GROUP BY ALL`);
    const want = new Map<string, string>();
    for (const r of reference.getRowObjectsJson())
      want.set(`${r.user_id}@${Number(r.ws)}`, `${Number(r.purchases)}|${Number(r.spend).toFixed(2)}`);
    c.closeSync();
    expect(want.size).toBeGreaterThan(1_000);
    const missing = [...want.keys()].filter((k) => got.get(k) !== want.get(k));
    const extra = [...got.keys()].filter((k) => !want.has(k));
    expect({ wrong: missing.length, extra: extra.length, sample: missing.slice(0, 3).map((k) => [k, got.get(k), want.get(k)]) }).toEqual({
      wrong: 0,
      extra: 0,
      sample: [],
    });

    const deadSnap = await loadSnapshot(new LocalStore(storeDir).at('dead_letters'));
    const dead = await readRows(new LocalStore(storeDir).at('dead_letters'), deadSnap!);
    expect(dead.map((d) => [d.reason, d.error])).toEqual([
      [
        'event-time',
        `event time field 'ts' is "not a time": not whole epoch milliseconds or an ISO-8601 time with a zone, e.g. 2026-01-01T10:00:00Z`,
      ],
    ]);
  }, 600_000);
});

/** The watermark recorded in the job's newest checkpoint. */
async function finalWatermarkOf(storeDir: string): Promise<number> {
  const store = new LocalStore(storeDir);
  const ids = await listCheckpoints(store);
  return (await readCheckpointHeader(store, ids[ids.length - 1])).watermark.watermark;
}
