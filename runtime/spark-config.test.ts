// FRESHET_SPARK_*: where Spark assets run, read into the engine's configuration.
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.ts';

describe('Spark configuration', () => {
  it('reads the master, spark-submit and conf into engine.spark; unset leaves the defaults to the engine', () => {
    expect(loadConfig({}, '/work').engine.spark).toEqual({});
    for (const master of ['local', 'local[4]', 'local[*]', 'spark://m:7077', 'yarn', 'k8s://https://k:443']) {
      const c = loadConfig(
        {
          FRESHET_SPARK_MASTER: master,
          FRESHET_SPARK_SUBMIT: 'spark/bin/spark-submit',
          FRESHET_SPARK_CONF: 'spark.executor.memory=8g, spark.a.b=x=y',
        },
        '/work',
      );
      expect(c.engine.spark).toEqual({
        master,
        submit: '/work/spark/bin/spark-submit',
        conf: { 'spark.executor.memory': '8g', 'spark.a.b': 'x=y' },
      });
    }
  });

  it.each([
    ['FRESHET_SPARK_MASTER', 'localhost', /Spark master: local\[2\]/],
    ['FRESHET_SPARK_MASTER', 'mesos://m:5050', /Spark master/],
    ['FRESHET_SPARK_CONF', 'executor.memory=8g', /spark\.key=value.*'executor\.memory=8g'/],
    ['FRESHET_SPARK_CONF', 'spark.a', /'spark\.a' is not one/],
  ])('%s=%s is refused, naming what is expected', (variable, value, message) => {
    expect(() => loadConfig({ [variable]: value }, '/work')).toThrow(message);
  });
});
