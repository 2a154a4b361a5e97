// The Temporal connection from temporal.toml profiles and TEMPORAL_* variables, with real files.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeTlsFiles, type TlsFiles } from '../test/support/tls-files.ts';
import { ConfigError, describeConfig, loadConfig } from './config.ts';
import { connectionOptions } from './temporal.ts';

const problemsOf = (env: Record<string, string>, cwd: string) => {
  try {
    loadConfig(env, cwd);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error(`no error for ${JSON.stringify(env)}`);
};

/** A temporal.toml in the TLS files' folder: a Cloud profile with mTLS and an API key, and a plain one. */
function writeToml(tls: TlsFiles, extra = ''): string {
  const file = path.join(tls.dir, 'temporal.toml');
  writeFileSync(
    file,
    `[profile.default]
address = "temporal.internal:7233"

[profile.cloud]
address = "features.acct.tmprl.cloud:7233"
namespace = "features.acct"
api_key = "profile-api-key"
[profile.cloud.tls]
client_cert_path = "${path.basename(tls.cert)}"
client_key_path = "${path.basename(tls.key)}"
server_ca_cert_path = "${tls.cert}"
server_name = "features.acct.tmprl.cloud"
[profile.cloud.grpc_meta]
x-team = "features"
${extra}`,
  );
  return file;
}

describe('Temporal connection from a temporal.toml profile', () => {
  it('resolves address, namespace, API key, TLS files and headers into the connection options', () => {
    const tls = makeTlsFiles('profile');
    const file = writeToml(tls);
    const c = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' }, tls.dir);
    expect(c).toMatchObject({ temporalAddress: 'features.acct.tmprl.cloud:7233', namespace: 'features.acct', embeddedTemporal: false });
    const opts = connectionOptions(c);
    expect(opts.address).toBe('features.acct.tmprl.cloud:7233');
    expect(opts.apiKey).toBe('profile-api-key');
    expect(opts.metadata).toEqual({ 'x-team': 'features' });
    const t = opts.tls as {
      serverNameOverride?: string;
      serverRootCACertificate?: Uint8Array;
      clientCertPair?: { crt: Uint8Array; key: Uint8Array };
    };
    expect(t.serverNameOverride).toBe('features.acct.tmprl.cloud');
    // relative paths in the profile resolve against the working directory; the files' bytes are what is sent
    expect(Buffer.from(t.clientCertPair!.crt).equals(readFileSync(tls.cert))).toBe(true);
    expect(Buffer.from(t.clientCertPair!.key).equals(readFileSync(tls.key))).toBe(true);
    expect(Buffer.from(t.serverRootCACertificate!).equals(readFileSync(tls.cert))).toBe(true);
  });

  it('lets the variables override the profile, and shows where each value came from, secrets masked', () => {
    const tls = makeTlsFiles('profile-env');
    const file = writeToml(tls);
    const env = {
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_PROFILE: 'cloud',
      TEMPORAL_NAMESPACE: 'staging.acct',
      TEMPORAL_API_KEY: 'env-api-key',
    };
    const c = loadConfig(env, tls.dir);
    expect(c.namespace).toBe('staging.acct');
    expect(c.temporal.apiKey).toBe('env-api-key');
    const rows = describeConfig(env, tls.dir);
    const row = (v: string) => rows.find((r) => r.variable === v);
    const origin = `profile 'cloud' in ${file}`;
    expect(row('TEMPORAL_ADDRESS')).toEqual({
      variable: 'TEMPORAL_ADDRESS',
      value: 'features.acct.tmprl.cloud:7233',
      source: 'temporal.toml profile',
      origin,
    });
    expect(row('TEMPORAL_NAMESPACE')).toEqual({ variable: 'TEMPORAL_NAMESPACE', value: 'staging.acct', source: 'environment' });
    expect(row('TEMPORAL_API_KEY')).toEqual({ variable: 'TEMPORAL_API_KEY', value: '***', source: 'environment' });
    expect(row('TEMPORAL_TLS')).toMatchObject({ value: 'true', source: 'temporal.toml profile' });
    expect(row('TEMPORAL_TLS_CLIENT_KEY_PATH')).toMatchObject({ value: tls.key, source: 'temporal.toml profile' });
    expect(JSON.stringify(rows)).not.toMatch(/profile-api-key|env-api-key/);
    // the profile's own key, with no variable over it, is masked too
    const fromProfile = describeConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'cloud' }, tls.dir);
    expect(fromProfile.find((r) => r.variable === 'TEMPORAL_API_KEY')).toEqual({
      variable: 'TEMPORAL_API_KEY',
      value: '***',
      source: 'temporal.toml profile',
      origin,
    });
  });

  it("reads the default profile from the SDK's default location; an address there means no embedded server", () => {
    const tls = makeTlsFiles('xdg');
    mkdirSync(path.join(tls.dir, 'temporalio'));
    writeFileSync(
      path.join(tls.dir, 'temporalio', 'temporal.toml'),
      '[profile.default]\naddress = "temporal.internal:7233"\nnamespace = "prod"\n',
    );
    const c = loadConfig({ XDG_CONFIG_HOME: tls.dir }, tls.dir);
    expect(c).toMatchObject({ temporalAddress: 'temporal.internal:7233', namespace: 'prod', embeddedTemporal: false, temporal: {} });
    // no file, no address: freshet dev starts its own server
    expect(loadConfig({ XDG_CONFIG_HOME: path.join(tls.dir, 'none') }, tls.dir).embeddedTemporal).toBe(true);
  });

  it('turns TLS on from the variables alone: TEMPORAL_TLS, client certificate files, inline PEM', () => {
    const tls = makeTlsFiles('env-tls');
    expect(loadConfig({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'yes' }, tls.dir).temporal.tls).toEqual({});
    expect(loadConfig({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS: 'no', TEMPORAL_API_KEY: 'k' }, tls.dir).temporal.tls).toBe(false);
    // an API key alone means TLS, as Temporal Cloud wants
    expect(loadConfig({ TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_API_KEY: 'k' }, tls.dir).temporal).toEqual({ tls: true, apiKey: 'k' });
    const inline = loadConfig(
      { TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CLIENT_CERT_DATA: tls.certPem, TEMPORAL_TLS_CLIENT_KEY_DATA: tls.keyPem },
      tls.dir,
    ).temporal.tls as { clientCertPair: { crt: Uint8Array; key: Uint8Array } };
    expect(Buffer.from(inline.clientCertPair.key).toString()).toBe(tls.keyPem.trim());
    const files = loadConfig(
      { TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_TLS_CLIENT_CERT_PATH: 'client.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: 'client.key' },
      tls.dir,
    ).temporal.tls as { clientCertPair: { crt: Uint8Array } };
    expect(Buffer.from(files.clientCertPair.crt).toString()).toBe(tls.certPem);
  });

  it('names the variable and the path of a TLS file that is missing or holds the wrong thing', () => {
    const tls = makeTlsFiles('bad-tls');
    const base = { TEMPORAL_ADDRESS: 'h:7233', TEMPORAL_API_KEY: 'secret-k3y' };
    const missing = path.join(tls.dir, 'nope.pem');
    expect(problemsOf({ ...base, TEMPORAL_TLS_CLIENT_CERT_PATH: missing, TEMPORAL_TLS_CLIENT_KEY_PATH: tls.key }, tls.dir)).toEqual([
      { variable: 'TEMPORAL_TLS_CLIENT_CERT_PATH', message: `no file at ${missing}` },
    ]);
    expect(problemsOf({ ...base, TEMPORAL_TLS_CLIENT_CERT_PATH: tls.key, TEMPORAL_TLS_CLIENT_KEY_PATH: tls.cert }, tls.dir)).toEqual([
      { variable: 'TEMPORAL_TLS_CLIENT_CERT_PATH', message: `${tls.key} does not hold a PEM certificate` },
      { variable: 'TEMPORAL_TLS_CLIENT_KEY_PATH', message: `${tls.cert} does not hold a PEM private key` },
    ]);
    expect(problemsOf({ ...base, TEMPORAL_TLS_SERVER_CA_CERT_PATH: missing }, tls.dir)).toEqual([
      { variable: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', message: `no file at ${missing}` },
    ]);
    const [unpaired] = problemsOf({ ...base, TEMPORAL_TLS_CLIENT_CERT_PATH: tls.cert }, tls.dir);
    expect(unpaired.variable).toBe('TEMPORAL_TLS_CLIENT_KEY_PATH');
    expect(unpaired.message).toMatch(/client certificate is set but its key is not/);
  });

  it("names the profile's key and file when the bad path is in temporal.toml", () => {
    const tls = makeTlsFiles('bad-profile');
    const file = writeToml(
      tls,
      `\n[profile.broken]\naddress = "h:7233"\n[profile.broken.tls]\nclient_cert_path = "gone.pem"\nclient_key_path = "${tls.key}"\n`,
    );
    const problems = problemsOf({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'broken' }, tls.dir);
    expect(problems).toEqual([
      {
        variable: 'TEMPORAL_TLS_CLIENT_CERT_PATH',
        message: `no file at ${path.join(tls.dir, 'gone.pem')} (tls.client_cert_path of profile 'broken' in ${file})`,
      },
    ]);
  });

  it('says which profiles exist when the one asked for does not, and what is wrong with a broken file', () => {
    const tls = makeTlsFiles('profiles');
    const file = writeToml(tls);
    expect(problemsOf({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' }, tls.dir)).toEqual([
      { variable: 'TEMPORAL_PROFILE', message: `no profile 'prod' in ${file} (it has 'default', 'cloud')` },
    ]);
    const broken = path.join(tls.dir, 'broken.toml');
    writeFileSync(broken, '[profile.x\naddress = 1');
    const [p] = problemsOf({ TEMPORAL_CONFIG_FILE: broken }, tls.dir);
    expect(p.variable).toBe('TEMPORAL_CONFIG_FILE');
    expect(p.message).toContain(`${broken} is not a valid temporal.toml`);
    const badAddress = path.join(tls.dir, 'bad-address.toml');
    writeFileSync(badAddress, '[profile.default]\naddress = "http://temporal:7233"\n');
    expect(problemsOf({ TEMPORAL_CONFIG_FILE: badAddress }, tls.dir)).toEqual([
      {
        variable: 'TEMPORAL_ADDRESS',
        message: `address of profile 'default' in ${badAddress} is 'http://temporal:7233': expected host:port of the Temporal frontend, such as 127.0.0.1:7233`,
      },
    ]);
  });

  it('never puts the API key or a key PEM in an error message', () => {
    const tls = makeTlsFiles('no-leak');
    const err = (() => {
      try {
        loadConfig(
          { TEMPORAL_API_KEY: 'api-s3cret', TEMPORAL_TLS_CLIENT_CERT_DATA: tls.keyPem, TEMPORAL_TLS_CLIENT_KEY_DATA: tls.keyPem },
          tls.dir,
        );
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toMatch(/TEMPORAL_TLS_CLIENT_CERT_DATA: the value does not hold a PEM certificate/);
    expect(err?.message).not.toContain('api-s3cret');
    expect(err?.message).not.toContain(tls.keyPem.split('\n')[1]);
  });
});
