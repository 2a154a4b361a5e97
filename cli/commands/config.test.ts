// `freshet config` and a closed pipe, through the real command in a child process.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/harness.ts';
import { makeTlsFiles } from '../../test/support/tls-files.ts';

const bin = path.resolve('bin/freshet.mjs');

function freshet(
  args: string[],
  env: Record<string, string>,
  opts: { closeAfterFirstLine?: boolean; cwd?: string } = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, cwd: opts.cwd });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      // as `| head -1` does: read one line, then close the pipe while the command still writes
      if (opts.closeAfterFirstLine && out.includes('\n')) child.stdout.destroy();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('freshet config', () => {
  it('prints every variable with its value and source, secrets masked', async () => {
    const r = await freshet(['config', '--json'], {
      FRESHET_WEB_PORT: '9123',
      FRESHET_TOKEN: 'sekret-token-1',
      AWS_SECRET_ACCESS_KEY: 'sekret-key-2',
    });
    expect(r.code, r.err).toBe(0);
    const rows = JSON.parse(r.out) as Array<{ variable: string; value: string; source: string }>;
    expect(rows.find((x) => x.variable === 'FRESHET_WEB_PORT')).toEqual({
      variable: 'FRESHET_WEB_PORT',
      value: '9123',
      source: 'environment',
    });
    expect(rows.find((x) => x.variable === 'FRESHET_TOKEN')?.value).toBe('***');
    expect(r.out + r.err).not.toMatch(/sekret/);
  });

  it('fails at start on a bad value, naming the variable and what is expected', async () => {
    const r = await freshet(['config'], { FRESHET_WORKER_ACTIVITIES: 'many', FRESHET_LOG_LEVEL: 'shout' });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/FRESHET_WORKER_ACTIVITIES: expected a whole number from 1 .*'many'/);
    expect(r.err).toMatch(/FRESHET_LOG_LEVEL: expected one of TRACE, DEBUG, INFO, WARN, ERROR, got 'shout'/);
  });

  it('ends quietly when the reader closes the pipe (| head)', async () => {
    const r = await freshet(['config'], {}, { closeAfterFirstLine: true });
    expect(r.err).not.toMatch(/EPIPE|Unhandled/);
    expect(r.code).toBe(0);
  });
});

type Row = { variable: string; value: string; source: string; origin?: string };

/** A folder that is an ESM package, as a Freshet project is. */
function esmProject(prefix: string): string {
  const dir = tempDir(prefix);
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  return dir;
}

describe('freshet config with freshet.config.ts, temporal.toml and secrets', () => {
  it('lays the environment over freshet.config.ts over the temporal.toml profile, and says where each value came from', async () => {
    const dir = esmProject('cli-config-file');
    writeFileSync(
      path.join(dir, 'freshet.config.ts'),
      `import { defineConfig } from '${path.resolve('runtime/config-file.ts')}';\nexport default defineConfig({ FRESHET_WEB_PORT: 9124, FRESHET_LOG_LEVEL: 'info', TEMPORAL_NAMESPACE: 'from-file' });\n`,
    );
    writeFileSync(path.join(dir, 'temporal.toml'), '[profile.default]\naddress = "temporal.internal:7233"\nnamespace = "from-profile"\n');
    const env = { TEMPORAL_CONFIG_FILE: 'temporal.toml', FRESHET_LOG_LEVEL: 'error', XDG_CONFIG_HOME: dir };
    const r = await freshet(['config', '--json'], env, { cwd: dir });
    expect(r.code, r.err).toBe(0);
    const rows = JSON.parse(r.out) as Row[];
    const row = (v: string) => rows.find((x) => x.variable === v);
    const file = path.join(dir, 'freshet.config.ts');
    expect(row('FRESHET_WEB_PORT')).toEqual({ variable: 'FRESHET_WEB_PORT', value: '9124', source: 'freshet.config.ts', origin: file });
    expect(row('FRESHET_LOG_LEVEL')).toEqual({ variable: 'FRESHET_LOG_LEVEL', value: 'ERROR', source: 'environment' });
    expect(row('TEMPORAL_NAMESPACE')).toMatchObject({ value: 'from-file', source: 'freshet.config.ts' });
    expect(row('TEMPORAL_ADDRESS')).toEqual({
      variable: 'TEMPORAL_ADDRESS',
      value: 'temporal.internal:7233',
      source: 'temporal.toml profile',
      origin: `profile 'default' in ${path.join(dir, 'temporal.toml')}`,
    });
    expect(row('FRESHET_WORKER_ACTIVITIES')).toEqual({ variable: 'FRESHET_WORKER_ACTIVITIES', value: '4', source: 'default' });
    // the table says the same
    const table = await freshet(['config'], env, { cwd: dir });
    expect(table.out).toMatch(new RegExp(`FRESHET_WEB_PORT\\s+9124\\s+freshet\\.config\\.ts \\(${file.replace(/[.]/g, '\\.')}\\)`));
  });

  it('fails at start on a bad value in freshet.config.ts, naming the file and the key', async () => {
    const dir = esmProject('cli-config-bad');
    writeFileSync(path.join(dir, 'freshet.config.ts'), `export default { FRESHET_WEB_PORT: 'http', FRESHET_DUCKDB_THREAD: 2 };\n`);
    const file = path.join(dir, 'freshet.config.ts');
    const unknown = await freshet(['config'], {}, { cwd: dir });
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain(`FRESHET_DUCKDB_THREAD: not a Freshet variable (in ${file}); did you mean FRESHET_DUCKDB_THREADS?`);
    writeFileSync(file, `export default { FRESHET_WEB_PORT: 'http' };\n`);
    const bad = await freshet(['config'], {}, { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.err).toContain(`FRESHET_WEB_PORT: expected a whole number from 0 to 65535, got 'http' (set in ${file})`);
  });

  it('says how to fix a freshet.config.ts that tsx loads as CommonJS (no ESM package.json), and loads a .mts one', async () => {
    const dir = tempDir('cli-config-cjs');
    writeFileSync(path.join(dir, 'freshet.config.ts'), `export default { FRESHET_WEB_PORT: 9125 };\n`);
    const r = await freshet(['config'], {}, { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/loaded as CommonJS.*"type": "module".*freshet\.config\.mts/);
    writeFileSync(path.join(dir, 'freshet.config.mts'), `export default { FRESHET_WEB_PORT: 9125 };\n`);
    const mts = await freshet(['config', '--json'], { FRESHET_CONFIG: 'freshet.config.mts' }, { cwd: dir });
    expect(mts.code, mts.err).toBe(0);
    expect((JSON.parse(mts.out) as Row[]).find((x) => x.variable === 'FRESHET_WEB_PORT')).toMatchObject({
      value: '9125',
      source: 'freshet.config.ts',
    });
  });

  it('masks the Temporal API key, the TLS key and the Kafka password in the table and in --json', async () => {
    const tls = makeTlsFiles('cli-secrets');
    const env = {
      TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233',
      TEMPORAL_API_KEY: 'sekret-api-key-3',
      TEMPORAL_TLS_CLIENT_CERT_DATA: tls.certPem,
      TEMPORAL_TLS_CLIENT_KEY_DATA: tls.keyPem,
      FRESHET_KAFKA_SASL_MECHANISM: 'scram-sha-256',
      FRESHET_KAFKA_SASL_USERNAME: 'svc',
      FRESHET_KAFKA_SASL_PASSWORD: 'sekret-sasl-4',
    };
    const keyBody = tls.keyPem.split('\n')[1];
    const [table, json] = await Promise.all([
      freshet(['config'], env, { cwd: tls.dir }),
      freshet(['config', '--json'], env, { cwd: tls.dir }),
    ]);
    for (const r of [table, json]) {
      expect(r.code, r.err).toBe(0);
      expect(r.out + r.err).not.toMatch(/sekret/);
      expect(r.out + r.err).not.toContain(keyBody);
    }
    expect(table.out).toMatch(/TEMPORAL_API_KEY\s+\*\*\*\s+environment/);
    const rows = JSON.parse(json.out) as Row[];
    for (const v of ['TEMPORAL_API_KEY', 'TEMPORAL_TLS_CLIENT_KEY_DATA', 'FRESHET_KAFKA_SASL_PASSWORD']) {
      expect(rows.find((x) => x.variable === v)).toEqual({ variable: v, value: '***', source: 'environment' });
    }
    expect(rows.find((x) => x.variable === 'TEMPORAL_TLS')?.value).toBe('true');
  });

  it('fails clearly on a Kafka SASL configuration without its password', async () => {
    const r = await freshet(['config'], { FRESHET_KAFKA_SASL_MECHANISM: 'plain', FRESHET_KAFKA_SASL_USERNAME: 'svc' });
    expect(r.code).toBe(1);
    expect(r.err).toContain('FRESHET_KAFKA_SASL_PASSWORD: required with FRESHET_KAFKA_SASL_MECHANISM=plain');
  });
});
