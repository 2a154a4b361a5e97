// Installs, once per machine, every external part the tests and `freshet dev` need.
// Each step skips what is already there, so running it again is cheap.
import { ensureTemporalBinary } from './temporal.ts';
import { ensureTemporalServer, TEMPORAL_SERVER_VERSION } from './temporal-server.ts';
import { ensureMinioBinary } from './minio.ts';
import { ensureDeltaLake } from './deltalake.ts';
import { ensureChromium } from './chromium.ts';
import { ensureSpark } from './spark.ts';
import { ensureKafka } from './kafka.ts';
import { ensureNode24 } from './node24.ts';
import { ensureDockerCompose } from './docker-compose.ts';

const steps: Array<[string, () => Promise<unknown>]> = [
  ['temporal CLI', ensureTemporalBinary],
  // after the CLI, which embeds the same server: Go's build cache makes this build short
  [`Temporal server ${TEMPORAL_SERVER_VERSION} + schema tool (production stack)`, () => ensureTemporalServer()],
  ['MinIO', ensureMinioBinary],
  ['delta-rs (python deltalake)', ensureDeltaLake],
  ['Apache Spark (pyspark + delta-spark, Delta jars from Maven Central)', ensureSpark],
  ['Chromium (web tests)', ensureChromium],
  ['Apache Kafka jars', ensureKafka],
  ['Node 24 (smoke run of the image runtime)', ensureNode24],
  ['docker-compose (compose file test)', ensureDockerCompose],
];

for (const [name, run] of steps) {
  const started = Date.now();
  await run();
  console.log(`setup: ${name} ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
