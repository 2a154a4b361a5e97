import { describe, expect, it } from 'vitest';
import type { ShardStatus } from '../../control/streams.ts';
import type { JobMetrics } from '../../stream/job.ts';
import { parseSource, shardLine } from './stream.ts';
import { describeSourceSpec } from '../../stream/source-spec.ts';

type Metrics = Omit<JobMetrics, 'calibration'>;
const metrics: Metrics = {
  checkpointId: 7,
  events: 1_000,
  eventsPerSecond: 250,
  watermarkLagMs: 1_500,
  watermark: 0,
  stateKeys: 12,
  stateBytes: 0,
  rows: 40,
  late: 2,
  deadLetters: 5,
  deadLettersByReason: { 'event-time': 1, 'future-skew': 4 },
  duplicates: 0,
  lastCheckpointAt: 0,
  checkpointStallMs: 0,
  checkpointMs: 0,
  checkpointBytes: 0,
  checkpointFull: false,
  restoredFrom: 6,
  restoreMs: 3,
  restoreReset: null,
};
const shard = (m: Partial<Metrics> | undefined): ShardStatus => ({
  shard: 0,
  attempt: 2,
  lastHeartbeatAt: 0,
  lastFailure: undefined,
  worker: undefined,
  heartbeat: { phase: 'running', shard: 0, pid: 1, checkpointId: 7, loopDelayMaxMs: 0, at: 0, metrics: m && { ...metrics, ...m } },
});

describe('freshet stream status', () => {
  it('shows late events and dead letters by reason, most first', () => {
    expect(shardLine(shard({}))).toBe(
      '  shard 0: attempt 2, checkpoint 7, 250 events/s, watermark lag 1.5 s, 12 keys, 2 late, 5 dead letters (future-skew 4, event-time 1)',
    );
    expect(shardLine(shard({ deadLetters: 0, deadLettersByReason: {} }))).toMatch(/, 2 late, 0 dead letters$/);
  });
  it('reads heartbeats of workers from before dead letters had reasons', () => {
    expect(shardLine(shard({ deadLettersByReason: undefined }))).toMatch(/, 5 dead letters$/);
    expect(shardLine(shard(undefined))).toBe('  shard 0: attempt 2, checkpoint 7');
  });
  it('says when the restored checkpoint had been blinded and was reset', () => {
    const reset = { watermark: 4_853_599_997_999, partitions: [0], panes: 1, keys: 1, ids: 1 };
    expect(shardLine(shard({ restoreReset: reset }))).toContain(
      ', restored a checkpoint blinded by a far-future event (watermark 2123-10-21T',
    );
  });
});

describe('freshet stream start --source', () => {
  it('takes the brokers from the URL, or leaves them to the worker (FRESHET_KAFKA_BROKERS) when it names none', () => {
    expect(parseSource('kafka://k1:9092,k2:9092/purchases')).toEqual({
      kind: 'kafka',
      brokers: ['k1:9092', 'k2:9092'],
      topic: 'purchases',
    });
    const noBrokers = parseSource('kafka:///purchases');
    expect(noBrokers).toEqual({ kind: 'kafka', topic: 'purchases' });
    expect(describeSourceSpec(noBrokers)).toBe("kafka:purchases@the worker's FRESHET_KAFKA_BROKERS");
    expect(() => parseSource('kafka:purchases')).toThrow(/kafka:\/\/\/topic/);
  });
});
