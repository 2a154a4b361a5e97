// A job's shards, one row each, with what `freshet stream status` prints for them.
import type { StreamShard } from '../../../../api-types.ts';
import { ago, count, duration } from '../../format.ts';

const dash = (v: number | null, show: (n: number) => string = String) => (v === null ? '—' : show(v));

export function ShardTable({ shards }: { shards: StreamShard[] }) {
  if (shards.length === 0) return <p className="empty">No shard is running.</p>;
  return (
    <table className="table" data-testid="shard-table">
      <thead>
        <tr>
          <th>shard</th>
          <th>phase</th>
          <th>attempt</th>
          <th>checkpoint</th>
          <th>keys</th>
          <th>events/s</th>
          <th>watermark lag</th>
          <th>late</th>
          <th>dead letters</th>
          <th>worker</th>
          <th>heartbeat</th>
        </tr>
      </thead>
      <tbody>
        {shards.map((s, i) => (
          <tr key={s.shard ?? `waiting-${i}`} data-testid={`shard-${s.shard ?? 'waiting'}`}>
            <td>{s.shard ?? 'waiting for a worker'}</td>
            <td>{s.phase ?? '—'}</td>
            <td className="num">{s.attempt}</td>
            <td className="num" data-testid="checkpoint">
              {dash(s.checkpointId)}
            </td>
            <td className="num" data-testid="keys">
              {dash(s.stateKeys, count)}
            </td>
            <td className="num">{dash(s.eventsPerSecond, (n) => n.toFixed(0))}</td>
            <td>{dash(s.watermarkLagMs, duration)}</td>
            <td className="num">{dash(s.late, count)}</td>
            <td className="num">{dash(s.deadLetters, count)}</td>
            <td data-testid="worker">
              {s.worker ?? '—'}
              {s.lastFailure && <div className="sub error">last failure: {s.lastFailure}</div>}
            </td>
            <td>{ago(s.lastHeartbeatAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
