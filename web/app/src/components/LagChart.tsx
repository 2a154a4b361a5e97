// Lag over time, drawn by uPlot, with the SLA as a dashed line.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { LagSeries } from '../../../api-types.ts';
import { palette } from '../colors.ts';
import type { LagUnit } from '../format.ts';
import { resolveColor, useThemeVersion, utcDate } from '../theme.ts';

/** `unit`: the page's one unit for lags (format.ts lagUnit), so the axis reads as the page's title does. */
export function LagChart({ series, unit, width = 640 }: { series: LagSeries; unit: LagUnit; width?: number }) {
  const el = useRef<HTMLDivElement>(null);
  const theme = useThemeVersion();
  useEffect(() => {
    const [fg, grid, accent, danger] = [palette.fg, palette.border, palette.accent, palette.danger].map(resolveColor);
    const axis = { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid } };
    if (!el.current || series.points.length === 0) return;
    const per = unit.ms;
    const xs = series.points.map((p) => p[0] / 1000);
    const ys = series.points.map((p) => p[1] / per);
    const sla = series.maxLagMs === null ? null : xs.map(() => series.maxLagMs! / per);
    const plot = new uPlot(
      {
        width,
        height: 200,
        tzDate: utcDate,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(max, (series.maxLagMs ?? 0) / per) * 1.1 || 1] } },
        axes: [axis, { ...axis, label: `lag (${unit.name})`, size: 70 }],
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
  }, [series, unit, width, theme]);
  if (series.points.length === 0) return <p className="empty">No materializations yet: the lag starts with the first one.</p>;
  return <div ref={el} data-testid="lag-chart" data-unit={unit.name} />;
}
