// A backfill's partitions by outcome (materialized, up to date, failed, cancelled, left: never
// "done" for skipped or cancelled ones), its start and end, duration, throughput and time left.
import { useEffect, useState } from 'react';
import { backfillCounts, backfillPace, isFinalBackfillStatus, type BackfillProgress } from '../../../../api-types.ts';
import { OUTCOMES } from '../../backfill-counts.ts';
import { count, duration, time } from '../../format.ts';
import './BackfillOutcome.css';

/** The clock the running numbers read, once a second while the backfill runs. */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const t = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(t);
  }, [ticking]);
  return now;
}

export function BackfillOutcome({ progress }: { progress: BackfillProgress }) {
  const ended = isFinalBackfillStatus(progress.status);
  const now = useNow(!ended);
  const c = backfillCounts(progress.assets);
  // an ended backfill whose worker predates endedAt: its last update is when it ended
  const endedAt = ended ? (progress.endedAt ?? progress.updatedAt) : undefined;
  const pace = backfillPace({ ...progress, endedAt }, c, now);
  const eta =
    pace.etaMs !== undefined
      ? duration(pace.etaMs)
      : ended
        ? '—'
        : progress.status === 'paused'
          ? 'paused'
          : progress.status === 'cancelling'
            ? 'cancelling'
            : 'not known yet';
  return (
    <section className="card backfill-outcome" data-testid="backfill-counts">
      <dl className="outcome-counts">
        {OUTCOMES.map(([k, what]) => (
          <div key={k} className={`outcome outcome-${k}`} data-testid={`count-${k}`}>
            <dt>{what}</dt>
            <dd>{count(c[k])}</dd>
          </div>
        ))}
        <div className="outcome outcome-total" data-testid="count-total">
          <dt>of</dt>
          <dd>{count(c.total)}</dd>
        </div>
      </dl>
      <dl className="outcome-times">
        <div>
          <dt>started</dt>
          <dd>{time(progress.startedAt)}</dd>
        </div>
        <div data-testid="backfill-ended">
          <dt>ended</dt>
          <dd>{ended ? time(endedAt) : '—'}</dd>
        </div>
        <div data-testid="backfill-duration">
          <dt>{ended ? 'took' : 'running for'}</dt>
          <dd>{duration(pace.durationMs)}</dd>
        </div>
        <div data-testid="backfill-throughput">
          <dt>throughput</dt>
          <dd>{pace.perMinute >= 10 ? Math.round(pace.perMinute) : pace.perMinute.toFixed(1)} partitions/min</dd>
        </div>
        <div data-testid="backfill-eta">
          <dt>time left</dt>
          <dd>{eta}</dd>
        </div>
      </dl>
    </section>
  );
}
