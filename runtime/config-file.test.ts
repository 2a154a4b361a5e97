// freshet.config.ts: found, imported, checked, and laid under the environment.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../test/harness.ts';
import { defineConfig, loadConfigFile } from './config-file.ts';
import { ConfigError, describeConfig, loadConfig } from './config.ts';

const here = import.meta.dirname;

function project(source: string, name = 'freshet.config.ts'): string {
  const dir = tempDir('config-file');
  writeFileSync(path.join(dir, name), source);
  return dir;
}

describe('freshet.config.ts', () => {
  it('is typed by defineConfig, imported once, and laid under the environment', async () => {
    const dir = project(`import { defineConfig } from '${path.join(here, 'config-file.ts')}';
export default defineConfig({ FRESHET_WEB_PORT: 9001, FRESHET_LOG_LEVEL: 'info', FRESHET_S3_PATH_STYLE: false, TEMPORAL_NAMESPACE: 'from-file', FRESHET_KAFKA_BROKERS: 'k1:9092' });
`);
    const file = await loadConfigFile({}, dir);
    expect(file).toEqual({
      path: path.join(dir, 'freshet.config.ts'),
      values: {
        FRESHET_WEB_PORT: '9001',
        FRESHET_LOG_LEVEL: 'info',
        FRESHET_S3_PATH_STYLE: 'false',
        TEMPORAL_NAMESPACE: 'from-file',
        FRESHET_KAFKA_BROKERS: 'k1:9092',
      },
    });
    const c = loadConfig({ FRESHET_LOG_LEVEL: 'error' }, dir, file);
    expect(c).toMatchObject({ namespace: 'from-file', logLevel: 'ERROR', web: { port: 9001 }, kafka: { brokers: ['k1:9092'] } });
    const rows = describeConfig({ FRESHET_LOG_LEVEL: 'error' }, dir, file);
    expect(rows.find((r) => r.variable === 'FRESHET_WEB_PORT')).toEqual({
      variable: 'FRESHET_WEB_PORT',
      value: '9001',
      source: 'freshet.config.ts',
      origin: path.join(dir, 'freshet.config.ts'),
    });
    expect(rows.find((r) => r.variable === 'FRESHET_LOG_LEVEL')).toMatchObject({ value: 'ERROR', source: 'environment' });
  });

  it('wins over the temporal.toml profile, and loses to the environment', async () => {
    const dir = project(`export default { TEMPORAL_NAMESPACE: 'from-file' };\n`);
    writeFileSync(path.join(dir, 'temporal.toml'), '[profile.default]\naddress = "temporal.internal:7233"\nnamespace = "from-profile"\n');
    const file = await loadConfigFile({}, dir);
    const env = { TEMPORAL_CONFIG_FILE: 'temporal.toml' };
    expect(loadConfig(env, dir, file)).toMatchObject({ temporalAddress: 'temporal.internal:7233', namespace: 'from-file' });
    expect(loadConfig({ ...env, TEMPORAL_NAMESPACE: 'from-env' }, dir, file).namespace).toBe('from-env');
    expect(describeConfig(env, dir, file).find((r) => r.variable === 'TEMPORAL_ADDRESS')?.source).toBe('temporal.toml profile');
  });

  it('is found where FRESHET_CONFIG says, which must exist; none at all is fine', async () => {
    const dir = project(`export default { FRESHET_WEB_PORT: '9002' };\n`, 'prod.config.ts');
    expect((await loadConfigFile({ FRESHET_CONFIG: 'prod.config.ts' }, dir))?.values).toEqual({ FRESHET_WEB_PORT: '9002' });
    expect(await loadConfigFile({}, dir)).toBeUndefined();
    await expect(loadConfigFile({ FRESHET_CONFIG: 'gone.config.ts' }, dir)).rejects.toThrow(
      `FRESHET_CONFIG: no file at ${path.join(dir, 'gone.config.ts')}`,
    );
  });

  it('names the file and the key of a bad entry', async () => {
    const dir = project(`export default { FRESHET_WEB_PROT: 9001, FRESHET_WAREHOUSE: ['a', 'b'], FRESHET_CONFIG: 'x.ts' };\n`);
    const err = await loadConfigFile({}, dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const file = path.join(dir, 'freshet.config.ts');
    expect((err as ConfigError).problems).toEqual([
      { variable: 'FRESHET_WEB_PROT', message: `not a Freshet variable (in ${file}); did you mean FRESHET_WEB_PORT?` },
      { variable: 'FRESHET_WAREHOUSE', message: `expected a string, number or boolean, got an array (in ${file})` },
      { variable: 'FRESHET_CONFIG', message: `names the configuration file, so it cannot be set inside one (in ${file})` },
    ]);
    // a value of the right type but wrong for the variable: found when the configuration is validated
    const badPort = await loadConfigFile({}, project(`export default { FRESHET_WEB_PORT: 70000 };\n`));
    expect(() => loadConfig({}, '/work', badPort)).toThrow(
      `FRESHET_WEB_PORT: expected a whole number from 0 to 65535, got '70000' (set in ${badPort!.path})`,
    );
  });

  it('refuses a file whose default export is not an object, and says what a file that throws threw', async () => {
    await expect(loadConfigFile({}, project(`export default 'FRESHET_WEB_PORT=1';\n`))).rejects.toThrow(
      /must default-export an object of variables/,
    );
    const dir = project(`throw new Error('boom in config');\nexport default {};\n`);
    await expect(loadConfigFile({}, dir)).rejects.toThrow(/Loading .*freshet\.config\.ts failed: boom in config/);
  });

  it('types its keys (compile-time: tsc checks this file)', () => {
    // @ts-expect-error not a Freshet variable
    expect(defineConfig({ FRESHET_WEB_PROT: 1 })).toEqual({ FRESHET_WEB_PROT: 1 });
    expect(defineConfig({ FRESHET_WEB_PORT: 8300, FRESHET_S3_PATH_STYLE: true })).toEqual({
      FRESHET_WEB_PORT: 8300,
      FRESHET_S3_PATH_STYLE: true,
    });
  });
});
