// Schedules and freshness: each asset's SLA, derived schedule, next run, status (late against the
// SLA, and partitions outdated by changed inputs); the monitor's late events.
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
        <div className="title-row">
          <h1>Schedules &amp; freshness</h1>
          <span className="spacer" />
          <Badge color={q.data.monitorRunning ? '#2f9e44' : '#868e96'} testId="monitor">
            freshness monitor {q.data.monitorRunning ? 'running' : 'not running'}
          </Badge>
        </div>
        <table className="table" data-testid="schedules">
          <thead>
            <tr>
              <th>asset</th>
              <th>SLA (max lag)</th>
              <th>budget</th>
              <th>status</th>
              <th>outdated</th>
              <th>lag</th>
              <th>next run</th>
              <th>schedule</th>
            </tr>
          </thead>
          <tbody>
            {q.data.assets.map((r) => (
              <tr key={r.asset}>
                <td>
                  <Link href={`/assets/${enc(r.asset)}`}>{r.asset}</Link>
                </td>
                <td>{r.sla ? duration(r.sla.maxLagMs) : 'none'}</td>
                <td>{r.sla ? duration(r.sla.computeBudgetMs) : '—'}</td>
                <td>
                  <Badge color={freshnessColor[r.freshness.status]}>{r.freshness.status}</Badge>
                  {r.error && <div className="error">{r.error}</div>}
                </td>
                <td data-testid={`schedule-outdated-${r.asset}`}>{r.outdated > 0 ? r.outdated.toLocaleString('en-US') : '—'}</td>
                <td>{duration(r.freshness.lagMs)}</td>
                <td>{r.schedule ? (r.schedule.onServer ? time(r.schedule.nextRunAt) : 'not on the server') : '—'}</td>
                <td className="wrap">
                  {r.schedule ? r.schedule.description : 'no SLA, no schedule'}
                  {r.schedule?.warning && <div className="error">{r.schedule.warning}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card">
        <h2>
          Late events (SLA) <small>{q.data.staleEvents.length}</small>
        </h2>
        {q.data.staleEvents.length === 0 ? (
          <p className="empty">No asset has turned late.</p>
        ) : (
          <table className="table" data-testid="stale-events">
            <thead>
              <tr>
                <th>when</th>
                <th>asset</th>
                <th>change</th>
                <th>lag</th>
                <th>catch-up run</th>
              </tr>
            </thead>
            <tbody>
              {q.data.staleEvents.map((e, i) => (
                <tr key={i}>
                  <td>{time(e.at)}</td>
                  <td>
                    <Link href={`/assets/${enc(e.asset)}`}>{e.asset}</Link>
                  </td>
                  <td>
                    {e.from} → <b>{e.to}</b>
                  </td>
                  <td>{duration(e.lagMs)}</td>
                  <td>{e.catchUpBackfill ? <Link href={`/backfills/${enc(e.catchUpBackfill)}`}>backfill</Link> : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
