// GET /api/assets, /api/assets/:name and the asset page's data: partitions (summarized),
// one partition, recent materializations, lag over time.
import { Hono } from 'hono';
import { describeMapping, describePartitions, lastCompleteKey, type AssetDef } from '../../core/index.ts';
import { assetContext, assetSql } from '../../engine/context.ts';
import type { Materialization } from '../../engine/index.ts';
import type {
  AssetDetail,
  AssetList,
  AssetSummary,
  LagSeries,
  MaterializationRow,
  PartitionDefinition,
  PartitionDetail,
} from '../api-types.ts';
import type { WebContext } from '../context.ts';
import { freshnessNow, lagSeries } from '../freshness.ts';
import { scheduleOf } from '../schedules.ts';
import { outdatedCount, summarize, stateOf, unreadable, withinWarehouse, type AssetHealth } from '../health.ts';
import { checkPartitionKey, findAsset, limitQuery } from '../input.ts';
import { streamNodes } from './streams.ts';

export function assetRoutes(ctx: WebContext): Hono {
  const app = new Hono();

  // One unreadable table shows on its own card; the others answer as usual.
  app.get('/', async (c) => {
    const assets = await Promise.all(
      ctx.graph.assets.map((a) =>
        ctx.health(a).then(
          (h) => summary(ctx, a, h),
          (err: unknown) => ({ ...summary(ctx, a, undefined), error: unreadable(ctx, err) }),
        ),
      ),
    );
    return c.json<AssetList>({ assets, streams: streamNodes(ctx.graph) });
  });

  app.get('/:name', async (c) => {
    const a = findAsset(ctx.graph, c.req.param('name'));
    const [h, schedule] = await Promise.all([ctx.health(a).catch((err: unknown) => err as Error), scheduleOf(ctx, a)]);
    // Asked for this table: its error may name the file at fault in full.
    if (h instanceof Error) return c.json<AssetDetail>({ ...detail(ctx, a, undefined), schedule, error: h.message });
    return c.json<AssetDetail>({ ...detail(ctx, a, h), schedule });
  });

  app.get('/:name/partitions', async (c) => {
    const a = findAsset(ctx.graph, c.req.param('name'));
    return c.json(summarize(await ctx.health(a)));
  });

  app.get('/:name/partitions/:key', async (c) => {
    const a = findAsset(ctx.graph, c.req.param('name'));
    const key = a.partitions ? checkPartitionKey(a, c.req.param('key')) : '';
    const h = await ctx.health(a);
    const m = h.latest.get(key);
    return c.json<PartitionDetail>({
      asset: a.name,
      key,
      state: stateOf(h, key) ?? 'missing',
      // A reason can name an upstream's unreadable log: this request is not for that table.
      reason: withinWarehouse(ctx, h.reasons.get(key) ?? '') || null,
      materialization: m ? row(m) : null,
    });
  });

  app.get('/:name/materializations', async (c) => {
    const a = findAsset(ctx.graph, c.req.param('name'));
    const { limit } = limitQuery.parse(c.req.query());
    const h = await ctx.health(a);
    return c.json({ asset: a.name, total: h.history.length, materializations: h.history.slice(-limit).reverse().map(row) });
  });

  app.get('/:name/lag', async (c) => {
    const a = findAsset(ctx.graph, c.req.param('name'));
    const h = await ctx.health(a);
    return c.json<LagSeries>({ asset: a.name, maxLagMs: a.freshness?.maxLagMs ?? null, points: lagSeries(a, h.history) });
  });

  return app;
}

function partitionDefinition(a: AssetDef): PartitionDefinition | null {
  const p = a.partitions;
  if (!p) return null;
  const description = describePartitions(p);
  return p.kind === 'static'
    ? { kind: 'static', keys: p.keys, column: p.column, description }
    : { kind: p.kind, start: p.start, ...(p.end ? { end: p.end } : {}), column: p.column, description };
}

/** The summary; without health (the table cannot be read) its counts are empty and freshness unknown. */
function summary(ctx: WebContext, a: AssetDef, h: AssetHealth | undefined): AssetSummary {
  let materialized = 0;
  let last: number | null = null;
  for (const k of h?.keys ?? []) if (h!.latest.has(k)) materialized++;
  for (const m of h?.latest.values() ?? []) last = Math.max(last ?? 0, m.timestamp);
  return {
    name: a.name,
    description: a.description,
    isSource: a.isSource,
    deps: ctx.graph.upstream(a.name).map((u) => ({ asset: u.asset.name, mapping: describeMapping(u.mapping) })),
    partitions: partitionDefinition(a),
    freshness: freshnessNow(a, h?.history),
    materialized,
    total: h?.keys.length ?? 0,
    outdated: h ? outdatedCount(h) : 0,
    lastMaterializedAt: last,
  };
}

function detail(ctx: WebContext, a: AssetDef, h: AssetHealth | undefined): AssetDetail {
  return {
    ...summary(ctx, a, h),
    downstream: ctx.graph.downstream(a.name).map((d) => d.name),
    sql: sqlOf(a),
    transform: Boolean(a.transform),
    retry: a.retry,
    sla: a.freshness ? { maxLagMs: a.freshness.maxLagMs, computeBudgetMs: a.freshness.computeBudgetMs } : null,
    schedule: null,
    tags: a.tags,
  };
}

/** The SQL as it runs: a SQL function is called for the newest partition (its code alone says little), and named so. */
function sqlOf(a: AssetDef): string | null {
  if (typeof a.sql !== 'function') return a.sql ?? null;
  const def = a.partitions;
  const key = !def ? undefined : def.kind === 'static' ? def.keys[0] : (lastCompleteKey(def, Date.now()) ?? def.start);
  try {
    return `-- the SQL for ${key === undefined ? 'this asset' : `partition ${key}`} (sql is a function of the partition)\n${assetSql(a, assetContext(a, key, 1)).trim()}`;
  } catch (err) {
    return `-- the SQL function failed for ${key ?? 'this asset'}: ${(err as Error).message}\n${a.sql.toString()}`;
  }
}

function row(m: Materialization): MaterializationRow {
  return {
    version: m.version,
    timestamp: m.timestamp,
    partition: m.partition,
    rows: m.rows,
    bytes: m.bytes,
    durationMs: m.durationMs,
    inputVersions: m.inputVersions,
  };
}
