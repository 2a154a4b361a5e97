// Assets: the lineage graph, and a searchable list beside it. The search is in the URL (?q=), so
// a filtered graph and list can be shared and survive a reload.
import { useQuery } from '@tanstack/react-query';
import { Link, useLocation, useSearchParams } from 'wouter';
import type { AssetList } from '../../../../api-types.ts';
import { getJson } from '../../api.ts';
import { Badge } from '../../components/Badge.tsx';
import { LineageGraph } from '../../components/LineageGraph.tsx';
import { freshnessColor, outdatedColor } from '../../colors.ts';
import { ago, duration } from '../../format.ts';

export function AssetsPage() {
  const { data, error } = useQuery({ queryKey: ['assets'], queryFn: () => getJson<AssetList>('/api/assets'), refetchInterval: 5_000 });
  const [params, setParams] = useSearchParams();
  const [, navigate] = useLocation();
  const search = params.get('q') ?? '';
  const setSearch = (q: string) =>
    setParams(
      (p) => {
        if (q) p.set('q', q);
        else p.delete('q');
        return p;
      },
      { replace: true },
    );
  if (error) return <p className="error">{(error as Error).message}</p>;
  if (!data) return <p className="loading">Loading assets…</p>;
  const q = search.trim().toLowerCase();
  const matches = (name: string) => !q || name.toLowerCase().includes(q);
  const shown = data.assets.filter((a) => matches(a.name) || a.description.toLowerCase().includes(q));
  return (
    <div className="split">
      <section className="card graph-card">
        <h2>Lineage</h2>
        <div className="graph-scroll">
          <LineageGraph assets={data.assets} streams={data.streams} highlight={matches} />
        </div>
        <p className="hint">
          Color: freshness against the SLA (fresh, at-risk: a run is due, late, never materialized; grey: no SLA). “Outdated”: partitions
          whose inputs changed since they were computed. Click an asset to open it.
        </p>
      </section>
      <aside className="card list-card">
        <input
          type="search"
          placeholder="Search assets"
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onKeyDown={(e) => {
            // one match: Enter opens it
            if (e.key === 'Enter' && shown.length === 1) navigate(`/assets/${encodeURIComponent(shown[0].name)}`);
          }}
          aria-label="search assets"
        />
        <ul className="asset-list" data-testid="asset-list">
          {shown.map((a) => (
            <li key={a.name}>
              <Link href={`/assets/${encodeURIComponent(a.name)}`}>{a.name}</Link>
              <Badge color={freshnessColor[a.freshness.status]}>{a.freshness.status}</Badge>
              {a.outdated > 0 && ' '}
              {a.outdated > 0 && (
                <Badge color={outdatedColor} testId={`list-outdated-${a.name}`}>
                  {a.outdated.toLocaleString('en-US')} outdated
                </Badge>
              )}
              {a.error ? (
                <div className="sub error" data-testid="asset-error">
                  {a.error}
                </div>
              ) : (
                <div className="sub">
                  {a.partitions
                    ? `${a.materialized.toLocaleString('en-US')} of ${a.total.toLocaleString('en-US')} ${a.partitions.kind}`
                    : 'unpartitioned'}
                  {' · '}lag {duration(a.freshness.lagMs)} · last {ago(a.lastMaterializedAt)}
                </div>
              )}
            </li>
          ))}
          {shown.length === 0 && <li className="empty">No asset matches “{search}”.</li>}
        </ul>
      </aside>
    </div>
  );
}
