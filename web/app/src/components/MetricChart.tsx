// A metric over time, one line per shard, drawn by uPlot (as LagChart draws an asset's lag).
// Shards checkpoint at their own moments: the lines share one time axis, each with gaps where
// another shard has a point, bridged (spanGaps).
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { palette } from '../colors.ts';
import { resolveColor, useThemeVersion, utcDate } from '../theme.ts';

export interface MetricLine {
  label: string;
  /** [time ms, value], oldest first */
  points: Array<[number, number]>;
}

// Line colours cycle through the palette, resolved now so a dark theme recolours them too.
const LINE_COLORS = [palette.accent, palette.ok, palette.warn, palette.danger, palette.muted];

export function MetricChart({ lines, unit, testId, width = 640 }: { lines: MetricLine[]; unit: string; testId: string; width?: number }) {
  const el = useRef<HTMLDivElement>(null);
  const points = lines.reduce((n, l) => n + l.points.length, 0);
  const theme = useThemeVersion();
  useEffect(() => {
    if (!el.current || points === 0) return;
    const [fg, grid] = [palette.fg, palette.border].map(resolveColor);
    const axis = { stroke: fg, grid: { stroke: grid }, ticks: { stroke: grid } };
    const times = [...new Set(lines.flatMap((l) => l.points.map((p) => p[0])))].sort((a, b) => a - b);
    const at = new Map(times.map((t, i) => [t, i]));
    const ys = lines.map((l) => {
      const y: Array<number | null> = times.map(() => null);
      for (const [t, v] of l.points) y[at.get(t)!] = v;
      return y;
    });
    const plot = new uPlot(
      {
        width,
        height: 200,
        tzDate: utcDate,
        scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max * 1.1 || 1] } },
        axes: [axis, { ...axis, label: unit, size: 70 }],
        series: [
          {},
          ...lines.map((l, i) => ({ label: l.label, stroke: resolveColor(LINE_COLORS[i % LINE_COLORS.length]), width: 2, spanGaps: true })),
        ],
      },
      [times.map((t) => t / 1000), ...ys],
      el.current,
    );
    return () => plot.destroy();
  }, [lines, unit, width, points, theme]);
  if (points === 0) return <p className="empty">No checkpoint yet: the chart starts with the first one.</p>;
  return <div ref={el} data-testid={testId} data-points={points} />;
}
