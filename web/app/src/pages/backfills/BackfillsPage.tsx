// Backfills: every recent backfill, newest first.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import type { BackfillSummary, Info } from '../../../../api-types.ts';
import { countsText } from '../../backfill-counts.ts';
import { enc, getJson } from '../../api.ts';
import { Badge } from '../../components/Badge.tsx';
import { backfillStatusColor, palette } from '../../colors.ts';
import { time } from '../../format.ts';

export function BackfillsPage() {
  const info = useQuery({ queryKey: ['info'], queryFn: () => getJson<Info>('/api/info'), staleTime: 60_000 });
  const q = useQuery({
    queryKey: ['backfills'],
    queryFn: () => getJson<{ backfills: BackfillSummary[] }>('/api/backfills?limit=100'),
    refetchInterval: 3_000,
    enabled: info.data?.backfills === true,
  });
  if (info.data && !info.data.backfills)
    return (
      <p className="empty">
        This server has no Temporal connection: start it with <code>freshet web</code> or <code>freshet dev</code> to run backfills.
      </p>
    );
  if (q.error) return <p className="error">{(q.error as Error).message}</p>;
  if (!q.data) return <p className="loading">Loading backfills…</p>;
  return (
    <section className="card">
      <h1>Backfills</h1>
      {q.data.backfills.length === 0 ? (
        <p className="empty">No backfill yet. Open an asset and press “Materialize…”, or drag across its partitions.</p>
      ) : (
        <table className="table" data-testid="backfill-list">
          <thead>
            <tr>
              <th>backfill</th>
              <th>status</th>
              <th>assets</th>
              <th>partitions</th>
              <th>outcome</th>
              <th>started</th>
              <th>ended</th>
            </tr>
          </thead>
          <tbody>
            {q.data.backfills.map((b) => (
              <tr key={b.id}>
                <td>
                  <Link href={`/backfills/${enc(b.id)}`}>{b.id}</Link>
                </td>
                <td>
                  <Badge color={backfillStatusColor[b.status] ?? palette.muted} testId={`status-${b.id}`}>
                    {b.status}
                  </Badge>
                </td>
                <td>
                  {b.request.assets?.join(', ')}
                  {b.request.downstream ? ' + downstream' : ''}
                  {b.request.upstream ? ' + upstream' : ''}
                </td>
                <td>
                  {b.request.from ? `${b.request.from} … ${b.request.to}` : 'all'}
                  {b.request.onlyFailedAndMissing ? ' (only failed and missing)' : ''}
                </td>
                <td>{b.counts ? countsText(b.counts) : ''}</td>
                <td>{time(b.startedAt)}</td>
                <td>{time(b.closedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
