// The Temporal connection's settings: the SDK's own envconfig (`@temporalio/envconfig`) reads the
// temporal.toml profile and lays the TEMPORAL_* variables over it, as the `temporal` CLI and the
// other SDKs do. Freshet hands it the variables it has already validated (so `TEMPORAL_TLS=yes`
// means what Freshet's other booleans mean), then checks what came out: an address that is not
// host:port, a certificate file that is missing or holds no certificate, a client certificate
// without its key: each names the variable (or the profile's key and file) and the path.
import type { TLSConfig } from '@temporalio/client';
import {
  loadClientConfig,
  loadClientConfigProfile,
  toClientOptions,
  type ClientConfigProfile,
  type ConfigDataSource,
} from '@temporalio/envconfig';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pemProblem, readPemFile, type PemKind } from './pem-file.ts';

/** What a connection to Temporal needs beyond its address and namespace. Holds secrets. */
export interface TemporalConnection {
  /** false: plaintext; true: TLS with the system's CAs; an object: client certificate, CA, server name */
  tls?: TLSConfig | boolean;
  /** Temporal Cloud API key (TEMPORAL_API_KEY or the profile's api_key) */
  apiKey?: string;
  /** gRPC headers sent with every call (TEMPORAL_GRPC_META_<NAME>, the profile's grpc_meta) */
  metadata?: Record<string, string>;
}

/** The variables envconfig reads, as Freshet validated them. */
export interface TemporalVariables {
  TEMPORAL_ADDRESS?: string;
  TEMPORAL_NAMESPACE?: string;
  TEMPORAL_PROFILE?: string;
  TEMPORAL_CONFIG_FILE?: string;
  TEMPORAL_API_KEY?: string;
  TEMPORAL_TLS?: boolean;
  TEMPORAL_TLS_CLIENT_CERT_PATH?: string;
  TEMPORAL_TLS_CLIENT_CERT_DATA?: string;
  TEMPORAL_TLS_CLIENT_KEY_PATH?: string;
  TEMPORAL_TLS_CLIENT_KEY_DATA?: string;
  TEMPORAL_TLS_SERVER_CA_CERT_PATH?: string;
  TEMPORAL_TLS_SERVER_CA_CERT_DATA?: string;
  TEMPORAL_TLS_SERVER_NAME?: string;
}
export type TemporalVariable = keyof TemporalVariables;

/** The variables envconfig lays over the profile (TEMPORAL_PROFILE and TEMPORAL_CONFIG_FILE choose the profile). */
const SDK_VARIABLES = [
  'TEMPORAL_ADDRESS',
  'TEMPORAL_NAMESPACE',
  'TEMPORAL_API_KEY',
  'TEMPORAL_TLS',
  'TEMPORAL_TLS_CLIENT_CERT_PATH',
  'TEMPORAL_TLS_CLIENT_CERT_DATA',
  'TEMPORAL_TLS_CLIENT_KEY_PATH',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
  'TEMPORAL_TLS_SERVER_CA_CERT_DATA',
  'TEMPORAL_TLS_SERVER_NAME',
] as const satisfies readonly TemporalVariable[];

export interface ResolvedTemporal {
  address: string | undefined;
  namespace: string | undefined;
  connection: TemporalConnection;
  /** the temporal.toml profile that was read, if one was */
  profile?: { name: string; file: string };
  /** what the profile supplied where no variable was set, as `freshet config` shows it */
  fromProfile: Partial<Record<TemporalVariable, string>>;
  problems: Array<{ variable: string; message: string }>;
}

const HOST_PORT = /^[^\s:/]+:\d{1,5}$|^\[[0-9a-f:]+\]:\d{1,5}$/i;
export const isHostPort = (v: string): boolean => HOST_PORT.test(v);
export const HOST_PORT_EXPECTED = 'expected host:port of the Temporal frontend, such as 127.0.0.1:7233';

/** Where the SDK looks for temporal.toml when TEMPORAL_CONFIG_FILE is not set (its own lookup is internal). */
export function defaultTemporalConfigFile(env: Record<string, string | undefined>): string | undefined {
  if (os.platform() === 'win32') return env.APPDATA ? path.join(env.APPDATA, 'temporalio', 'temporal.toml') : undefined;
  if (os.platform() === 'darwin')
    return env.HOME ? path.join(env.HOME, 'Library', 'Application Support', 'temporalio', 'temporal.toml') : undefined;
  const xdg = env.XDG_CONFIG_HOME;
  const dir = xdg ? (path.isAbsolute(xdg) ? xdg : undefined) : env.HOME ? path.join(env.HOME, '.config') : undefined;
  return dir && path.join(dir, 'temporalio', 'temporal.toml');
}

/** One TLS file setting: the profile keys and variables that give it, and what it must hold. */
const TLS_FILES = [
  { field: 'clientCert', toml: 'client_cert', variable: 'TEMPORAL_TLS_CLIENT_CERT', kind: 'certificate' },
  { field: 'clientKey', toml: 'client_key', variable: 'TEMPORAL_TLS_CLIENT_KEY', kind: 'private key' },
  { field: 'serverCACert', toml: 'server_ca_cert', variable: 'TEMPORAL_TLS_SERVER_CA_CERT', kind: 'certificate' },
] as const satisfies ReadonlyArray<{ field: string; toml: string; variable: string; kind: PemKind }>;

/**
 * Resolves the Temporal connection from the validated variables, the temporal.toml profile
 * (TEMPORAL_PROFILE, default `default`, in TEMPORAL_CONFIG_FILE or the SDK's default location)
 * and `env` (for TEMPORAL_GRPC_META_* and the home folder). Relative paths resolve against `cwd`.
 */
export function resolveTemporal(v: TemporalVariables, env: Record<string, string | undefined>, cwd: string): ResolvedTemporal {
  const problems: ResolvedTemporal['problems'] = [];
  const explicitFile = v.TEMPORAL_CONFIG_FILE ? path.resolve(cwd, v.TEMPORAL_CONFIG_FILE) : undefined;
  const file = explicitFile ?? defaultTemporalConfigFile(env);
  const haveFile = file !== undefined && existsSync(file);
  const profileName = v.TEMPORAL_PROFILE ?? 'default';
  if (explicitFile && !haveFile) {
    problems.push({ variable: 'TEMPORAL_CONFIG_FILE', message: `no file at ${explicitFile}` });
  } else if (v.TEMPORAL_PROFILE && !haveFile) {
    problems.push({
      variable: 'TEMPORAL_PROFILE',
      message: `profile '${v.TEMPORAL_PROFILE}' asked for, but there is no temporal.toml${file ? ` at ${file}` : ''}: set TEMPORAL_CONFIG_FILE to the file that holds it`,
    });
  }

  // The profile alone first (to tell what it supplied), then with the variables laid over it.
  let fileProfile: ClientConfigProfile = {};
  let readFile = haveFile;
  if (haveFile) {
    try {
      fileProfile = loadClientConfigProfile({
        profile: v.TEMPORAL_PROFILE,
        configSource: { path: file },
        disableEnv: true,
        overrideEnvVars: {},
      });
    } catch (err) {
      readFile = false;
      problems.push(profileProblem(err as Error, file, v.TEMPORAL_PROFILE));
    }
  }
  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({
      profile: v.TEMPORAL_PROFILE,
      ...(readFile ? { configSource: { path: file! } } : { disableFile: true }),
      overrideEnvVars: sdkEnvironment(v, env, cwd),
    });
  } catch (err) {
    // Only a file error can land here, and it was reported above.
    problems.push({ variable: 'TEMPORAL_CONFIG_FILE', message: (err as Error).message });
    profile = {};
  }
  resolveTlsPaths(profile, cwd);
  resolveTlsPaths(fileProfile, cwd);
  const where = (key: string) => `${key} of profile '${profileName}' in ${file}`;

  if (profile.address !== undefined && !v.TEMPORAL_ADDRESS && !isHostPort(profile.address)) {
    problems.push({ variable: 'TEMPORAL_ADDRESS', message: `${where('address')} is '${profile.address}': ${HOST_PORT_EXPECTED}` });
  }
  const tlsOn = profile.tls ? profile.tls.disabled !== true : profile.apiKey !== undefined;
  if (profile.tls && tlsOn) {
    for (const f of TLS_FILES) {
      const source = profile.tls[f.field];
      if (!source) continue;
      const fromVariable = 'path' in source ? v[`${f.variable}_PATH`] !== undefined : v[`${f.variable}_DATA`] !== undefined;
      const variable = `${f.variable}_${'path' in source ? 'PATH' : 'DATA'}`;
      const label = fromVariable ? '' : ` (${where(`tls.${f.toml}_${'path' in source ? 'path' : 'data'}`)})`;
      const problem = problemOf(source, f.kind);
      if (problem) problems.push({ variable, message: `${problem}${label}` });
    }
    const [cert, key] = [profile.tls.clientCert, profile.tls.clientKey];
    if ((cert === undefined) !== (key === undefined)) {
      const [has, lacks] = cert ? ['certificate', 'TEMPORAL_TLS_CLIENT_KEY'] : ['key', 'TEMPORAL_TLS_CLIENT_CERT'];
      problems.push({
        variable: `${lacks}_PATH`,
        message: `a TLS client ${has} is set but its ${cert ? 'key' : 'certificate'} is not: set ${lacks}_PATH (or ${lacks}_DATA, or the profile's tls.${cert ? 'client_key' : 'client_cert'}_path)`,
      });
    }
  }
  if (tlsOn && profile.address === undefined) {
    problems.push({
      variable: 'TEMPORAL_ADDRESS',
      message: `TLS or an API key is set but no address: set TEMPORAL_ADDRESS (Temporal Cloud: <namespace>.<account>.tmprl.cloud:7233), or the profile's address`,
    });
  }

  const fromProfile = profileValues(fileProfile, v);
  const resolved = { address: profile.address, namespace: profile.namespace, fromProfile, problems };
  const used = readFile && Object.keys(fileProfile).length > 0 ? { profile: { name: profileName, file: file! } } : {};
  if (problems.length > 0) return { ...resolved, ...used, connection: {} };
  // envconfig turns the profile into connection options: it reads the files we checked above.
  const { connectionOptions } = toClientOptions(profile);
  const connection: TemporalConnection = {};
  if (connectionOptions.tls !== undefined && connectionOptions.tls !== null) connection.tls = connectionOptions.tls;
  if (connectionOptions.apiKey !== undefined) connection.apiKey = connectionOptions.apiKey;
  if (connectionOptions.metadata && Object.keys(connectionOptions.metadata).length > 0) {
    connection.metadata = connectionOptions.metadata as Record<string, string>;
  }
  return { ...resolved, ...used, connection };
}

/** The environment envconfig sees: Freshet's validated values, not the raw process environment. */
function sdkEnvironment(v: TemporalVariables, env: Record<string, string | undefined>, cwd: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of SDK_VARIABLES) {
    const value = v[k];
    if (value === undefined) continue;
    out[k] = typeof value === 'boolean' ? String(value) : k.endsWith('_PATH') ? path.resolve(cwd, value) : value;
  }
  for (const [k, value] of Object.entries(env)) if (k.startsWith('TEMPORAL_GRPC_META_') && value !== undefined) out[k] = value;
  return out;
}

function resolveTlsPaths(profile: ClientConfigProfile, cwd: string): void {
  for (const f of TLS_FILES) {
    const source = profile.tls?.[f.field];
    if (source && 'path' in source) profile.tls![f.field] = { path: path.resolve(cwd, source.path) };
  }
}

function problemOf(source: ConfigDataSource, kind: PemKind): string | undefined {
  if ('path' in source) {
    const read = readPemFile(source.path, kind);
    return 'problem' in read ? read.problem : undefined;
  }
  const problem = pemProblem(Buffer.from(source.data), kind);
  return problem && `the value ${problem}`;
}

function profileProblem(err: Error, file: string, asked: string | undefined): { variable: string; message: string } {
  if (asked && /not found/i.test(err.message)) {
    let names: string[] = [];
    try {
      names = Object.keys(loadClientConfig({ configSource: { path: file }, overrideEnvVars: {} }).profiles);
    } catch {
      /* the file's own error is what matters */
    }
    return {
      variable: 'TEMPORAL_PROFILE',
      message: `no profile '${asked}' in ${file} (${names.length ? `it has ${names.map((n) => `'${n}'`).join(', ')}` : 'it has none'})`,
    };
  }
  return { variable: 'TEMPORAL_CONFIG_FILE', message: `${file} is not a valid temporal.toml: ${err.message}` };
}

/** What the profile alone set, under the variable that would override it, for variables left unset. */
function profileValues(p: ClientConfigProfile, v: TemporalVariables): Partial<Record<TemporalVariable, string>> {
  const out: Partial<Record<TemporalVariable, string>> = {};
  const put = (k: TemporalVariable, value: string | undefined) => {
    if (value !== undefined && v[k] === undefined) out[k] = value;
  };
  put('TEMPORAL_ADDRESS', p.address);
  put('TEMPORAL_NAMESPACE', p.namespace);
  put('TEMPORAL_API_KEY', p.apiKey);
  if (p.tls) put('TEMPORAL_TLS', String(p.tls.disabled !== true));
  else if (p.apiKey !== undefined) put('TEMPORAL_TLS', 'true');
  for (const f of TLS_FILES) {
    const source = p.tls?.[f.field];
    if (source) put(`${f.variable}_${'path' in source ? 'PATH' : 'DATA'}`, 'path' in source ? source.path : '(inline PEM)');
  }
  put('TEMPORAL_TLS_SERVER_NAME', p.tls?.serverName);
  return out;
}
