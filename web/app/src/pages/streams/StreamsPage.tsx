// Streaming jobs: what `freshet stream status` shows for each (status, shards, checkpoint, keys,
// restarts, worker), each linking to its own page with charts and stop / restart.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import type { StreamingJob, StreamingJobs } from '../../../../api-types.ts';
import { enc, getJson } from '../../api.ts';
import { count, duration, time } from '../../format.ts';

/** A column over the shards: one value, or each shard's joined (a sharded job shows them all). */
function perShard(j: StreamingJob, pick: (s: StreamingJob['shards'][number]) => string | number | null): string {
  const vs = j.shards.map((s) => pick(s) ?? '—');
  return vs.length ? vs.join(' / ') : '—';
}

const live = (j: StreamingJob) => j.shards.some((s) => s.eventsPerSecond !== null);

export function StreamsPage() {
  const q = useQuery({ queryKey: ['streams'], queryFn: () => getJson<StreamingJobs>('/api/streams'), refetchInterval: 5_000 });
  if (q.error) return <p className="error">{(q.error as Error).message}</p>;
  if (!q.data) return <p className="loading">Loading…</p>;
  return (
    <section className="card">
      <h1>Streaming jobs</h1>
      {q.data.jobs.length === 0 ? (
        <p className="empty" data-testid="streams-empty">
          No streaming job is running{q.data.available ? '' : ' (streaming status is not reported by this server yet)'}.
        </p>
      ) : (
        <table className="table" data-testid="streams-table">
          <thead>
            <tr>
              <th>job</th>
              <th>status</th>
              <th>shards</th>
              <th>checkpoint</th>
              <th>keys</th>
              <th>events/s</th>
              <th>watermark lag</th>
              <th>last checkpoint</th>
              <th>restarts</th>
              <th>worker</th>
            </tr>
          </thead>
          <tbody>
            {q.data.jobs.map((j) => (
              <tr key={j.name} data-testid={`stream-${j.name}`}>
                <td>
                  <Link href={`/streams/${enc(j.name)}`}>{j.name}</Link>
                </td>
                <td data-testid="status" title={j.liveUnavailable ?? undefined}>
                  {j.status}
                  {j.liveUnavailable && <span className="sub"> (no worker answered)</span>}
                </td>
                <td className="num">{j.shardCount || '—'}</td>
                <td className="num">{perShard(j, (s) => s.checkpointId)}</td>
                <td className="num">{perShard(j, (s) => (s.stateKeys === null ? null : count(s.stateKeys)))}</td>
                {/* no metrics (not started, ended, before the first checkpoint): nothing to show, not a zero */}
                <td className="num">{live(j) ? j.eventsPerSecond.toFixed(1) : '—'}</td>
                <td>{live(j) ? duration(j.watermarkLagMs) : '—'}</td>
                <td>{time(j.lastCheckpointAt)}</td>
                <td className="num">{j.restarts}</td>
                <td>{perShard(j, (s) => s.worker)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
