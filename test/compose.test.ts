// docker-compose.yml and the Dockerfile, checked without a Docker engine (none runs here):
// Debian's docker-compose validates and normalizes the compose file, and what it prints is held
// against the configuration module, so a variable Freshet does not read (a typo, a renamed
// setting) fails here instead of being ignored in production.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, loadConfig, SECRET_VARIABLES } from '../runtime/config.ts';
import { SHUTDOWN_FORCE_AFTER_GRACE_MS } from '../runtime/worker.ts';
import { parseDuration } from '../core/index.ts';
import { requireDockerCompose } from '../services/docker-compose.ts';
import { repoRoot } from '../services/paths.ts';

const composeFile = path.join(repoRoot, 'docker-compose.yml');
const FRESHET_SERVICES = ['web', 'worker'];
/** what .env must give; compose refuses to start without each */
const REQUIRED = {
  POSTGRES_PASSWORD: 'pg-secret-for-the-test',
  MINIO_ROOT_USER: 'freshet-test',
  MINIO_ROOT_PASSWORD: 'minio-secret-for-the-test',
  FRESHET_TOKEN: 'token-for-the-test',
};

interface Service {
  image?: string;
  build?: unknown;
  environment?: Record<string, string | number | boolean | null>;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test: unknown };
  restart?: string;
  deploy?: { replicas?: number };
  ports?: unknown[];
  container_name?: string;
  stop_grace_period?: string;
}
interface ComposeFile {
  services: Record<string, Service>;
}

let dir: string;
let emptyEnvFile: string;
let dockerCompose: string;
/** the interpreter docker-compose runs on: it has PyYAML, so no YAML package is needed here */
let python: string;

beforeAll(() => {
  dockerCompose = requireDockerCompose();
  python = readFileSync(dockerCompose, 'utf8')
    .split('\n')[0]!
    .replace(/^#!\s*/, '')
    .split(/\s+/)[0]!;
  dir = mkdtempSync(path.join(tmpdir(), 'freshet-compose-'));
  // A developer's own .env must not change what is checked.
  emptyEnvFile = path.join(dir, 'empty.env');
  writeFileSync(emptyEnvFile, '');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function compose(args: string[], env: Record<string, string>) {
  const result = spawnSync(dockerCompose, ['--project-directory', repoRoot, '-f', composeFile, '--env-file', emptyEnvFile, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  return result;
}

function parseYaml(text: string): ComposeFile {
  const script = 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)';
  const result = spawnSync(python, ['-c', script], { input: text, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${python} could not parse the YAML: ${result.stderr}`);
  return JSON.parse(result.stdout) as ComposeFile;
}

/** the file as docker-compose resolves it: interpolated, anchors merged */
function normalized(): ComposeFile {
  const result = compose(['config'], REQUIRED);
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return parseYaml(result.stdout);
}

function dependsOn(s: Service): Record<string, { condition: string }> {
  if (!s.depends_on) return {};
  if (Array.isArray(s.depends_on)) return Object.fromEntries(s.depends_on.map((n) => [n, { condition: 'service_started' }]));
  return s.depends_on;
}

describe('docker-compose.yml', () => {
  it('is valid for docker-compose once the required secrets are set', () => {
    const result = compose(['config', '-q'], REQUIRED);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('refuses to start without each required secret, naming it', () => {
    for (const name of Object.keys(REQUIRED)) {
      const env: Record<string, string> = { ...REQUIRED };
      delete env[name];
      const result = compose(['config', '-q'], env);
      expect(result.status, name).not.toBe(0);
      expect(result.stderr, name).toContain(`set ${name}`);
      // an empty value is as good as none
      expect(compose(['config', '-q'], { ...env, [name]: '' }).status, `${name} empty`).not.toBe(0);
    }
  });

  it('sets on the Freshet services only variables the configuration module reads, with values it accepts', () => {
    const { services } = normalized();
    const built = Object.keys(services).filter((n) => services[n]!.build !== undefined);
    expect(built.sort()).toEqual(FRESHET_SERVICES);
    const known = new Set(Object.keys(configSchema.shape));
    for (const name of FRESHET_SERVICES) {
      const env = Object.fromEntries(Object.entries(services[name]!.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));
      const unknown = Object.keys(env).filter((k) => !known.has(k));
      expect(unknown, `${name}: variables runtime/config.ts does not read`).toEqual([]);
      expect(Object.keys(env).filter((k) => /^(FRESHET|TEMPORAL|AWS)_/.test(k)).length).toBeGreaterThan(5);
      const config = loadConfig(env, '/app');
      expect(config.embeddedTemporal).toBe(false);
      expect(config.temporalAddress).toBe('temporal:7233');
      expect(config.warehouse).toMatch(/^s3:\/\/[^/]+\//);
      expect(config.s3.endpoint).toBe('http://minio:9000');
      expect(config.s3.accessKeyId).toBe(REQUIRED.MINIO_ROOT_USER);
      expect(config.s3.secretAccessKey).toBe(REQUIRED.MINIO_ROOT_PASSWORD);
    }
    // Off loopback the web server demands a token: it has one, from the environment.
    const web = loadConfig(services.web!.environment as Record<string, string>, '/app').web;
    expect(web.host).toBe('0.0.0.0');
    expect(web.token).toBe(REQUIRED.FRESHET_TOKEN);
  });

  it('hard-codes no secret: every secret comes from the environment, and compose insists on it', () => {
    const raw = parseYaml(readFileSync(composeFile, 'utf8'));
    const secretName = (k: string) => (SECRET_VARIABLES as readonly string[]).includes(k) || /PASSWORD|PWD|SECRET|TOKEN/.test(k);
    let checked = 0;
    for (const [name, service] of Object.entries(raw.services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (!secretName(key)) continue;
        checked++;
        expect(String(value), `${name}.${key}`).toMatch(/^\$\{[A-Z0-9_]+:\?[^}]+\}$/);
      }
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it('lists in .env.example every variable it reads, leaving the secrets empty', () => {
    const text = readFileSync(composeFile, 'utf8');
    const used = new Set([...text.matchAll(/(?<!\$)\$\{([A-Z_][A-Z0-9_]*)/g)].map((m) => m[1]!));
    const example = readFileSync(path.join(repoRoot, '.env.example'), 'utf8');
    const listed = new Map([...example.matchAll(/^#?\s*([A-Z_][A-Z0-9_]*)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    expect([...used].filter((v) => !listed.has(v)).sort()).toEqual([]);
    for (const name of Object.keys(REQUIRED)) {
      expect(used.has(name), name).toBe(true);
      expect(listed.get(name), name).toBe('');
    }
  });

  it('runs two workers that can be scaled, and starts every service after what it needs', () => {
    const { services } = normalized();
    const worker = services.worker!;
    expect(worker.deploy?.replicas).toBe(2);
    // replicas cannot share a container name or a host port
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports ?? []).toEqual([]);

    for (const [name, service] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(dependsOn(service))) {
        expect(services[target], `${name} depends on a missing ${target}`).toBeDefined();
        if (condition === 'service_healthy') expect(services[target]!.healthcheck, `${target} (for ${name})`).toBeDefined();
        if (condition === 'service_completed_successfully') expect(services[target]!.restart, `${target} (for ${name})`).toBe('no');
      }
    }
    for (const name of FRESHET_SERVICES) {
      const deps = dependsOn(services[name]!);
      expect(deps['temporal-namespace']?.condition, name).toBe('service_completed_successfully');
      expect(deps['minio-bucket']?.condition, name).toBe('service_completed_successfully');
    }
    expect(dependsOn(services.temporal!)['temporal-schema']?.condition).toBe('service_completed_successfully');
    expect(dependsOn(services['temporal-schema']!).postgres?.condition).toBe('service_healthy');
    expect(dependsOn(services['minio-bucket']!).minio?.condition).toBe('service_healthy');
  });

  it('gives a stopped worker more time than its shutdown grace and the cancellation after it before SIGKILL', () => {
    const worker = normalized().services.worker!;
    const env = Object.fromEntries(Object.entries(worker.environment ?? {}).map(([k, v]) => [k, v === null ? '' : String(v)]));
    const { shutdownGraceMs } = loadConfig(env, '/app');
    expect(shutdownGraceMs).toBe(30_000);
    expect(parseDuration(worker.stop_grace_period ?? '10s')).toBeGreaterThan(shutdownGraceMs + SHUTDOWN_FORCE_AFTER_GRACE_MS);
  });

  it('pins every image it pulls, and Temporal schema tools to the server version', () => {
    const { services } = normalized();
    for (const [name, service] of Object.entries(services)) {
      if (service.build !== undefined) continue;
      expect(service.image, name).toMatch(/^[^:]+:[^:]+$/);
      expect(service.image, name).not.toMatch(/:(latest|stable|main)$/);
    }
    const serverVersion = services.temporal!.image!.split(':')[1]!;
    expect(serverVersion).toMatch(/^\d+\.\d+\.\d+$/);
    for (const name of ['temporal-schema', 'temporal-namespace']) {
      expect(services[name]!.image!.split(':')[1]!.split('-')[0], name).toBe(serverVersion);
    }
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const lines = dockerfile
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const args = Object.fromEntries(lines.flatMap((l) => [...l.matchAll(/^ARG\s+([A-Z_]+)=(\S+)/g)].map((m) => [m[1]!, m[2]!])));
  const resolve = (s: string) => s.replace(/\$\{?([A-Z_]+)\}?/g, (_, n: string) => args[n] ?? '');
  const froms = lines.filter((l) => /^FROM\s/i.test(l));
  const lastStage = lines.slice(lines.lastIndexOf(froms.at(-1)!));

  it('builds on Node 24 in several stages, installing production dependencies only', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    const bases = froms.map((l) => resolve(l.split(/\s+/)[1]!)).filter((b) => b.includes(':'));
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:24[.\d]*-[a-z]+-slim$/);
    expect(lines.some((l) => /^RUN\s.*\bnpm ci\b.*--omit=dev/.test(l))).toBe(true);
    expect(lines.some((l) => /^RUN\s.*npm (install|i)\b/.test(l))).toBe(false);
  });

  it('runs as a non-root user, with the page prebuilt where the configuration looks for it', () => {
    const user = lastStage.filter((l) => /^USER\s/i.test(l)).at(-1);
    expect(user, 'the last stage sets a USER').toBeDefined();
    expect(user!.split(/\s+/)[1]).not.toMatch(/^(root|0)(:|$)/);
    const env = lastStage.filter((l) => /^ENV\s/i.test(l)).join(' ');
    const dist = /FRESHET_WEB_DIST=(\S+)/.exec(env)?.[1];
    expect(dist).toBeDefined();
    expect(Object.keys(configSchema.shape)).toContain('FRESHET_WEB_DIST');
    const workdir =
      lastStage
        .filter((l) => /^WORKDIR\s/i.test(l))
        .at(-1)
        ?.split(/\s+/)[1] ?? '/';
    const copiedTo = lastStage.filter((l) => /^COPY\s/i.test(l)).map((l) => path.posix.resolve(workdir, l.split(/\s+/).at(-1)!));
    expect(copiedTo).toContain(dist);
  });

  it('keeps local state and secrets out of the build context', () => {
    const ignored = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', '.freshet', '.env', '.git']) expect(ignored, entry).toContain(entry);
  });
});
