// `freshet stream start|status|stop|restart <asset>`: the supervised streaming jobs.
import type { Command } from 'commander';
import { restartStream, startStream, stopStream, streamStatus } from '../../control/streams.ts';
import type { ShardStatus } from '../../control/streams.ts';
import { parseDuration } from '../../core/index.ts';
import { isoText } from '../../stream/event-fields.ts';
import type { SourceSpec } from '../../stream/source-spec.ts';
import { connectClient, loadConfig, loadProject } from '../../runtime/index.ts';

/** `generator`, `kafka://host:port[,host:port]/topic`, `kafka:///topic` (the worker's FRESHET_KAFKA_BROKERS) or `file:/path/events.jsonl`. */
export function parseSource(text: string): SourceSpec {
  if (text === 'generator') return { kind: 'generator', options: { realtime: true, eventsPerSecond: 50, partitions: 2 } };
  const kafka = /^kafka:\/\/([^/]*)\/(.+)$/.exec(text);
  if (kafka) return { kind: 'kafka', ...(kafka[1] ? { brokers: kafka[1].split(',') } : {}), topic: kafka[2] };
  if (text.startsWith('file:')) return { kind: 'file', path: text.slice(5), follow: true };
  throw new Error(
    `--source '${text}' is not understood: use generator, kafka://host:port/topic, kafka:///topic or file:/path/events.jsonl.`,
  );
}

/** One shard's line in `freshet stream status`. */
export function shardLine(sh: ShardStatus): string {
  const m = sh.heartbeat?.metrics;
  // workers from before a metric existed send heartbeats without it
  const byReason = Object.entries(m?.deadLettersByReason ?? {})
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
  const reset = m?.restoreReset;
  return (
    `  shard ${sh.shard ?? '(waiting for a worker)'}: attempt ${sh.attempt}${sh.worker ? ` on worker ${sh.worker}` : ''}, checkpoint ${sh.heartbeat?.checkpointId ?? '-'}` +
    (m ? `, ${m.eventsPerSecond.toFixed(0)} events/s, watermark lag ${(m.watermarkLagMs / 1000).toFixed(1)} s, ${m.stateKeys} keys` : '') +
    (m
      ? `, ${m.late} late, ${m.deadLetters} dead letters` +
        (byReason.length > 0 ? ` (${byReason.map(([r, n]) => `${r} ${n}`).join(', ')})` : '')
      : '') +
    (reset
      ? `, restored a checkpoint blinded by a far-future event (watermark ${isoText(reset.watermark)}): watermark reset, ${reset.panes} panes and ${reset.keys} keys dropped`
      : '') +
    // a stalled event loop delays heartbeats: worth seeing next to a heartbeat timeout
    ((sh.heartbeat?.loopDelayMaxMs ?? 0) >= 500 ? `, event loop stalled ${sh.heartbeat!.loopDelayMaxMs} ms` : '') +
    (sh.lastFailure ? `, last failure: ${sh.lastFailure}` : '')
  );
}

export function streamCommand(program: Command): void {
  const cmd = program.command('stream').description('supervised streaming jobs (one Temporal workflow each)');
  const withJob = async <T>(
    asset: string,
    fn: (ctx: { client: Awaited<ReturnType<typeof connectClient>>; taskQueue: string }) => Promise<T>,
  ) => {
    const config = loadConfig();
    const graph = await loadProject(config.project);
    graph.getStream(asset);
    const client = await connectClient(config);
    try {
      return await fn({ client, taskQueue: config.taskQueue });
    } finally {
      await client.connection.close();
    }
  };
  cmd
    .command('start <asset>')
    .option(
      '--source <source>',
      'generator | kafka://host:port/topic | kafka:///topic (brokers: FRESHET_KAFKA_BROKERS) | file:/path',
      'generator',
    )
    .option('--shards <n>', 'shard activities, each owning a share of the source partitions', '1')
    .option('--checkpoint-every <duration>', 'checkpoint interval', '10s')
    .action((asset: string, o: { source: string; shards: string; checkpointEvery: string }) =>
      withJob(asset, async ({ client, taskQueue }) => {
        const id = await startStream(client, taskQueue, asset, parseSource(o.source), {
          shards: Number(o.shards),
          checkpointIntervalMs: parseDuration(o.checkpointEvery),
        });
        console.log(`streaming job ${id} running`);
      }),
    );
  cmd.command('status <asset>').action((asset: string) =>
    withJob(asset, async ({ client, taskQueue }) => {
      const s = await streamStatus(client, taskQueue, asset);
      if (!s) return console.log(`${asset}: not started (freshet stream start ${asset})`);
      if (s.liveUnavailable)
        console.log(`${asset}: ${s.workflowStatus}, run ${s.runId}, started ${new Date(s.startedAt).toISOString()}; ${s.liveUnavailable}`);
      else
        console.log(
          `${asset}: ${s.state} (${s.workflowStatus}), source ${s.source}, ${s.shards} shard(s), ${s.restarts} restart(s) by signal`,
        );
      for (const sh of s.shardsStatus) console.log(shardLine(sh));
    }),
  );
  cmd.command('stop <asset>').action((asset: string) =>
    withJob(asset, async ({ client, taskQueue }) => {
      await stopStream(client, taskQueue, asset);
      console.log(`stopping ${asset} (a last checkpoint is taken)`);
    }),
  );
  cmd
    .command('restart <asset>')
    .description('restart from the latest checkpoint, e.g. after deploying new workers')
    .action((asset: string) =>
      withJob(asset, async ({ client, taskQueue }) => {
        await restartStream(client, taskQueue, asset);
        console.log(`restarting ${asset} from its latest checkpoint`);
      }),
    );
}
