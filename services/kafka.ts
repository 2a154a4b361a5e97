// Apache Kafka in KRaft mode (one process as broker and controller) on loopback, for the
// streaming tests, benchmarks and `freshet dev`. Its jars come from Maven Central once per
// machine (a generated pom and `mvn dependency:copy-dependencies`), cached in .freshet/kafka/.
// Kafka 3.9 rather than 4.x: 4.0 removed the old protocol versions kafkajs 2.2 speaks.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import path from 'node:path';
import { freshetHome } from './paths.ts';
import { freePort, runInstaller, stopProcess, waitForPort } from './process.ts';

export const KAFKA_VERSION = '3.9.1';
export const kafkaHome = path.join(freshetHome, 'kafka');
const libDir = path.join(kafkaHome, `libs-${KAFKA_VERSION}`);

const POM = `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>dev.freshet</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
`;

const LOG4J = `log4j.rootLogger=WARN, stderr
log4j.appender.stderr=org.apache.log4j.ConsoleAppender
log4j.appender.stderr.Target=System.err
log4j.appender.stderr.layout=org.apache.log4j.PatternLayout
log4j.appender.stderr.layout.ConversionPattern=[%d] %p %m (%c)%n
`;

function requireTool(cmd: string, args: string[], hint: string): void {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  if (r.error || r.status !== 0)
    throw new Error(`${cmd} is needed to run Kafka but ${r.error ? 'was not found' : `'${cmd} ${args.join(' ')}' failed`}. ${hint}`);
}

const JAVA_HINT =
  'Install a Java 17+ runtime (`apt-get install openjdk-17-jre-headless`, or https://adoptium.net), or set KAFKA_BROKERS to a running Kafka.';
const MVN_HINT =
  'Freshet fetches the Kafka jars from Maven Central with Maven: `apt-get install maven` (or https://maven.apache.org/install.html), or set KAFKA_BROKERS to a running Kafka.';

/** Fetches Kafka's jars into .freshet/kafka/ unless they are there already; returns the jar directory. */
export async function ensureKafka(): Promise<string> {
  if (existsSync(path.join(libDir, `kafka_2.13-${KAFKA_VERSION}.jar`))) return libDir;
  requireTool('java', ['-version'], JAVA_HINT);
  requireTool('mvn', ['-v'], MVN_HINT);
  mkdirSync(kafkaHome, { recursive: true });
  const pom = path.join(kafkaHome, 'pom.xml');
  writeFileSync(pom, POM);
  // into a scratch directory first, so an interrupted download never looks complete
  const partial = `${libDir}.partial`;
  await fs.rm(partial, { recursive: true, force: true });
  console.error(`Fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${libDir} (once per machine, ~50 MB)...`);
  await runInstaller(
    'mvn',
    ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${partial}`, '-DincludeScope=runtime'],
    process.env,
    MVN_HINT,
  );
  await fs.rm(libDir, { recursive: true, force: true });
  await fs.rename(partial, libDir);
  writeFileSync(path.join(kafkaHome, 'log4j.properties'), LOG4J);
  return libDir;
}

export interface KafkaServer {
  /** host:port list for kafkajs */
  brokers: string[];
  /** the SASL_PLAINTEXT listener, when started with `sasl` */
  saslBrokers?: string[];
  dataDir: string;
  stop(): Promise<void>;
}

export interface KafkaStartOptions {
  /** log directory; default a fresh temp directory removed on stop */
  dataDir?: string;
  /** default partitions of auto-created topics */
  partitions?: number;
  heapMb?: number;
  log?: (line: string) => void;
  /** also listen for SASL PLAIN clients with this one user (the plaintext listener stays open) */
  sasl?: { username: string; password: string };
}

function java(libs: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-cp', `${libs}/*`, `-Dlog4j.configuration=file:${path.join(kafkaHome, 'log4j.properties')}`, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      log(d.toString());
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d;
      log(d.toString());
    });
    child.on('error', (e) => reject(new Error(`java could not run (${e.message}). ${JAVA_HINT}`)));
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`java ${args.slice(0, 2).join(' ')} failed with code ${code}: ${out.slice(-2000)}`)),
    );
  });
}

/** A random KRaft cluster id: 16 bytes, URL-safe base64 without padding (as `kafka-storage random-uuid` prints). */
// base64url of 16 random bytes, as Kafka's own ids; about 1 in 64 starts with '-', which the
// tool's argument parser would read as an option, so it is passed as --cluster-id=<id>.
function clusterId(): string {
  return randomBytes(16).toString('base64url');
}

/** Formats a fresh log directory and starts one broker+controller on free loopback ports; resolves once it answers. */
export async function startKafka(opts: KafkaStartOptions = {}): Promise<KafkaServer> {
  const libs = await ensureKafka();
  if (!existsSync(path.join(kafkaHome, 'log4j.properties'))) writeFileSync(path.join(kafkaHome, 'log4j.properties'), LOG4J);
  const ownDir = !opts.dataDir;
  const dataDir = opts.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'freshet-kafka-')));
  mkdirSync(dataDir, { recursive: true });
  const brokerPort = await freePort();
  let controllerPort = await freePort();
  while (controllerPort === brokerPort) controllerPort = await freePort();
  const log = opts.log ?? (() => {});
  let saslPort = 0;
  while (opts.sasl && [0, brokerPort, controllerPort].includes(saslPort)) saslPort = await freePort();
  const jaasQuote = (v: string) => `"${v.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  const sasl = opts.sasl
    ? [
        `listeners=PLAINTEXT://127.0.0.1:${brokerPort},SASL_PLAINTEXT://127.0.0.1:${saslPort},CONTROLLER://127.0.0.1:${controllerPort}`,
        `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort},SASL_PLAINTEXT://127.0.0.1:${saslPort}`,
        'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT',
        'sasl.enabled.mechanisms=PLAIN',
        `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_${opts.sasl.username}=${jaasQuote(opts.sasl.password)};`,
      ]
    : [];
  const props = [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${brokerPort},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${brokerPort}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${path.join(dataDir, 'logs')}`,
    `num.partitions=${opts.partitions ?? 1}`,
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
  ]
    // a later line wins in a properties file: the SASL listeners replace the plaintext-only ones
    .concat(sasl)
    .join('\n');
  const config = path.join(dataDir, 'server.properties');
  writeFileSync(config, `${props}\n`);
  const formatted = readdirSync(dataDir).includes('logs');
  if (!formatted) await java(libs, ['kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId()}`, '-c', config], log);

  const heap = `${opts.heapMb ?? 512}m`;
  const child = spawn(
    'java',
    [
      `-Xmx${heap}`,
      `-Xms${heap}`,
      '-XX:+UseG1GC',
      '-Djava.awt.headless=true',
      `-Dlog4j.configuration=file:${path.join(kafkaHome, 'log4j.properties')}`,
      '-cp',
      `${libs}/*`,
      'kafka.Kafka',
      config,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let tail = '';
  const keep = (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
    log(d.toString());
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const stop = async () => {
    await stopProcess(child, 10_000);
    if (ownDir) await fs.rm(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForPort('127.0.0.1', brokerPort, 90_000, child);
    await waitUntilServing(`127.0.0.1:${brokerPort}`, 60_000);
  } catch (err) {
    await stop();
    throw new Error(`Kafka (${libs}) did not start: ${(err as Error).message}\n${tail}`, { cause: err });
  }
  return { brokers: [`127.0.0.1:${brokerPort}`], ...(opts.sasl ? { saslBrokers: [`127.0.0.1:${saslPort}`] } : {}), dataDir, stop };
}

/** The port opens before the broker has joined its own quorum: ask for metadata until it answers. */
async function waitUntilServing(broker: string, timeoutMs: number): Promise<void> {
  const { Kafka, logLevel } = await import('kafkajs');
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const admin = new Kafka({ brokers: [broker], logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return;
    } catch (e) {
      last = e;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
  throw new Error(`broker ${broker} did not serve metadata within ${timeoutMs} ms: ${(last as Error)?.message}`);
}
