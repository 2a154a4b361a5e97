// Schedules and freshness: each asset's SLA, derived schedule, next run, status; stale events.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import type { Schedules } from '../../../../api-types.ts';
import { enc, getJson } from '../../api.ts';
import { Badge } from '../../components/Badge.tsx';
import { freshnessColor } from '../../colors.ts';
import { duration, time } from '../../format.ts';

export function SchedulesPage() {
  const q = useQuery({ queryKey: ['schedules'], queryFn: () => getJson<Schedules>('/api/schedules'), refetchInterval: 10_000 });
  if (q.error) return <p className="error">{(q.error as Error).message}</p>;
  if (!q.data) return <p className="loading">Loading…</p>;
  return (
    <>
      <section className="card">
        <h1>Schedules &amp; freshness</h1>
        <table className="table" data-testid="schedules">
          <thead><tr><th>asset</th><th>SLA (max lag)</th><th>compute budget</th><th>schedule</th><th>next run</th><th>status</th><th>lag</th></tr></thead>
          <tbody>
            {q.data.assets.map((r) => (
              <tr key={r.asset}>
                <td><Link href={`/assets/${enc(r.asset)}`}>{r.asset}</Link></td>
                <td>{r.sla ? duration(r.sla.maxLagMs) : 'none'}</td>
                <td>{r.sla ? duration(r.sla.computeBudgetMs) : '—'}</td>
                <td>{r.schedule?.description ?? (r.sla ? 'unknown' : 'none')}</td>
                <td>{time(r.schedule?.nextRunAt)}</td>
                <td><Badge color={freshnessColor[r.freshness.status]}>{r.freshness.status}</Badge></td>
                <td>{duration(r.freshness.lagMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {!q.data.monitorAvailable && <p className="hint">The freshness monitor has not reported yet: statuses read “unknown”; the lag is computed from the materializations.</p>}
      </section>
      <section className="card">
        <h2>Stale events</h2>
        {q.data.staleEvents.length === 0 ? <p className="empty">No stale event recorded.</p> : (
          <table className="table">
            <thead><tr><th>when</th><th>asset</th><th>lag</th><th>action</th></tr></thead>
            <tbody>{q.data.staleEvents.map((e, i) => <tr key={i}><td>{time(e.at)}</td><td>{e.asset}</td><td>{duration(e.lagMs)}</td><td>{e.action}</td></tr>)}</tbody>
          </table>
        )}
      </section>
    </>
  );
}
