// Streaming jobs: status, events per second, watermark lag, last checkpoint, restarts.
import { useQuery } from '@tanstack/react-query';
import type { StreamingJobs } from '../../../../api-types.ts';
import { getJson } from '../../api.ts';
import { duration, time } from '../../format.ts';

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
        <table className="table">
          <thead>
            <tr>
              <th>job</th>
              <th>status</th>
              <th>events/s</th>
              <th>watermark lag</th>
              <th>last checkpoint</th>
              <th>restarts</th>
            </tr>
          </thead>
          <tbody>
            {q.data.jobs.map((j) => (
              <tr key={j.name}>
                <td>{j.name}</td>
                <td>{j.status}</td>
                <td className="num">{j.eventsPerSecond.toFixed(1)}</td>
                <td>{duration(j.watermarkLagMs)}</td>
                <td>{time(j.lastCheckpointAt)}</td>
                <td className="num">{j.restarts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
