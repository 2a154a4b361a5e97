// `freshet dev` (`npm start`): everything on embedded defaults, until Ctrl-C.
import type { Command } from 'commander';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { freshetHome } from '../../services/paths.ts';
import { isFree } from '../../services/process.ts';
import { startTemporalDevServer, type TemporalServer } from '../../services/temporal.ts';
import {
  connectClient,
  createWorker,
  describeServed,
  installRuntime,
  loadConfig,
  loadProject,
  reconcileOnStart,
  startProcessMetrics,
} from '../../runtime/index.ts';
import { signInLine, startWebServer } from '../../web/index.ts';
import { startStream } from '../../control/streams.ts';
import { parseSource } from './stream.ts';

export function devCommand(program: Command): void {
  program
    .command('dev')
    .description('start the Temporal dev server, a worker and the local warehouse (Ctrl-C stops all)')
    .action(async () => {
      let server: TemporalServer | undefined;
      let config = loadConfig();
      if (config.embeddedTemporal) {
        if (!(await isFree(7233))) {
          throw new Error(
            'Port 7233 is taken: is another Temporal server running? Use it with TEMPORAL_ADDRESS=127.0.0.1:7233 npm start, or stop it.',
          );
        }
        console.log('starting the Temporal dev server...');
        server = await startTemporalDevServer({ dbFile: path.join(freshetHome, 'temporal', 'dev.db'), ui: true, port: 7233 });
        config = { ...config, temporalAddress: server.address };
      }
      // one process, one /metrics: the worker's, the web's and the SDK's series on the web's
      const obs = await startProcessMetrics(config, 'freshet-dev', { serve: false });
      installRuntime(config.logLevel, obs.runtime);
      mkdirSync(config.warehouse, { recursive: true });
      const graph = await loadProject(config.project);
      const { worker, connection } = await createWorker({ config, graph, metrics: obs.metrics.activities });
      const client = await connectClient(config);
      const sync = await reconcileOnStart(config, graph, client);
      // The example streaming features run on the synthetic generator, in real time.
      const streams = await Promise.all(
        graph.streams.map((st) => startStream(client, config.taskQueue, st.name, parseSource('generator'))),
      );
      const web = await startWebServer({
        config,
        graph,
        client,
        temporalUiUrl: config.web.temporalUiUrl ?? server?.uiUrl,
        log: console.log,
        metrics: obs.metrics,
        logger: obs.logger,
      });
      console.log(
        [
          'Freshet is running.',
          `  Temporal      ${config.temporalAddress}${server ? ' (dev server, state in .freshet/temporal/dev.db)' : ''}`,
          ...(server?.uiUrl ? [`  Temporal UI   ${server.uiUrl}`] : []),
          `  web page      ${web.url}`,
          `  metrics       ${web.url}/metrics (Prometheus: Freshet's series and the Temporal SDK's)`,
          ...(signInLine(web) ? [`                ${signInLine(web)}`] : []),
          `  warehouse     ${config.warehouse}`,
          `  project       ${config.project} (${graph.assets.length} assets: ${graph.assets.map((a) => a.name).join(', ')})`,
          `  task queues   ${describeServed(worker.served)}`,
          `  schedules     ${sync} (assets with an SLA and no data yet are caught up now by the freshness monitor)`,
          `  streaming     ${streams.length ? streams.join(', ') + ' (synthetic generator; npx freshet stream status <asset>)' : 'none'}`,
          '',
          'Try, in another terminal:',
          '  npx freshet materialize transactions --from 2026-01-01 --to 2026-01-31',
          '  npx freshet materialize user_profiles',
          '  npx freshet materialize user_purchases_30d --partition 2026-01-30',
          'Ctrl-C stops everything.',
        ].join('\n'),
      );
      await worker.run(); // returns after SIGINT/SIGTERM, once in-flight work is handed back
      await web.stop();
      await client.connection.close();
      await connection.close();
      if (server) {
        console.log('stopping the Temporal dev server...');
        await server.stop();
      }
      console.log('stopped.');
    });
}
