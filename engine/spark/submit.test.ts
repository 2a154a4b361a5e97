// spark-submit's command line for a Spark asset: Delta's session, UTC, local defaults, the
// asset's conf over the worker's, and extra packages resolved from Maven Central only.
import { describe, expect, it } from 'vitest';
import { asset, spark } from '../../core/index.ts';
import type { SparkSettings } from './settings.ts';
import { submitArgs } from './submit.ts';

const settings: SparkSettings = {
  master: 'local[2]',
  submit: '/opt/spark/bin/spark-submit',
  python: '/venv/bin/python',
  jars: ['/ivy/jars/io.delta_delta-spark_2.13-4.0.1.jar', '/ivy/jars/io.delta_delta-storage-4.0.1.jar'],
  ivySettings: '/spark/ivysettings.xml',
  ivyDir: '/spark/ivy',
  conf: { 'spark.executor.memory': '2g', 'spark.sql.shuffle.partitions': '16' },
};

/** --conf pairs as a map, and the other options in order. */
function parse(args: string[]) {
  const conf: Record<string, string> = {};
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--conf') {
      const [k, ...v] = args[++i].split('=');
      conf[k] = v.join('=');
    } else rest.push(args[i]);
  }
  return { conf, rest };
}

describe('submitArgs', () => {
  it('local: Delta session, UTC, no UI, the worker conf over the local defaults, the asset conf over both, the job last', () => {
    const a = asset({ name: 'clean', engine: spark({ conf: { 'spark.executor.memory': '8g' } }), sql: 'SELECT 1' });
    const { conf, rest } = parse(submitArgs(settings, a, '/tmp/job.json'));
    expect(conf).toMatchObject({
      'spark.sql.extensions': 'io.delta.sql.DeltaSparkSessionExtension',
      'spark.sql.catalog.spark_catalog': 'org.apache.spark.sql.delta.catalog.DeltaCatalog',
      'spark.sql.session.timeZone': 'UTC',
      'spark.ui.enabled': 'false',
      'spark.sql.shuffle.partitions': '16',
      'spark.executor.memory': '8g',
    });
    expect(rest.slice(0, 4)).toEqual(['--master', 'local[2]', '--name', 'freshet:clean']);
    expect(rest).toContain(settings.jars.join(','));
    expect(rest).not.toContain('--packages');
    expect(rest.slice(-2)).toEqual([expect.stringMatching(/engine\/spark\/driver\.py$/), '/tmp/job.json']);
  });

  it("a cluster master (the asset's own) keeps Spark's UI and shuffle defaults; packages resolve through Freshet's Ivy settings", () => {
    const a = asset({
      name: 'big',
      engine: spark({ master: 'yarn', packages: ['org.apache.spark:spark-avro_2.13:4.0.1'] }),
      sql: 'SELECT 1',
    });
    const { conf, rest } = parse(submitArgs({ ...settings, conf: {} }, a, '/tmp/job.json'));
    expect(rest.slice(0, 2)).toEqual(['--master', 'yarn']);
    expect(conf['spark.ui.enabled']).toBeUndefined();
    expect(conf['spark.sql.shuffle.partitions']).toBeUndefined();
    expect(rest[rest.indexOf('--packages') + 1]).toBe('org.apache.spark:spark-avro_2.13:4.0.1');
    expect(conf).toMatchObject({ 'spark.jars.ivySettings': '/spark/ivysettings.xml', 'spark.jars.ivy': '/spark/ivy' });
  });

  it("without local jars (a cluster's spark-submit), Delta itself comes by --packages", () => {
    const a = asset({ name: 'big', engine: spark(), sql: 'SELECT 1' });
    const { rest } = parse(submitArgs({ ...settings, jars: [] }, a, '/tmp/job.json'));
    expect(rest).not.toContain('--jars');
    expect(rest[rest.indexOf('--packages') + 1]).toBe('io.delta:delta-spark_2.13:4.0.1');
  });
});
