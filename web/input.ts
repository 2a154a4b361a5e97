// Every input the API accepts, as zod schemas, plus the checks zod cannot make alone: that
// asset names and partition keys exist in the project. Nothing unchecked reaches SQL or a path.
import { closest } from 'fastest-levenshtein';
import type { Context } from 'hono';
import { z } from 'zod';
import { checkAssetKey, checkKey, keyStart, type AssetDef, type AssetGraph, type Partitions } from '../core/index.ts';
import {
  DEFAULT_BACKFILL_CONCURRENCY,
  MAX_BACKFILL_CONCURRENCY,
  REQUEST_ID_PATTERN,
  REQUEST_ID_RULE,
  type BackfillRequest,
} from '../contract/backfill.ts';
import { HttpError } from './errors.ts';

const assetName = z.string().min(1).max(100);
// part of a workflow id: checked before anything else sees it
const requestId = z.string().max(64, `must be ${REQUEST_ID_RULE}`).regex(REQUEST_ID_PATTERN, `must be ${REQUEST_ID_RULE}`);

export const backfillBody = z.strictObject({
  assets: z.array(assetName).min(1, 'select at least one asset').max(1_000),
  downstream: z.boolean().default(false),
  from: z.string().min(1).max(64).optional(),
  to: z.string().min(1).max(64).optional(),
  concurrency: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_BACKFILL_CONCURRENCY, `must be at most ${MAX_BACKFILL_CONCURRENCY}`)
    .default(DEFAULT_BACKFILL_CONCURRENCY),
  onlyFailedAndMissing: z.boolean().default(false),
  force: z.boolean().default(false),
  requestId: requestId.optional(),
});

// Every field the page may send is a field of the contract's BackfillRequest: renaming one there
// and not here fails typecheck.
const bodyFieldsAreRequestFields: [Exclude<keyof z.infer<typeof backfillBody>, keyof BackfillRequest>] extends [never] ? true : never =
  true;
void bodyFieldsAreRequestFields;

/** An empty JSON object: the body of pause, resume, cancel. */
export const emptyBody = z.strictObject({});

/** Re-running a backfill's failed and cancelled partitions: the request id makes a repeated click start one re-run. */
export const retryBody = z.strictObject({ requestId: requestId.optional() });

export const limitQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/** Workflow ids are opaque to the page; only their length and characters are checked here. */
export const backfillId = z
  .string()
  .min(1)
  .max(400)
  .regex(/^[^\s\u0000-\u001f]+$/, 'not a backfill id');

/** A path parameter checked by `schema`; a bad one is a 400 naming the parameter (zod's issue has no path: it would say 'body'). */
export function pathParam<T>(schema: z.ZodType<T>, value: string | undefined, name: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new HttpError(400, `${name}: ${r.error.issues[0].message}`, name);
}

export function findAsset(graph: AssetGraph, name: string, field = 'name'): AssetDef {
  if (graph.has(name)) return graph.get(name);
  const names = graph.assets.map((a) => a.name);
  const hint = names.length ? ` Did you mean '${closest(name, names)}'?` : '';
  throw new HttpError(field === 'name' ? 404 : 400, `Unknown asset '${name.slice(0, 100)}'.${hint}`, field);
}

export function checkPartitionKey(asset: AssetDef, key: string, field = 'key'): string {
  try {
    checkAssetKey(asset, asset.partitions ? key : undefined);
    return key;
  } catch (err) {
    throw new HttpError(400, (err as Error).message, field);
  }
}

/** Checks names, keys and the range's order against the project; returns the request to send on. */
export function checkBackfill(graph: AssetGraph, body: z.infer<typeof backfillBody>): BackfillRequest {
  const assets = body.assets.map((name, i) => findAsset(graph, name, `assets[${i}]`));
  if ((body.from === undefined) !== (body.to === undefined)) {
    const missing = body.from === undefined ? 'from' : 'to';
    throw new HttpError(400, `Give both ends of the partition range (from and to), or neither for every partition.`, missing);
  }
  if (body.from !== undefined && body.to !== undefined) {
    // Keys are those of the first selected asset's definition, as the backfill plans them.
    const anchor = assets[0];
    if (!anchor.partitions) throw new HttpError(400, `Asset '${anchor.name}' is not partitioned: omit from and to.`, 'from');
    for (const f of ['from', 'to'] as const) {
      try {
        checkKey(anchor.partitions, body[f]!);
      } catch (err) {
        throw new HttpError(400, (err as Error).message, f);
      }
    }
    if (compareKeys(anchor.partitions, body.from, body.to) > 0) {
      throw new HttpError(400, `The range is reversed: '${body.from}' comes after '${body.to}'. Swap from and to.`, 'to');
    }
  }
  return { ...body, assets: assets.map((a) => a.name) };
}

function compareKeys(def: Partitions, a: string, b: string): number {
  if (def.kind === 'static') return def.keys.indexOf(a) - def.keys.indexOf(b);
  return keyStart(def, a) - keyStart(def, b);
}

/** The request body as JSON; a body that is not JSON is a 400 naming it. */
export async function jsonBody(c: Context): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new HttpError(400, 'The body is not valid JSON.', 'body');
  }
}
