// Lag over time, drawn by uPlot, with the SLA as a dashed line.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LagSeries } from '../../../api-types.ts';

const HOUR = 3_600_000;

export function LagChart({ series, width = 640 }: { series: LagSeries; width?: number }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current || series.points.length === 0) return;
    const xs = series.points.map((p) => p[0] / 1000);
    const ys = series.points.map((p) => p[1] / HOUR);
    const sla = series.maxLagMs === null ? null : xs.map(() => series.maxLagMs! / HOUR);
    const plot = new uPlot({
      width,
      height: 200,
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max, (series.maxLagMs ?? 0) / HOUR) * 1.1 || 1] } },
      axes: [{}, { label: 'lag (hours)', size: 50 }],
      series: [
        {},
        { label: 'lag', stroke: '#1c7ed6', width: 2, fill: 'rgba(28,126,214,0.08)' },
        ...(sla ? [{ label: 'SLA', stroke: '#e03131', dash: [6, 4], width: 1 }] : []),
      ],
    }, sla ? [xs, ys, sla] : [xs, ys], el.current);
    return () => plot.destroy();
  }, [series, width]);
  if (series.points.length === 0) return <p className="empty">No materializations yet: the lag starts with the first one.</p>;
  return <div ref={el} data-testid="lag-chart" />;
}
