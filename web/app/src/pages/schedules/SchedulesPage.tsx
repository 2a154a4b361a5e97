// Schedules and freshness: each asset's SLA, derived schedule, next run, status (late against the
// SLA, and partitions outdated by changed inputs); the monitor's late events.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import type { ScheduleRow, Schedules } from '../../../../api-types.ts';
import { enc, getJson, postJson } from '../../api.ts';
import { Badge } from '../../components/Badge.tsx';
import { ConfirmDialog } from '../../components/ConfirmDialog.tsx';
import { backfillStatusColor, freshnessColor, palette } from '../../colors.ts';
import { duration, time } from '../../format.ts';
import './SchedulesPage.css';

type Verb = 'pause' | 'unpause' | 'run';

export function SchedulesPage() {
  const client = useQueryClient();
  const q = useQuery({ queryKey: ['schedules'], queryFn: () => getJson<Schedules>('/api/schedules'), refetchInterval: 10_000 });
  const [confirmPause, setConfirmPause] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: ({ asset, verb }: { asset: string; verb: Verb }) => postJson(`/api/schedules/${enc(asset)}/${verb}`, {}),
    onSettled: () => client.invalidateQueries({ queryKey: ['schedules'] }),
  });
  if (q.error) return <p className="error">{(q.error as Error).message}</p>;
  if (!q.data) return <p className="loading">Loading…</p>;
  const withRuns = q.data.assets.filter((r) => r.schedule?.onServer);
  const busy = (asset: string) => act.isPending && act.variables?.asset === asset;
  return (
    <>
      <ConfirmDialog
        open={confirmPause !== null}
        title={`Pause the schedule of ${confirmPause ?? ''}?`}
        confirm="Pause schedule"
        dismiss="Keep it running"
        onConfirm={() => {
          if (confirmPause) act.mutate({ asset: confirmPause, verb: 'pause' });
          setConfirmPause(null);
        }}
        onClose={() => setConfirmPause(null)}
        testId="confirm-pause"
      >
        <p>No scheduled run starts until it is unpaused; the freshness monitor still catches the asset up once it is late.</p>
      </ConfirmDialog>
      {act.error && (
        <p className="error" role="alert">
          {(act.error as Error).message}
        </p>
      )}
      <section className="card">
        <div className="title-row">
          <h1>Schedules &amp; freshness</h1>
          <span className="spacer" />
          <Badge color={q.data.monitorRunning ? palette.ok : palette.muted} testId="monitor">
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
              <th />
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
                <td>
                  <Actions
                    row={r}
                    busy={busy(r.asset)}
                    onPause={() => setConfirmPause(r.asset)}
                    onAct={(verb) => act.mutate({ asset: r.asset, verb })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card">
        <h2>Recent runs</h2>
        {withRuns.every((r) => r.schedule!.recentRuns.length === 0) ? (
          <p className="empty">No schedule has started a run yet.</p>
        ) : (
          <table className="table" data-testid="schedule-runs">
            <thead>
              <tr>
                <th>asset</th>
                <th>started</th>
                <th>outcome</th>
                <th>duration</th>
                <th>run</th>
              </tr>
            </thead>
            <tbody>
              {withRuns.flatMap((r) =>
                r.schedule!.recentRuns.map((run) => (
                  <tr key={`${run.workflowId}/${run.runId}`} data-testid={`run-${r.asset}`} data-outcome={run.outcome}>
                    <td>
                      <Link href={`/assets/${enc(r.asset)}`}>{r.asset}</Link>
                    </td>
                    <td>{time(run.takenAt)}</td>
                    <td>
                      <Badge color={backfillStatusColor[run.outcome] ?? palette.muted}>{run.outcome.replace('_', ' ')}</Badge>
                    </td>
                    <td>{run.durationMs === null ? '—' : duration(run.durationMs)}</td>
                    <td>
                      <Link href={`/backfills/${enc(run.workflowId)}`}>backfill</Link>
                    </td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        )}
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

/** Pause (after a confirmation) or unpause, and run now: for a schedule on the server. */
function Actions({ row, busy, onPause, onAct }: { row: ScheduleRow; busy: boolean; onPause: () => void; onAct: (verb: Verb) => void }) {
  const s = row.schedule;
  if (!s?.onServer) return null;
  return (
    <div className="schedule-actions">
      {s.paused ? (
        <>
          <Badge color="#f59f00" testId={`paused-${row.asset}`}>
            paused
          </Badge>
          <button disabled={busy} onClick={() => onAct('unpause')} data-testid={`unpause-${row.asset}`} title={s.note ?? undefined}>
            Unpause
          </button>
        </>
      ) : (
        <button disabled={busy} onClick={onPause} data-testid={`pause-${row.asset}`}>
          Pause
        </button>
      )}
      <button disabled={busy} onClick={() => onAct('run')} data-testid={`run-now-${row.asset}`}>
        Run now
      </button>
    </div>
  );
}
