// One streaming job: its shards as `freshet stream status` shows them, throughput and watermark
// lag over time (each shard's history, kept in the job's folder), and stop / restart, confirmed.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'wouter';
import type { StreamingJob, StreamingJobDetail } from '../../../../api-types.ts';
import { enc, getJson, postJson } from '../../api.ts';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { MetricChart, type MetricLine } from '../../components/MetricChart.tsx';
import { ago, count, duration, time } from '../../format.ts';
import { ShardTable } from './ShardTable.tsx';
import './StreamPage.css';

type Verb = 'stop' | 'restart';

const QUESTIONS: Record<Verb, { title: string; confirm: string; text: string }> = {
  stop: {
    title: 'Stop this streaming job?',
    confirm: 'Stop job',
    text: 'Each shard takes a last checkpoint and the job ends. Nothing is lost: `freshet stream start` resumes from that checkpoint.',
  },
  restart: {
    title: 'Restart this streaming job?',
    confirm: 'Restart job',
    text: 'Each shard stops, then starts again from its newest checkpoint (for example on newly deployed workers). Output stays exactly-once.',
  },
};

export function StreamPage() {
  const name = decodeURIComponent(useParams<{ name: string }>().name); // wouter leaves params encoded
  const client = useQueryClient();
  const q = useQuery({
    queryKey: ['stream', name],
    queryFn: () => getJson<StreamingJobDetail>(`/api/streams/${enc(name)}`),
    refetchInterval: 3_000,
  });
  const [asking, setAsking] = useState<Verb | null>(null);
  const act = useMutation({
    mutationFn: (verb: Verb) => postJson<StreamingJob>(`/api/streams/${enc(name)}/${verb}`, {}),
    onSuccess: () => client.invalidateQueries({ queryKey: ['stream', name] }),
  });
  const history = q.data?.history;
  const charts = useMemo(() => {
    const line = (pick: (s: StreamingJobDetail['history'][number]['samples'][number]) => number): MetricLine[] =>
      (history ?? []).map((h) => ({ label: `shard ${h.shard}`, points: h.samples.map((s) => [s.at, pick(s)]) }));
    return { throughput: line((s) => s.eventsPerSecond), lag: line((s) => s.watermarkLagMs / 1000) };
  }, [history]);
  if (q.error) return <p className="error">{(q.error as Error).message}</p>;
  const j = q.data;
  if (!j) return <p className="loading">Loading streaming job…</p>;
  const running = j.workflowStatus === 'RUNNING';
  const busy = act.isPending || j.status === 'stopping' || j.status === 'restarting';
  return (
    <div className="stream-page">
      <div className="title-row">
        <h1>{j.name}</h1>
        <span className="stream-status" data-testid="stream-status" data-status={j.status}>
          {j.status}
        </span>
        <span className="spacer" />
        <button onClick={() => setAsking('restart')} disabled={!running || busy} data-testid="restart-stream">
          Restart
        </button>
        <button className="danger" onClick={() => setAsking('stop')} disabled={!running || busy} data-testid="stop-stream">
          Stop
        </button>
      </div>
      {asking && (
        <ConfirmDialog
          open
          title={QUESTIONS[asking].title}
          confirm={QUESTIONS[asking].confirm}
          dismiss="Keep running"
          onConfirm={() => {
            setAsking(null);
            act.mutate(asking);
          }}
          onClose={() => setAsking(null)}
          testId={`confirm-${asking}`}
        >
          <p>{QUESTIONS[asking].text}</p>
        </ConfirmDialog>
      )}
      {act.error && (
        <p className="error" role="alert">
          {(act.error as Error).message}
        </p>
      )}
      <section className="card">
        <p className="sub" data-testid="stream-summary">
          reads <code>{j.source}</code>
          {j.sourceKind ? ` (${j.sourceKind})` : ''} → keyed by {j.key.join(', ')}, {j.window} → writes the Delta table{' '}
          <code>{j.sink}</code>
        </p>
        {j.description && <p>{j.description}</p>}
        {j.liveUnavailable && (
          <p className="sub" role="status" data-testid="live-unavailable">
            {j.liveUnavailable}
          </p>
        )}
        <p className="sub">
          {j.shardCount} shard(s) · {j.restartsBySignal} restart(s) by signal, {j.restarts - j.restartsBySignal} by worker death · started{' '}
          {time(j.startedAt)}
          {/* shards report metrics only while they run: a stopped job has no rate, not a zero one */}
          {j.shards.some((s) => s.eventsPerSecond !== null) &&
            ` · ${count(Math.round(j.eventsPerSecond))} events/s · watermark lag ${duration(j.watermarkLagMs)} · last checkpoint ${ago(j.lastCheckpointAt)}`}
          {j.temporalUrl && (
            <>
              {' · '}
              <a href={j.temporalUrl} target="_blank" rel="noreferrer">
                Temporal UI
              </a>
            </>
          )}
        </p>
        <ShardTable shards={j.shards} />
      </section>
      <div className="stream-charts">
        <section className="card">
          <h2>Throughput (events/s)</h2>
          <MetricChart lines={charts.throughput} unit="events/s" testId="throughput-chart" />
        </section>
        <section className="card">
          <h2>Watermark lag (s)</h2>
          <MetricChart lines={charts.lag} unit="seconds" testId="watermark-lag-chart" />
        </section>
      </div>
      <p className="hint">
        <Link href="/streams">All streaming jobs</Link>
      </p>
    </div>
  );
}
