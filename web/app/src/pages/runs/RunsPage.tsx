// Runs: every materialization attempt, whatever started it (a backfill, a schedule, a catch-up,
// `freshet materialize`), newest first; filtered by asset, status and trigger (kept in the URL).
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'wouter';
import { RUN_STATUSES, RUN_TRIGGERS, type AssetList, type RunList } from '../../../../api-types.ts';
import { enc, getJson } from '../../api.ts';
import { duration, time } from '../../format.ts';
import './runs.css';
import { TemporalLink } from '../../components/TemporalLink.tsx';

const PAGE = 50;

export function RunsPage() {
  const [params, setParams] = useSearchParams();
  const asset = params.get('asset') ?? '';
  const status = params.get('status') ?? '';
  const trigger = params.get('trigger') ?? '';
  const offset = Math.max(0, Number(params.get('offset') ?? 0) || 0);
  const set = (k: string, v: string) =>
    setParams((p) => {
      const next = new URLSearchParams(p);
      if (v) next.set(k, v);
      else next.delete(k);
      if (k !== 'offset') next.delete('offset');
      return next;
    });
  const assets = useQuery({ queryKey: ['assets'], queryFn: () => getJson<AssetList>('/api/assets'), staleTime: 60_000 });
  const query = new URLSearchParams({ offset: String(offset), limit: String(PAGE) });
  if (asset) query.set('asset', asset);
  if (status) query.set('status', status);
  if (trigger) query.set('trigger', trigger);
  const q = useQuery({
    queryKey: ['runs', query.toString()],
    queryFn: () => getJson<RunList>(`/api/runs?${query.toString()}`),
    refetchInterval: 5_000,
  });
  return (
    <section className="card">
      <h1>Runs</h1>
      <div className="runs-filters">
        <label>
          asset{' '}
          <select value={asset} onChange={(e) => set('asset', e.target.value)} aria-label="filter by asset">
            <option value="">all</option>
            {assets.data?.assets.map((a) => (
              <option key={a.name} value={a.name}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          status{' '}
          <select value={status} onChange={(e) => set('status', e.target.value)} aria-label="filter by status">
            <option value="">all</option>
            {RUN_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          trigger{' '}
          <select value={trigger} onChange={(e) => set('trigger', e.target.value)} aria-label="filter by trigger">
            <option value="">all</option>
            {RUN_TRIGGERS.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        </label>
        {q.data && q.data.total > PAGE && (
          <span className="pager">
            <button disabled={offset === 0} onClick={() => set('offset', String(Math.max(0, offset - PAGE)))}>
              Newer
            </button>
            {offset + 1}–{Math.min(q.data.total, offset + PAGE)} of {q.data.total}
            <button disabled={offset + PAGE >= q.data.total} onClick={() => set('offset', String(offset + PAGE))}>
              Older
            </button>
          </span>
        )}
      </div>
      {q.error ? (
        <p className="error">{(q.error as Error).message}</p>
      ) : !q.data ? (
        <p className="loading">Loading runs…</p>
      ) : q.data.runs.length === 0 ? (
        <p className="empty">No run matches.</p>
      ) : (
        <table className="table runs-table" data-testid="runs">
          <thead>
            <tr>
              <th>asset</th>
              <th>partition</th>
              <th>trigger</th>
              <th>status</th>
              <th>attempt</th>
              <th>started</th>
              <th>took</th>
              <th>rows</th>
              <th>error</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {q.data.runs.map((r) => (
              <tr
                key={`${r.asset}-${r.partition}-${r.startedAt}-${r.version ?? r.log ?? r.workflowId}`}
                data-status={r.status}
                data-trigger={r.trigger ?? ''}
              >
                <td>
                  <Link href={`/assets/${enc(r.asset)}`}>{r.asset}</Link>
                </td>
                <td>
                  <Link href={`/assets/${enc(r.asset)}/history?key=${enc(r.partition)}`}>{r.partition || '(all)'}</Link>
                </td>
                <td>{r.trigger ?? '—'}</td>
                <td className={r.status}>{r.status}</td>
                <td className="num">{r.attempt ?? '—'}</td>
                <td>{time(r.startedAt)}</td>
                {/* a running attempt has no duration yet: how long it had run when the list was read */}
                <td className="num">{duration(r.durationMs ?? (r.status === 'running' ? q.dataUpdatedAt - r.startedAt : null))}</td>
                <td className="num">{r.rows?.toLocaleString('en-US') ?? '—'}</td>
                <td className="error-cell" title={r.error ?? ''}>
                  {r.error ?? ''}
                </td>
                <td>
                  <TemporalLink url={r.temporalUrl} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
