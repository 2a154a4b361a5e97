// `freshet web`: the page and its API alone, against a running Temporal and worker.
import type { Command } from 'commander';
import { signInLine, startWebServer } from '../../web/index.ts';
import { connectClient, createMetrics, loadConfig, loadProject, loggerFor } from '../../runtime/index.ts';
import { warnIfNoWorker } from '../pollers.ts';

interface Options {
  port?: string;
  host?: string;
  temporalUi?: string;
}

export function webCommand(program: Command): void {
  program
    .command('web')
    .description('serve the web page: lineage, partition health, backfills (127.0.0.1:8300 unless set)')
    .option('--port <n>', 'port (default FRESHET_WEB_PORT or 8300)')
    .option('--host <address>', 'address to listen on (default FRESHET_WEB_HOST or 127.0.0.1; any other needs FRESHET_TOKEN)')
    .option('--temporal-ui <url>', 'Temporal UI base URL for links to workflows (default FRESHET_TEMPORAL_UI)')
    .action(async (opts: Options) => {
      const config = loadConfig();
      const graph = await loadProject(config.project);
      const client = await connectClient(config);
      await warnIfNoWorker(client, config.taskQueue);
      const web = await startWebServer({
        config,
        graph,
        client,
        port: opts.port === undefined ? undefined : Number(opts.port),
        host: opts.host,
        temporalUiUrl: opts.temporalUi,
        log: (m) => console.log(m),
        metrics: createMetrics(),
        logger: loggerFor(config, 'freshet-web'),
      });
      console.log(`Freshet web page: ${web.url}  (Ctrl-C stops it); Prometheus metrics at ${web.url}/metrics`);
      const signIn = signInLine(web);
      if (signIn) console.log(signIn);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await web.stop();
      await client.connection.close();
    });
}
