// The asset graph: every declaration checked together at load, so a broken project fails
// before anything runs (a cycle, an unknown or duplicate name, a mapping that cannot work).
import { closest } from 'fastest-levenshtein';
import { effectiveMapping, type AssetDef } from './asset.ts';
import { mappingProblem, upstreamKeys, type PartitionMapping } from './mappings.ts';
import { checkKey, type Partitions } from './partitions.ts';
import type { StreamingAsset } from './streaming.ts';

export class AssetGraphError extends Error {}

export interface ResolvedDep {
  asset: AssetDef;
  mapping: PartitionMapping;
}

export interface AssetGraph {
  /** in dependency order: every asset after all of its upstreams */
  assets: AssetDef[];
  get(name: string): AssetDef;
  has(name: string): boolean;
  upstream(name: string): ResolvedDep[];
  /** assets that read `name` directly */
  downstream(name: string): AssetDef[];
  /** `names` and every asset that reads any of them, directly or not */
  withDownstream(names: Iterable<string>): Set<string>;
  /** streaming features, each a supervised job with its own Delta sink */
  streams: StreamingAsset[];
  getStream(name: string): StreamingAsset;
}

export interface Definitions {
  assets: AssetDef[];
  streams?: StreamingAsset[];
}

/** Validates a project's assets and returns its graph; throws AssetGraphError listing every problem. */
export function definitions(defs: Definitions): AssetGraph {
  const byName = new Map<string, AssetDef>();
  const problems: string[] = [];
  for (const a of defs.assets) {
    if (byName.has(a.name)) problems.push(`Asset '${a.name}' is declared twice; asset names must be unique.`);
    byName.set(a.name, a);
  }
  const names = [...byName.keys()];
  for (const a of byName.values()) {
    const seen = new Set<string>();
    for (const dep of a.deps) {
      if (seen.has(dep.asset)) problems.push(`Asset '${a.name}' lists dependency '${dep.asset}' twice.`);
      seen.add(dep.asset);
      const up = byName.get(dep.asset);
      if (!up) {
        // Never the asset itself: depending on yourself is a cycle, not a fix.
        const others = names.filter((n) => n !== a.name);
        const hint = others.length ? ` Did you mean '${closest(dep.asset, others)}'?` : '';
        problems.push(`Asset '${a.name}' depends on unknown asset '${dep.asset}'.${hint}`);
        continue;
      }
      const why = mappingProblem(a.partitions, up.partitions, effectiveMapping(dep, a.partitions, up.partitions));
      if (why) problems.push(`Asset '${a.name}' cannot read '${up.name}': ${why}.`);
    }
  }
  const streams = defs.streams ?? [];
  for (const st of streams) {
    if (byName.has(st.name) || streams.filter((x) => x.name === st.name).length > 1) {
      problems.push(`Streaming asset '${st.name}' has the name of another asset; each asset is one table, so names must be unique.`);
    }
  }
  problems.push(...cycles(byName).map((c) => `The asset graph has a cycle: ${c.join(' → ')}. Remove one of these dependencies.`));
  if (problems.length) throw new AssetGraphError(problems.join('\n'));
  const order = topoOrder(byName);
  return makeGraph(order, byName, streams);
}

/** Every cycle among the known assets (unknown dependencies are reported on their own), each once. */
function cycles(byName: Map<string, AssetDef>): string[][] {
  const state = new Map<string, 'visiting' | 'done'>();
  const found = new Map<string, string[]>();
  const visit = (a: AssetDef, path: string[]): void => {
    state.set(a.name, 'visiting');
    for (const dep of a.deps) {
      const up = byName.get(dep.asset);
      if (!up) continue;
      const s = state.get(up.name);
      if (s === 'visiting') {
        const cycle = [...path.slice(path.indexOf(up.name)), up.name];
        found.set([...new Set(cycle)].sort().join(','), cycle);
      } else if (s === undefined) {
        visit(up, [...path, up.name]);
      }
    }
    state.set(a.name, 'done');
  };
  for (const a of byName.values()) if (!state.has(a.name)) visit(a, [a.name]);
  return [...found.values()];
}

function topoOrder(byName: Map<string, AssetDef>): AssetDef[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const order: AssetDef[] = [];
  const visit = (a: AssetDef, path: string[]): void => {
    const s = state.get(a.name);
    if (s === 'done') return;
    if (s === 'visiting') {
      const cycle = [...path.slice(path.indexOf(a.name)), a.name];
      throw new AssetGraphError(`The asset graph has a cycle: ${cycle.join(' → ')}. Remove one of these dependencies.`);
    }
    state.set(a.name, 'visiting');
    for (const dep of a.deps) visit(byName.get(dep.asset)!, [...path, a.name]);
    state.set(a.name, 'done');
    order.push(a);
  };
  for (const a of byName.values()) visit(a, []);
  return order;
}

function makeGraph(order: AssetDef[], byName: Map<string, AssetDef>, streams: StreamingAsset[]): AssetGraph {
  const get = (name: string): AssetDef => {
    const a = byName.get(name);
    if (!a) {
      const hint = byName.size ? ` Did you mean '${closest(name, [...byName.keys()])}'?` : '';
      throw new AssetGraphError(`Unknown asset '${name}'.${hint}`);
    }
    return a;
  };
  return {
    assets: order,
    get,
    has: (name) => byName.has(name),
    upstream: (name) =>
      get(name).deps.map((dep) => {
        const up = get(dep.asset);
        return { asset: up, mapping: effectiveMapping(dep, get(name).partitions, up.partitions) };
      }),
    downstream: (name) => order.filter((a) => a.deps.some((d) => d.asset === name)),
    withDownstream: (names) => {
      const closure = new Set(names);
      // one pass suffices: `order` puts every asset after all of its upstreams
      for (const a of order) if (a.deps.some((d) => closure.has(d.asset))) closure.add(a.name);
      return closure;
    },
    streams,
    getStream: (name) => {
      const st = streams.find((x) => x.name === name);
      if (!st) {
        const hint = streams.length
          ? ` Did you mean '${closest(
              name,
              streams.map((x) => x.name),
            )}'?`
          : ' The project declares none.';
        throw new AssetGraphError(`Unknown streaming asset '${name}'.${hint}`);
      }
      return st;
    },
  };
}

/** Checks a partition key against an asset ('' or undefined for unpartitioned ones). */
export function checkAssetKey(asset: AssetDef, key: string | undefined): void {
  if (!asset.partitions) {
    if (key !== undefined) throw new AssetGraphError(`Asset '${asset.name}' is not partitioned; omit the partition key (got '${key}').`);
    return;
  }
  if (key === undefined)
    throw new AssetGraphError(`Asset '${asset.name}' is partitioned (${asset.partitions.kind}); give a partition key.`);
  checkKey(asset.partitions, key);
}

/** For each upstream of `asset`, the keys partition `key` reads ('all' = whole table). */
export function inputKeys(graph: AssetGraph, asset: AssetDef, key: string | undefined): Array<{ asset: AssetDef; keys: string[] | 'all' }> {
  return graph.upstream(asset.name).map(({ asset: up, mapping }) => ({
    asset: up,
    keys: upstreamKeys(asset.partitions, up.partitions as Partitions | undefined, mapping, key),
  }));
}
