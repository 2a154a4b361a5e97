import { describe, expect, it } from 'vitest';
import { asset, source } from './asset.ts';
import { definitions, inputKeys } from './graph.ts';
import { lookback } from './mappings.ts';
import { dailyPartitions, staticPartitions } from './partitions.ts';

const daily = dailyPartitions({ start: '2026-01-01' });
const raw = source({ name: 'raw', partitions: daily, sql: 'SELECT 1 AS x' });

describe('asset graph validation at load', () => {
  it('orders assets after their upstreams and resolves mappings', () => {
    const graph = definitions({
      assets: [
        asset({ name: 'c', deps: ['b'], partitions: daily, sql: 'SELECT 1 AS x' }),
        asset({ name: 'b', deps: { raw: lookback(7) }, partitions: daily, sql: 'SELECT 1 AS x' }),
        raw,
      ],
    });
    expect(graph.assets.map((a) => a.name)).toEqual(['raw', 'b', 'c']);
    expect(graph.downstream('raw').map((a) => a.name)).toEqual(['b']);
    // declared out of order on purpose: the closure must still reach c through b
    expect([...graph.withDownstream(['raw'])].sort()).toEqual(['b', 'c', 'raw']);
    expect([...graph.withDownstream(['b'])].sort()).toEqual(['b', 'c']);
    expect([...graph.withDownstream(['c'])]).toEqual(['c']);
    expect([...graph.withDownstream([])]).toEqual([]);
    expect(inputKeys(graph, graph.get('b'), '2026-01-03')[0].keys).toEqual(['2026-01-01', '2026-01-02', '2026-01-03']);
  });

  it('prints the cycle', () => {
    expect(() =>
      definitions({
        assets: [
          asset({ name: 'a', deps: ['c'], sql: 'SELECT 1' }),
          asset({ name: 'b', deps: ['a'], sql: 'SELECT 1' }),
          asset({ name: 'c', deps: ['b'], sql: 'SELECT 1' }),
        ],
      }),
    ).toThrow(/cycle: a → c → b → a/);
  });

  it('names an unknown dependency and the closest existing name', () => {
    expect(() =>
      definitions({
        assets: [raw, asset({ name: 'features', deps: ['rwa'], partitions: daily, sql: 'SELECT 1' })],
      }),
    ).toThrow("Asset 'features' depends on unknown asset 'rwa'. Did you mean 'raw'?");
  });

  it('refuses duplicate names', () => {
    expect(() => definitions({ assets: [raw, raw] })).toThrow(/'raw' is declared twice/);
  });

  it('refuses a mapping between incompatible partition definitions', () => {
    const regions = staticPartitions(['us', 'eu']);
    expect(() =>
      definitions({
        assets: [raw, asset({ name: 'by_region', deps: { raw: lookback(3) }, partitions: regions, sql: 'SELECT 1' })],
      }),
    ).toThrow(/'by_region' cannot read 'raw': a time-window mapping needs time partitions on both sides, found static → daily/);
    expect(() =>
      definitions({
        assets: [raw, asset({ name: 'by_region', deps: ['raw'], partitions: regions, sql: 'SELECT 1' })],
      }),
    ).toThrow(/identity cannot map static partitions onto daily partitions/);
  });

  it('refuses malformed declarations with the fix', () => {
    expect(() => asset({ name: 'Bad-Name', sql: 'SELECT 1' })).toThrow(/invalid: start with a lower-case letter/);
    expect(() => asset({ name: 'both', sql: 'SELECT 1', transform: async function* () {} })).toThrow(/exactly one of 'sql' or 'transform'/);
    expect(() => asset({ name: 'slow', sql: 'SELECT 1', freshness: { maxLag: '1 hour' } })).toThrow(/Duration '1 hour' is not understood/);
    expect(() => asset({ name: 'x', sql: 'SELECT 1', retry: { maxAttempts: 0 } })).toThrow(/maxAttempts must be a whole number >= 1/);
  });

  it('reports every problem at once', () => {
    expect(() =>
      definitions({
        assets: [asset({ name: 'a', deps: ['nope', 'missing'], sql: 'SELECT 1' })],
      }),
    ).toThrow(/unknown asset 'nope'[\s\S]*unknown asset 'missing'/);
  });

  it('reports a cycle and an unknown dependency together, and every cycle', () => {
    const run = () =>
      definitions({
        assets: [
          asset({ name: 'a', deps: ['b'], sql: 'SELECT 1' }),
          asset({ name: 'b', deps: ['a', 'ghost'], sql: 'SELECT 1' }),
          asset({ name: 'c', deps: ['d'], sql: 'SELECT 1' }),
          asset({ name: 'd', deps: ['c'], sql: 'SELECT 1' }),
          asset({ name: 'e', deps: ['e'], sql: 'SELECT 1' }),
        ],
      });
    expect(run).toThrow(/unknown asset 'ghost'/);
    const message = (() => {
      try {
        run();
      } catch (err) {
        return (err as Error).message;
      }
      return '';
    })();
    expect(message.split('\n')).toEqual([
      "Asset 'b' depends on unknown asset 'ghost'. Did you mean 'a'?",
      'The asset graph has a cycle: a → b → a. Remove one of these dependencies.',
      'The asset graph has a cycle: c → d → c. Remove one of these dependencies.',
      'The asset graph has a cycle: e → e. Remove one of these dependencies.',
    ]);
  });

  it('never suggests the asset itself for its unknown dependency', () => {
    expect(() => definitions({ assets: [asset({ name: 'clicks', deps: ['clickz'], sql: 'SELECT 1' })] })).toThrow(
      /^Asset 'clicks' depends on unknown asset 'clickz'\.$/,
    );
    expect(() => definitions({ assets: [raw, asset({ name: 'clicks', deps: ['clickz'], sql: 'SELECT 1' })] })).toThrow(
      "Asset 'clicks' depends on unknown asset 'clickz'. Did you mean 'raw'?",
    );
  });
});
