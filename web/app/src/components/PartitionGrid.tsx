// One cell per partition on a canvas, rows by month (daily) or day (hourly). Only the rows in
// view are drawn, so 100,000 partitions cost what 30 rows cost. Drag across cells to select a
// range (the backfill dialog opens with it).
import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from 'react';
import { rowOf, type GridKind } from '../partitions.ts';

const CELL = 14;
const PITCH = 16;
const LABEL_W = 88;

interface Row {
  label: string;
  start: number;
  len: number;
  col: number;
}

export interface GridProps {
  kind: GridKind;
  total: number;
  keyAt: (i: number) => string;
  /** consecutive time keys (an asset's partitions): rows are computed per row, not per key */
  contiguous: boolean;
  codes: Uint8Array;
  colors: readonly string[];
  names: readonly string[];
  selection?: [number, number] | null;
  onSelect?: (range: [number, number]) => void;
  maxHeight?: number;
  testId?: string;
}

function buildRows(p: GridProps): { rows: Row[]; colOf?: Int16Array; cols: number } {
  const rows: Row[] = [];
  let cols = 1;
  if (p.contiguous) {
    for (let i = 0; i < p.total;) {
      const r = rowOf(p.kind, p.keyAt(i), i);
      const len = Math.max(1, Math.min(r.left, p.total - i));
      rows.push({ label: r.label, start: i, len, col: r.col });
      cols = r.cols;
      i += len;
    }
    return { rows, cols };
  }
  const colOf = new Int16Array(p.total);
  for (let i = 0; i < p.total; i++) {
    const r = rowOf(p.kind, p.keyAt(i), i);
    colOf[i] = r.col;
    cols = r.cols;
    const last = rows[rows.length - 1];
    if (last && last.label === r.label) last.len++;
    else rows.push({ label: r.label, start: i, len: 1, col: r.col });
  }
  return { rows, colOf, cols };
}

export function PartitionGrid(props: GridProps) {
  const { total, codes, colors, names, selection, onSelect, maxHeight = 420 } = props;
  const { rows, colOf, cols } = useMemo(() => buildRows(props), [props.kind, props.total, props.keyAt, props.contiguous]); // eslint-disable-line react-hooks/exhaustive-deps
  const scroller = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ i: number; x: number; y: number } | null>(null);
  const [drag, setDrag] = useState<[number, number] | null>(null);
  const drawn = useRef(false);

  const width = LABEL_W + cols * PITCH;
  const fullHeight = rows.length * PITCH;
  const viewHeight = Math.min(fullHeight, maxHeight);
  const colAt = useCallback((row: Row, i: number) => (colOf ? colOf[i] : row.col + (i - row.start)), [colOf]);

  const draw = useCallback(() => {
    const c = canvas.current;
    const s = scroller.current;
    if (!c || !s) return;
    const dpr = window.devicePixelRatio || 1;
    if (c.width !== width * dpr || c.height !== viewHeight * dpr) {
      c.width = width * dpr;
      c.height = viewHeight * dpr;
    }
    const g = c.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, viewHeight);
    g.font = '11px ui-monospace, monospace';
    g.textBaseline = 'middle';
    const top = s.scrollTop;
    const firstRow = Math.floor(top / PITCH);
    const lastRow = Math.min(rows.length - 1, Math.ceil((top + viewHeight) / PITCH));
    const sel = drag ?? selection;
    const [lo, hi] = sel ? [Math.min(sel[0], sel[1]), Math.max(sel[0], sel[1])] : [-1, -2];
    for (let r = firstRow; r <= lastRow; r++) {
      const row = rows[r];
      const y = r * PITCH - top;
      g.fillStyle = '#495057';
      g.fillText(row.label, 4, y + CELL / 2 + 1);
      for (let i = row.start; i < row.start + row.len; i++) {
        const x = LABEL_W + colAt(row, i) * PITCH;
        g.fillStyle = colors[codes[i]] ?? '#000';
        g.fillRect(x, y, CELL, CELL);
        if (i >= lo && i <= hi) {
          g.strokeStyle = '#1a1b1e';
          g.lineWidth = 2;
          g.strokeRect(x + 1, y + 1, CELL - 2, CELL - 2);
        }
      }
    }
    if (hover && rows.length) {
      const r = rows.findIndex((row) => hover.i >= row.start && hover.i < row.start + row.len);
      if (r >= 0) {
        g.strokeStyle = '#000';
        g.lineWidth = 1;
        g.strokeRect(LABEL_W + colAt(rows[r], hover.i) * PITCH - 1.5, r * PITCH - top - 1.5, CELL + 3, CELL + 3);
      }
    }
    if (!drawn.current) {
      drawn.current = true;
      performance.mark('freshet:grid-drawn');
    }
  }, [rows, colAt, codes, colors, width, viewHeight, drag, selection, hover]);

  useEffect(() => {
    draw();
  }, [draw]);

  // Recent partitions are at the bottom: start there.
  useEffect(() => {
    const s = scroller.current;
    if (s) s.scrollTop = s.scrollHeight;
  }, [rows]);

  const indexAt = (e: MouseEvent): number | null => {
    const s = scroller.current;
    if (!s) return null;
    const box = s.getBoundingClientRect();
    const x = e.clientX - box.left - LABEL_W;
    const y = e.clientY - box.top + s.scrollTop;
    const row = rows[Math.floor(y / PITCH)];
    if (!row || x < 0 || y % PITCH >= CELL) return null;
    const col = Math.floor(x / PITCH);
    if (x % PITCH >= CELL) return null;
    for (let i = row.start; i < row.start + row.len; i++) if (colAt(row, i) === col) return i;
    return null;
  };

  const onMove = (e: MouseEvent) => {
    const i = indexAt(e);
    const box = scroller.current!.getBoundingClientRect();
    setHover(i === null ? null : { i, x: e.clientX - box.left, y: e.clientY - box.top });
    if (drag && i !== null && i !== drag[1]) setDrag([drag[0], i]);
  };
  const onDown = (e: MouseEvent) => {
    const i = indexAt(e);
    if (i !== null && onSelect) setDrag([i, i]);
  };
  const onUp = () => {
    if (drag && onSelect) onSelect([Math.min(drag[0], drag[1]), Math.max(drag[0], drag[1])]);
    setDrag(null);
  };

  return (
    <div className="grid-wrap">
      <div
        ref={scroller}
        className="grid-scroller"
        style={{ height: viewHeight, width: width + 16 }}
        onScroll={() => {
          setHover(null);
          requestAnimationFrame(draw);
        }}
        onMouseMove={onMove}
        onMouseDown={onDown}
        onMouseUp={onUp}
        onMouseLeave={() => {
          setHover(null);
          if (drag) onUp();
        }}
        data-testid={props.testId ?? 'partition-grid'}
        data-total={total}
        data-rows={rows.length}
      >
        <canvas ref={canvas} style={{ width, height: viewHeight, position: 'sticky', top: 0, display: 'block' }} />
        <div style={{ height: Math.max(0, fullHeight - viewHeight) }} />
      </div>
      {hover && (
        <div className="grid-tip" style={{ left: hover.x + 14, top: hover.y + 10 }} role="tooltip">
          <b>{props.keyAt(hover.i)}</b> {names[codes[hover.i]]}
        </div>
      )}
    </div>
  );
}

/** Counts per state with their color, and a bar whose segments are proportional to them: one
 * failed partition among 100,000 is a sliver, not a red bar. */
export function GridLegend({
  names,
  colors,
  counts,
  testId,
}: {
  names: readonly string[];
  colors: readonly string[];
  counts: number[];
  testId?: string;
}) {
  const total = counts.reduce((a, b) => a + b, 0) || 1;
  return (
    <div className="legend" data-testid={testId ?? 'grid-legend'}>
      <div className="health-bar">
        {counts.map((n, i) =>
          n ? <span key={names[i]} style={{ width: `${(100 * n) / total}%`, background: colors[i] }} title={`${names[i]}: ${n}`} /> : null,
        )}
      </div>
      <div className="legend-items">
        {names.map((name, i) => (
          <span key={name} className="legend-item" data-state={name} data-count={counts[i]}>
            <i style={{ background: colors[i] }} />
            {name} <b>{counts[i].toLocaleString('en-US')}</b>
          </span>
        ))}
      </div>
    </div>
  );
}
