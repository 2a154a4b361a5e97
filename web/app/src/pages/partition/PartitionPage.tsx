// One partition's history: every attempt, newest first, paged; for each the inputs it read (with
// links to them), rows, size, duration, peak memory, how it was computed, and for a failure the
// error with its stack, the attempt and the worker's log lines; each links to its own workflow run.
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useParams, useSearch } from 'wouter';
import type { AttemptLog, PartitionHistory, PartitionRunRow } from '../../../../api-types.ts';
import { enc, getJson } from '../../api.ts';
import { bytes, duration, time } from '../../format.ts';
import { LogLines } from './LogLines.tsx';
import './partition.css';
import { TemporalLink } from '../../components/TemporalLink.tsx';

const PAGE = 20;

export function PartitionPage() {
  const { name } = useParams<{ name: string }>();
  const key = new URLSearchParams(useSearch()).get('key') ?? '';
  const [offset, setOffset] = useState(0);
  const q = useQuery({
    queryKey: ['partition-history', name, key, offset],
    queryFn: () => getJson<PartitionHistory>(`/api/runs/${enc(name)}/history?key=${enc(key)}&offset=${offset}&limit=${PAGE}`),
    refetchInterval: 5_000,
  });
  return (
    <div className="partition-page">
      <h1>
        <Link href={`/assets/${enc(name)}`}>{name}</Link> <span data-testid="partition-key">{key || '(all)'}</span>
      </h1>
      {q.error ? (
        <p className="error">{(q.error as Error).message}</p>
      ) : !q.data ? (
        <p className="loading">Loading history…</p>
      ) : (
        <section className="card">
          <div className="title-row">
            <h2>
              Attempts <small data-testid="history-total">{q.data.total}</small>
            </h2>
            <span className="spacer" />
            <Pager total={q.data.total} offset={offset} onOffset={setOffset} />
          </div>
          {q.data.runs.length === 0 ? (
            <p className="empty">No attempt recorded yet.</p>
          ) : (
            <ol className="attempts" data-testid="history">
              {q.data.runs.map((r) => (
                <Attempt key={`${r.startedAt}-${r.version ?? r.log}`} asset={name} run={r} />
              ))}
            </ol>
          )}
        </section>
      )}
    </div>
  );
}

function Pager({ total, offset, onOffset }: { total: number; offset: number; onOffset: (n: number) => void }) {
  if (total <= PAGE) return null;
  return (
    <span className="pager">
      <button disabled={offset === 0} onClick={() => onOffset(Math.max(0, offset - PAGE))}>
        Newer
      </button>
      {offset + 1}–{Math.min(total, offset + PAGE)} of {total}
      <button disabled={offset + PAGE >= total} onClick={() => onOffset(offset + PAGE)} data-testid="older">
        Older
      </button>
    </span>
  );
}

function Attempt({ asset, run: r }: { asset: string; run: PartitionRunRow }) {
  const [showLog, setShowLog] = useState(false);
  return (
    <li className={`attempt ${r.status}`} data-testid="attempt" data-status={r.status}>
      <div className="attempt-head">
        <b>{r.status}</b>
        {r.attempt !== null && <span>attempt {r.attempt}</span>}
        {r.trigger && <span className="trigger">{r.trigger}</span>}
        <span>{time(r.startedAt)}</span>
        <span>took {duration(r.durationMs)}</span>
        {r.version !== null && <span>version {r.version}</span>}
        <TemporalLink url={r.temporalUrl} testId="temporal-link" />
      </div>
      {r.status === 'succeeded' && (
        <dl className="attempt-facts">
          <dt>rows</dt>
          <dd>{r.rows?.toLocaleString('en-US') ?? '—'}</dd>
          <dt>size</dt>
          <dd>{r.bytes !== null ? bytes(r.bytes) : '—'}</dd>
          <dt>peak memory</dt>
          <dd>{r.peakMemoryBytes !== null ? bytes(r.peakMemoryBytes) : '—'}</dd>
          <dt>computed</dt>
          <dd>{r.mode === 'range' ? `in one query over ${r.batchSize} partitions` : (r.mode ?? '—')}</dd>
          <dt>inputs</dt>
          <dd data-testid="inputs">
            {Object.entries(r.inputVersions ?? {}).length === 0
              ? '—'
              : Object.entries(r.inputVersions ?? {}).map(([up, v]) => (
                  <Link key={up} href={`/assets/${enc(up)}`} className="input-link">
                    {up}@v{v}
                  </Link>
                ))}
          </dd>
        </dl>
      )}
      {r.status === 'failed' && (
        <>
          <pre className="error-text" data-testid="error">
            {r.errorDetail?.stack ?? r.error ?? 'no error was recorded'}
          </pre>
          {r.lines && <LogLines lines={r.lines} dropped={r.droppedLines} />}
        </>
      )}
      {r.status === 'succeeded' && r.log && <button onClick={() => setShowLog(!showLog)}>{showLog ? 'Hide log' : 'Log lines'}</button>}
      {showLog && r.log && <SuccessLog asset={asset} path={r.log} />}
    </li>
  );
}

function SuccessLog({ asset, path }: { asset: string; path: string }) {
  const q = useQuery({
    queryKey: ['run-log', asset, path],
    queryFn: () => getJson<AttemptLog>(`/api/runs/${enc(asset)}/log?path=${enc(path)}`),
    retry: false,
  });
  if (q.error) return <p className="empty">{(q.error as Error).message}</p>;
  if (!q.data) return <p className="loading">Loading log…</p>;
  return <LogLines lines={q.data.lines} dropped={q.data.droppedLines} />;
}
