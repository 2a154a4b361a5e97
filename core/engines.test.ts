// engine: spark({...}): what an asset may ask of Spark, refused at declaration with the reason.
import { describe, expect, it } from 'vitest';
import { asset, AssetDefinitionError, dailyPartitions, spark } from './index.ts';

const daily = dailyPartitions({ start: '2026-01-01' });

describe('spark()', () => {
  it('keeps master, conf (as strings) and packages; nothing given means the worker defaults', () => {
    expect(spark()).toEqual({ kind: 'spark', master: undefined, conf: {}, packages: [] });
    expect(
      spark({
        master: 'yarn',
        conf: { 'spark.executor.instances': 4, 'spark.dynamicAllocation.enabled': false },
        packages: ['org.apache.spark:spark-avro_2.13:4.0.1'],
      }),
    ).toEqual({
      kind: 'spark',
      master: 'yarn',
      conf: { 'spark.executor.instances': '4', 'spark.dynamicAllocation.enabled': 'false' },
      packages: ['org.apache.spark:spark-avro_2.13:4.0.1'],
    });
    const def = asset({ name: 'big', partitions: daily, deps: ['raw'], engine: spark(), sql: 'SELECT 1 AS x FROM raw' });
    expect(def.engine?.kind).toBe('spark');
    expect(asset({ name: 'small', sql: 'SELECT 1 AS x' }).engine).toBeUndefined();
  });

  it.each([
    [() => spark({ conf: { 'executor.memory': '8g' } }), /conf key 'executor.memory' is not a Spark setting/],
    [() => spark({ packages: ['spark-avro'] }), /'spark-avro' is not a Maven coordinate group:artifact:version/],
    [() => spark({ master: ' ' }), /master is empty/],
    [() => asset({ name: 'x', engine: spark(), schema: { a: 'BIGINT' }, async *transform() {} }), /asset 'x' runs on Spark: give it 'sql'/],
    [
      () =>
        asset({ name: 'x', engine: spark(), sql: 'SELECT f(1)', functions: { f: { params: ['BIGINT'], returns: 'BIGINT', fn: () => 1 } } }),
      /asset 'x' runs on Spark: 'functions'/,
    ],
    [
      () => asset({ name: 'x', partitions: daily, engine: spark(), sql: 'SELECT 1', rangeSql: 'SELECT 1' }),
      /asset 'x' runs on Spark: leave out 'rangeSql'/,
    ],
  ])('refuses what Spark cannot run (%#)', (declare, message) => {
    expect(declare).toThrow(AssetDefinitionError);
    expect(declare).toThrow(message);
  });
});
