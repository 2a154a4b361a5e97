// Backfill: live progress (server-sent events), per-asset grids filling in, failures with a
// link to the workflow in the Temporal UI, pause / resume / cancel (confirmed) / re-run what
// failed or was cancelled, and the links between a backfill and its re-runs.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { Link, useLocation, useParams } from 'wouter';
import {
  backfillCounts,
  isFinalBackfillStatus,
  TASK_STATES,
  type AssetPartitionStates,
  type AssetProgress,
  type BackfillDetail,
} from '../../../../api-types.ts';
import { countsText } from '../../backfill-counts.ts';
import { BackfillOutcome } from './BackfillOutcome.tsx';
import { enc, getJson, newRequestId, postJson } from '../../api.ts';
import { Badge } from '../../components/Badge.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { GridLegend, PartitionGrid } from '../../components/PartitionGrid.tsx';
import { backfillStatusColor, palette, taskColors, taskNames } from '../../colors.ts';
import { time } from '../../format.ts';
import type { GridKind } from '../../partitions.ts';
import { TemporalLink } from '../../components/TemporalLink.tsx';

function useLiveBackfill(id: string) {
  const client = useQueryClient();
  const key = ['backfill', id];
  const q = useQuery({ queryKey: key, queryFn: () => getJson<BackfillDetail>(`/api/backfills/${enc(id)}`) });
  const done = q.data ? isFinalBackfillStatus(q.data.status) : false;
  useEffect(() => {
    if (done) return;
    const source = new EventSource(`/api/backfills/${enc(id)}/events`);
    source.addEventListener('progress', (e) => {
      const detail = JSON.parse((e as MessageEvent<string>).data) as BackfillDetail;
      client.setQueryData(key, detail);
      if (isFinalBackfillStatus(detail.status)) source.close(); // the server ends the stream too: no reconnect
    });
    return () => source.close();
  }, [id, done]); // eslint-disable-line react-hooks/exhaustive-deps
  return q;
}

export function BackfillPage() {
  const id = decodeURIComponent(useParams<{ id: string }>().id); // wouter leaves params encoded
  const q = useLiveBackfill(id);
  const client = useQueryClient();
  const [, navigate] = useLocation();
  const [confirmCancel, setConfirmCancel] = useState(false);
  // one re-run per backfill page, however often the button is clicked before the answer
  const rerunRequestId = useMemo(() => newRequestId(), [id]); // eslint-disable-line react-hooks/exhaustive-deps
  const act = useMutation({
    mutationFn: (verb: string) =>
      postJson<BackfillDetail>(`/api/backfills/${enc(id)}/${verb}`, verb === 'retry-failed' ? { requestId: rerunRequestId } : {}),
    // re-running the failures of a finished backfill starts a new one: follow it
    onSuccess: (d) => (d.id === id ? client.setQueryData(['backfill', id], d) : navigate(`/backfills/${enc(d.id)}`)),
  });
  if (q.error) return <p className="error">{(q.error as Error).message}</p>;
  const b = q.data;
  if (!b) return <p className="loading">Loading backfill…</p>;
  const active = !isFinalBackfillStatus(b.status);
  const failed = b.assets.reduce((n, a) => n + a.counts.failed, 0);
  const running = b.assets.reduce((n, a) => n + a.counts.running, 0);
  // while it runs, failures are re-run in place; once it ended, a new backfill also finishes what a cancel left
  const toRerun = failed + (active ? 0 : b.assets.reduce((n, a) => n + a.counts.cancelled, 0));
  return (
    <div className="backfill-page">
      <div className="title-row">
        <h1>Backfill</h1>
        <Badge color={backfillStatusColor[b.status] ?? palette.muted} testId="backfill-status">
          {b.status}
        </Badge>
        <span className="spacer" />
        <button onClick={() => act.mutate('pause')} disabled={b.status !== 'running' || act.isPending}>
          Pause
        </button>
        <button onClick={() => act.mutate('resume')} disabled={b.status !== 'paused' || act.isPending}>
          Resume
        </button>
        <button
          className="danger"
          onClick={() => setConfirmCancel(true)}
          disabled={!active || b.status === 'cancelling' || act.isPending}
          data-testid="cancel-backfill"
        >
          Cancel
        </button>
        <button
          onClick={() => act.mutate('retry-failed')}
          disabled={toRerun === 0 || b.status === 'cancelling' || act.isPending}
          data-testid="rerun"
        >
          {active ? 'Re-run failed' : 'Re-run failed and cancelled'}
        </button>
      </div>
      <ConfirmDialog
        open={confirmCancel}
        title="Cancel this backfill?"
        confirm="Cancel backfill"
        dismiss="Keep running"
        onConfirm={() => {
          setConfirmCancel(false);
          act.mutate('cancel');
        }}
        onClose={() => setConfirmCancel(false)}
        testId="confirm-cancel"
      >
        <p>
          Partitions being computed stop; what they committed stays. Every partition not yet done ends as cancelled and can be re-run later.
        </p>
      </ConfirmDialog>
      {act.error && (
        <p className="error" role="alert">
          {(act.error as Error).message}
        </p>
      )}
      <p className="sub">
        <code>{b.id}</code> · {b.request.assets.join(', ')}
        {b.request.downstream ? ' and everything downstream' : ''}
        {b.request.upstream ? ' and the upstream partitions it reads' : ''}
        {' · '}
        {b.request.from ? `${b.request.from} … ${b.request.to}` : 'every partition'}
        {b.request.onlyFailedAndMissing ? ' · only failed and missing' : ''} · concurrency {b.request.concurrency ?? 4}
        {/* concurrency limits activities; one computes a batch of partitions, so say both */}
        {active && b.runningActivities !== undefined && (
          <span data-testid="running-activities">
            {' '}
            ({b.runningActivities} {b.runningActivities === 1 ? 'activity' : 'activities'} running, computing {running}{' '}
            {running === 1 ? 'partition' : 'partitions'})
          </span>
        )}
        {' · '}started {time(b.startedAt)}
        {b.request.parent && (
          <>
            {' · '}re-run of{' '}
            <Link href={`/backfills/${enc(b.request.parent)}`} data-testid="rerun-of">
              {b.request.parent}
            </Link>
          </>
        )}
        {b.temporalUrl && (
          <>
            {' '}
            ·{' '}
            <a href={b.temporalUrl} target="_blank" rel="noreferrer">
              workflow in Temporal UI ↗
            </a>
          </>
        )}
      </p>
      {b.reruns.length > 0 && (
        <section className="card" data-testid="reruns">
          <h2>
            Re-runs <small>{b.reruns.length}</small>
          </h2>
          <ul>
            {b.reruns.map((r) => (
              <li key={r.id}>
                <Link href={`/backfills/${enc(r.id)}`}>{r.id}</Link> · {r.status} · started {time(r.startedAt)}
              </li>
            ))}
          </ul>
        </section>
      )}
      <BackfillOutcome progress={b} />
      {b.assets.map((a) => (
        <AssetProgressCard key={a.asset} id={id} progress={a} />
      ))}
      <section className="card">
        <h2>
          Failures <small>{b.failures.length}</small>
        </h2>
        {b.failures.length === 0 ? (
          <p className="empty">No failure.</p>
        ) : (
          <table className="table" data-testid="failures">
            <thead>
              <tr>
                <th>asset</th>
                <th>partition</th>
                <th>error</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {b.failures.map((f, i) => (
                <tr key={i}>
                  <td>
                    <Link href={`/assets/${enc(f.asset)}`}>{f.asset}</Link>
                  </td>
                  <td>
                    {/* the partition's history: each attempt with its own workflow run's link, error and log lines */}
                    <Link href={`/assets/${enc(f.asset)}/history?key=${enc(f.partition ?? '')}`}>{f.partition ?? '(all)'}</Link>
                  </td>
                  <td>
                    <pre className="error-text">{f.error}</pre>
                  </td>
                  <td>
                    <TemporalLink url={b.temporalUrl} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function AssetProgressCard({ id, progress }: { id: string; progress: AssetProgress }) {
  const counts = TASK_STATES.map((s) => progress.counts[s] ?? 0);
  // Refetch the cells exactly when the counts move.
  const parts = useQuery({
    queryKey: ['backfill-partitions', id, progress.asset, counts.join(',')],
    queryFn: () => getJson<AssetPartitionStates>(`/api/backfills/${enc(id)}/partitions/${enc(progress.asset)}`),
    placeholderData: (prev) => prev,
  });
  const p = parts.data;
  const kind: GridKind =
    p && p.keys[0]
      ? /^\d{4}-\d{2}-\d{2}-\d{2}$/.test(p.keys[0])
        ? 'hourly'
        : /^\d{4}-\d{2}-\d{2}$/.test(p.keys[0])
          ? 'daily'
          : p.keys[0] === ''
            ? 'none'
            : 'static'
      : 'none';
  const codes = useMemo(() => new Uint8Array(p ? p.states.map((s) => TASK_STATES.indexOf(s)) : []), [p]);
  const keyAt = useMemo(() => (i: number) => p?.keys[i] || '(all)', [p?.keys]);
  const c = backfillCounts([progress]);
  return (
    <section className="card" data-testid={`progress-${progress.asset}`}>
      <div className="title-row">
        <h2>
          <Link href={`/assets/${enc(progress.asset)}`}>{progress.asset}</Link>{' '}
          <small data-testid={`counts-${progress.asset}`}>
            {countsText(c) || 'nothing'} of {c.total}
          </small>
        </h2>
      </div>
      <GridLegend names={taskNames} colors={taskColors} counts={counts} testId={`legend-${progress.asset}`} />
      {p && p.keys.length > 0 && (
        <PartitionGrid
          kind={kind}
          total={p.keys.length}
          keyAt={keyAt}
          contiguous={false}
          codes={codes}
          colors={taskColors}
          names={taskNames}
          maxHeight={240}
          testId={`grid-${progress.asset}`}
        />
      )}
    </section>
  );
}
