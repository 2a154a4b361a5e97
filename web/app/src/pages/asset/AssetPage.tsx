// Asset: definition, partition health grid, recent materializations, lag over time.
import { useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useLocation, useParams, useSearchParams } from 'wouter';
import {
  HEALTH_STATES,
  type AssetDetail,
  type Info,
  type LagSeries,
  type MaterializationRow,
  type PartitionSummary,
} from '../../../../api-types.ts';
import { enc, getJson } from '../../api.ts';
import { Badge } from '../../components/Badge.tsx';
import { BackfillDialog } from '../../components/BackfillDialog.tsx';
import { LagChart } from '../../components/LagChart.tsx';
import { GridLegend, PartitionGrid } from '../../components/PartitionGrid.tsx';
import { freshnessColor, healthColors, healthNames, outdatedColor } from '../../colors.ts';
import { bytes, duration, inUnit, lagUnit, time, type LagUnit } from '../../format.ts';
import { decodeRuns, indexOfKey, keyAtFn } from '../../partitions.ts';
import './AssetPage.css';

export function AssetPage() {
  const name = decodeURIComponent(useParams<{ name: string }>().name); // wouter leaves params encoded
  const asset = useQuery({
    queryKey: ['asset', name],
    queryFn: () => getJson<AssetDetail>(`/api/assets/${enc(name)}`),
    refetchInterval: 10_000,
  });
  const info = useQuery({ queryKey: ['info'], queryFn: () => getJson<Info>('/api/info'), staleTime: 60_000 });
  // Started with the definition, not after it: the grid is what takes longest.
  const partitions = useQuery({
    queryKey: ['partitions', name],
    queryFn: () => getJson<PartitionSummary>(`/api/assets/${enc(name)}/partitions`),
    refetchInterval: 2_000,
  });
  const [dialog, setDialog] = useState<{ from?: string; to?: string } | null>(null);
  // One unit for every lag on the page, chosen once: a refetch whose lag crossed a threshold
  // must not switch the page from hours to days under the reader's eyes.
  const [unit, setUnit] = useState<{ name: string; unit: LagUnit } | null>(null);
  const lagMax = asset.data ? Math.max(asset.data.freshness.lagMs ?? 0, asset.data.sla?.maxLagMs ?? 0) : undefined;
  // set while rendering, as React advises for state derived once from props (no effect, no extra paint)
  if (lagMax !== undefined && unit?.name !== name) setUnit({ name, unit: lagUnit(lagMax) });
  if (asset.error) return <p className="error">{(asset.error as Error).message}</p>;
  const a = asset.data;
  if (!a) return <p className="loading">Loading {name}…</p>;
  const u = unit?.name === name ? unit.unit : lagUnit(lagMax ?? 0);
  return (
    <div className="asset-page">
      <div className="title-row">
        <h1>{a.name}</h1>
        <Badge color={freshnessColor[a.freshness.status]} testId="freshness">
          {a.freshness.status}
        </Badge>
        {a.outdated > 0 && (
          <Badge color={outdatedColor} testId="outdated">
            {a.outdated.toLocaleString('en-US')} outdated
          </Badge>
        )}
        <span className="sub">
          lag {inUnit(a.freshness.lagMs, u)}
          {a.sla ? ` · SLA ${inUnit(a.sla.maxLagMs, u)}` : ''}
        </span>
        <span className="spacer" />
        {info.data?.backfills && (
          <button className="primary" onClick={() => setDialog({})} data-testid="open-backfill">
            Materialize…
          </button>
        )}
      </div>
      {a.description && <p className="description">{a.description}</p>}
      {a.error && (
        <p className="error banner" data-testid="asset-error">
          {a.error}
        </p>
      )}
      <Definition a={a} />
      <Partitions q={partitions} onBackfill={info.data?.backfills ? (from, to) => setDialog({ from, to }) : undefined} />
      <div className="two-col">
        <section className="card">
          <h2>Lag over time</h2>
          <Lag name={a.name} unit={u} />
        </section>
        <section className="card">
          <h2>Recent materializations</h2>
          <Materializations name={a.name} />
        </section>
      </div>
      {dialog && <BackfillDialog initialAssets={[a.name]} from={dialog.from} to={dialog.to} onClose={() => setDialog(null)} />}
    </div>
  );
}

function Definition({ a }: { a: AssetDetail }) {
  return (
    <section className="card definition">
      <dl>
        <dt>upstream</dt>
        <dd>
          {a.deps.length
            ? a.deps.map((d) => (
                <span key={d.asset} className="chip">
                  <Link href={`/assets/${enc(d.asset)}`}>{d.asset}</Link> {d.mapping}
                </span>
              ))
            : a.isSource
              ? 'none (source)'
              : 'none'}
        </dd>
        <dt>downstream</dt>
        <dd>
          {a.downstream.length
            ? a.downstream.map((d) => (
                <span key={d} className="chip">
                  <Link href={`/assets/${enc(d)}`}>{d}</Link>
                </span>
              ))
            : 'none'}
        </dd>
        <dt>partitions</dt>
        <dd>{a.partitions ? `${a.partitions.description} (column ${a.partitions.column})` : 'unpartitioned'}</dd>
        <dt>freshness SLA</dt>
        <dd>{a.sla ? `max lag ${duration(a.sla.maxLagMs)}, compute budget ${duration(a.sla.computeBudgetMs)}` : 'none'}</dd>
        <dt>schedule</dt>
        <dd>
          {a.schedule ? (
            <>
              {a.schedule.description}
              <div className="sub">
                {a.schedule.onServer
                  ? `next run ${time(a.schedule.nextRunAt)}`
                  : 'not on the Temporal server yet: a worker or freshet dev creates it'}
              </div>
              {a.schedule.warning && <div className="error">{a.schedule.warning}</div>}
            </>
          ) : (
            'none (no SLA)'
          )}
        </dd>
        <dt>retry</dt>
        <dd>
          {a.retry.maxAttempts} attempts, first wait {duration(a.retry.initialIntervalMs)}, ×{a.retry.backoff}, at most{' '}
          {duration(a.retry.maxIntervalMs)}
        </dd>
      </dl>
      {a.sql && (
        <details open={a.sql.length < 600}>
          <summary>SQL</summary>
          <pre className="sql">{a.sql.trim()}</pre>
        </details>
      )}
      {a.transform && <p>TypeScript transform</p>}
    </section>
  );
}

function Partitions({ q, onBackfill }: { q: UseQueryResult<PartitionSummary>; onBackfill?: (from: string, to: string) => void }) {
  const s = q.data;
  const keyAt = useMemo(() => (s ? keyAtFn(s.kind, s.first, s.keys) : () => ''), [s?.kind, s?.first, s?.keys?.length]); // eslint-disable-line react-hooks/exhaustive-deps
  // The selection is in the URL (?from=&to=): a link to it shows the same cells selected.
  const [params, setParams] = useSearchParams();
  const [, navigate] = useLocation();
  const [fromKey, toKey] = [params.get('from'), params.get('to')];
  const selection = useMemo((): [number, number] | null => {
    if (!s || !fromKey) return null;
    const [i, j] = [fromKey, toKey ?? fromKey].map((k) => indexOfKey(s.kind, s.first, s.total, k, s.keys));
    return i < 0 || j < 0 ? null : [Math.min(i, j), Math.max(i, j)];
  }, [s?.kind, s?.first, s?.total, s?.keys, fromKey, toKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const setSelection = (range: [number, number] | null) =>
    setParams(
      (p) => {
        if (range) {
          p.set('from', keyAt(range[0]));
          p.set('to', keyAt(range[1]));
        } else {
          p.delete('from');
          p.delete('to');
        }
        return p;
      },
      { replace: true },
    );
  const codes = useMemo(() => (s ? decodeRuns(s.runs, s.total) : new Uint8Array()), [s]);
  if (q.error) return <p className="error">{(q.error as Error).message}</p>;
  if (!s)
    return (
      <section className="card">
        <p className="loading">Loading partitions…</p>
      </section>
    );
  const range = selection ? ([keyAt(selection[0]), keyAt(selection[1])] as const) : null;
  return (
    <section className="card">
      <div className="title-row">
        <h2>
          Partitions{' '}
          <small>
            {s.total.toLocaleString('en-US')}
            {s.first ? ` · ${s.first} … ${s.last}` : ''}
          </small>
        </h2>
        <span className="spacer" />
        {range && (
          <span className="selection" data-testid="selection">
            selected {range[0]}
            {range[1] !== range[0] ? ` … ${range[1]}` : ''} ({selection![1] - selection![0] + 1})
            {range[1] === range[0] && (
              <Link href={`/assets/${enc(s.asset)}/history?key=${enc(range[0])}`} data-testid="open-partition">
                history of {range[0] || '(all)'} →
              </Link>
            )}
            {onBackfill && s.kind !== 'none' && (
              <button className="primary" onClick={() => onBackfill(range[0], range[1])} data-testid="backfill-selection">
                Backfill selection
              </button>
            )}
            <button onClick={() => setSelection(null)}>Clear</button>
          </span>
        )}
      </div>
      <GridLegend names={healthNames} colors={healthColors} counts={HEALTH_STATES.map((n) => s.counts[n])} />
      {s.total === 0 ? (
        <p className="empty">No partition exists yet (the first window has not ended).</p>
      ) : (
        <PartitionGrid
          kind={s.kind}
          total={s.total}
          keyAt={keyAt}
          contiguous={s.kind === 'daily' || s.kind === 'hourly'}
          codes={codes}
          colors={healthColors}
          names={healthNames}
          selection={selection}
          onSelect={setSelection}
          onOpen={(i) => navigate(`/assets/${enc(s.asset)}/history?key=${enc(keyAt(i))}`)}
        />
      )}
      <p className="hint">Drag across cells to select a range; double-click a cell for its history.</p>
    </section>
  );
}

function Lag({ name, unit }: { name: string; unit: LagUnit }) {
  const q = useQuery({
    queryKey: ['lag', name],
    queryFn: () => getJson<LagSeries>(`/api/assets/${enc(name)}/lag`),
    refetchInterval: 10_000,
  });
  if (!q.data) return <p className="loading">Loading…</p>;
  return <LagChart series={q.data} unit={unit} width={560} />;
}

function Materializations({ name }: { name: string }) {
  const q = useQuery({
    queryKey: ['materializations', name],
    queryFn: () => getJson<{ total: number; materializations: MaterializationRow[] }>(`/api/assets/${enc(name)}/materializations?limit=20`),
    refetchInterval: 5_000,
  });
  if (!q.data) return <p className="loading">Loading…</p>;
  if (q.data.materializations.length === 0) return <p className="empty">Never materialized.</p>;
  return (
    <table className="table" data-testid="materializations">
      <thead>
        <tr>
          <th>partition</th>
          <th>when</th>
          <th>rows</th>
          <th>size</th>
          <th>took</th>
          <th>inputs</th>
        </tr>
      </thead>
      <tbody>
        {q.data.materializations.map((m) => (
          <tr key={m.version}>
            <td>{m.partition ?? '(all)'}</td>
            <td>{time(m.timestamp)}</td>
            <td className="num">{m.rows.toLocaleString('en-US')}</td>
            <td className="num">{bytes(m.bytes)}</td>
            <td className="num">{duration(m.durationMs)}</td>
            <td className="inputs">
              {Object.keys(m.inputVersions).length
                ? Object.entries(m.inputVersions).map(([k, v]) => (
                    <span key={k} className="chip">
                      {k}@v{v}
                    </span>
                  ))
                : '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
