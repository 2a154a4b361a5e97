// Lag over time, drawn by uPlot, with the SLA as a dashed line.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LagSeries } from '../../../api-types.ts';
import { palette } from '../colors.ts';
import { resolveColor, useThemeVersion } from '../theme.ts';

/** The unit that keeps the axis numbers short. */
function unitFor(maxMs: number): [string, number] {
  if (maxMs > 72 * 3_600_000) return ['days', 86_400_000];
  if (maxMs > 2 * 3_600_000) return ['hours', 3_600_000];
  return ['minutes', 60_000];
}

export function LagChart({ series, width = 640 }: { series: LagSeries; width?: number }) {
  const el = useRef<HTMLDivElement>(null);
  // One unit for the page's life: from the SLA when there is one, else from the first series
  // drawn; a refetch whose lag grew past a threshold must not turn "90 minutes" into "1.5 hours".
  const chosen = useRef<[string, number] | null>(null);
  const theme = useThemeVersion();
  useEffect(() => {
    const [fg, grid, accent, danger] = [palette.fg, palette.border, palette.accent, palette.danger].map(resolveColor);
    const axis = { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid } };
    if (!el.current || series.points.length === 0) return;
    chosen.current ??= unitFor(series.maxLagMs ?? Math.max(...series.points.map((p) => p[1])));
    const [unit, per] = chosen.current;
    const xs = series.points.map((p) => p[0] / 1000);
    const ys = series.points.map((p) => p[1] / per);
    const sla = series.maxLagMs === null ? null : xs.map(() => series.maxLagMs! / per);
    const plot = new uPlot(
      {
        width,
        height: 200,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max, (series.maxLagMs ?? 0) / per) * 1.1 || 1] } },
        axes: [axis, { ...axis, label: `lag (${unit})`, size: 70 }],
        series: [
          {},
          { label: 'lag', stroke: accent, width: 2 },
          ...(sla ? [{ label: 'SLA', stroke: danger, dash: [6, 4], width: 1 }] : []),
        ],
      },
      sla ? [xs, ys, sla] : [xs, ys],
      el.current,
    );
    return () => plot.destroy();
  }, [series, width, theme]);
  if (series.points.length === 0) return <p className="empty">No materializations yet: the lag starts with the first one.</p>;
  return <div ref={el} data-testid="lag-chart" />;
}
