// One cell per partition on a canvas, rows by month (daily) or day (hourly). Only the rows in
// view are drawn, so 100,000 partitions cost what 30 rows cost. Drag across cells to select a
// range (the backfill dialog opens with it). From the keyboard: Tab to the grid, arrows move a
// cursor over the cells, Enter selects the cell, Shift+Enter extends the selection to it.
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent, useId } from 'react';
import { palette } from '../colors.ts';
import { rowOf, type GridKind } from '../partitions.ts';
import { resolveColor, useThemeVersion } from '../theme.ts';
import './PartitionGrid.css';

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
  /** a double click on a cell (or Ctrl/Cmd+Enter on the cursor): the cell's own page */
  onOpen?: (i: number) => void;
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

const AXIS_H = 14;

function rowIndex(rows: Row[], i: number): number {
  // rows are in index order: a binary search keeps 100,000 partitions as quick as 30
  let [lo, hi] = [0, rows.length - 1];
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (i < rows[mid].start) hi = mid - 1;
    else if (i >= rows[mid].start + rows[mid].len) lo = mid + 1;
    else return mid;
  }
  return -1;
}

/** Column numbers over the cells: the day of the month (daily rows) or the hour (hourly rows). */
const hasAxis = (kind: GridKind) => kind === 'daily' || kind === 'hourly';

function GridAxis({ kind, cols }: { kind: GridKind; cols: number }) {
  if (!hasAxis(kind)) return null;
  return (
    <div className="grid-axis" style={{ paddingLeft: LABEL_W, height: AXIS_H }} data-testid="grid-axis" aria-hidden="true">
      {Array.from({ length: cols }, (_, c) => (
        <span key={c} style={{ width: PITCH }}>
          {kind === 'daily' ? c + 1 : c}
        </span>
      ))}
    </div>
  );
}

export function PartitionGrid(props: GridProps) {
  const { total, codes, colors, names, selection, onSelect, onOpen, maxHeight = 420 } = props;
  const { rows, colOf, cols } = useMemo(() => buildRows(props), [props.kind, props.total, props.keyAt, props.contiguous]); // eslint-disable-line react-hooks/exhaustive-deps
  const scroller = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [hover, setHover] = useState<{ i: number; x: number; y: number } | null>(null);
  const [drag, setDrag] = useState<[number, number] | null>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  // the tooltip for the keyboard's cursor, placed when it moves
  const [keyTip, setKeyTip] = useState<{ i: number; x: number; y: number } | null>(null);
  const drawn = useRef(false);
  const tipId = useId();
  // a canvas takes colour values: the palette's, for the theme in effect
  const theme = useThemeVersion();
  const ink = useMemo(
    () => ({ cells: colors.map(resolveColor), label: resolveColor(palette.muted), mark: resolveColor(palette.fg) }),
    [colors, theme], // eslint-disable-line react-hooks/exhaustive-deps
  );

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
      g.fillStyle = ink.label;
      g.fillText(row.label, 4, y + CELL / 2 + 1);
      for (let i = row.start; i < row.start + row.len; i++) {
        const x = LABEL_W + colAt(row, i) * PITCH;
        g.fillStyle = ink.cells[codes[i]] ?? ink.mark;
        g.fillRect(x, y, CELL, CELL);
        if (i >= lo && i <= hi) {
          g.strokeStyle = ink.mark;
          g.lineWidth = 2;
          g.strokeRect(x + 1, y + 1, CELL - 2, CELL - 2);
        }
      }
    }
    for (const [i, lineWidth] of [
      [hover?.i, 1],
      [cursor, 2],
    ] as const) {
      const r = i === undefined || i === null ? -1 : rowIndex(rows, i);
      if (r < 0) continue;
      g.strokeStyle = ink.mark;
      g.lineWidth = lineWidth;
      g.strokeRect(LABEL_W + colAt(rows[r], i!) * PITCH - 1.5, r * PITCH - top - 1.5, CELL + 3, CELL + 3);
    }
    if (!drawn.current) {
      drawn.current = true;
      performance.mark('freshet:grid-drawn');
    }
  }, [rows, colAt, codes, ink, width, viewHeight, drag, selection, hover, cursor]);

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

  /** The cell in the same column of the row `dr` rows away, or the nearest one that row has. */
  const vertical = (i: number, dr: number): number => {
    const r = rowIndex(rows, i);
    const target = rows[Math.max(0, Math.min(rows.length - 1, r + dr))];
    const col = colAt(rows[r], i);
    let best = target.start;
    for (let j = target.start; j < target.start + target.len; j++) if (colAt(target, j) <= col) best = j;
    return best;
  };
  const moveCursor = (i: number) => {
    setCursor(i);
    // keep the cursor's row in view
    const s = scroller.current!;
    const r = rowIndex(rows, i);
    const y = r * PITCH;
    if (y < s.scrollTop) s.scrollTop = y;
    else if (y + PITCH > s.scrollTop + viewHeight) s.scrollTop = y + PITCH - viewHeight;
    setKeyTip({ i, x: LABEL_W + colAt(rows[r], i) * PITCH, y: y - s.scrollTop });
  };
  const onKey = (e: KeyboardEvent) => {
    if (total === 0) return;
    const at = cursor ?? total - 1;
    const moves: Record<string, () => number> = {
      ArrowLeft: () => at - 1,
      ArrowRight: () => at + 1,
      ArrowUp: () => vertical(at, -1),
      ArrowDown: () => vertical(at, 1),
      Home: () => 0,
      End: () => total - 1,
    };
    if (moves[e.key]) {
      e.preventDefault();
      moveCursor(Math.max(0, Math.min(total - 1, moves[e.key]())));
    } else if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && onOpen) {
      e.preventDefault();
      onOpen(at);
    } else if ((e.key === 'Enter' || e.key === ' ') && onSelect) {
      e.preventDefault();
      const from = e.shiftKey && selection ? selection[0] : at;
      moveCursor(at);
      onSelect([Math.min(from, at), Math.max(from, at)]);
    }
  };
  const tip = hover ?? keyTip;

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
      <GridAxis kind={props.kind} cols={cols} />
      <div
        ref={scroller}
        className="grid-scroller"
        tabIndex={0}
        role="application"
        aria-label="partitions: arrow keys move, Enter selects, Shift+Enter extends the selection, Ctrl+Enter opens the partition"
        aria-describedby={tip ? tipId : undefined}
        onKeyDown={onKey}
        onFocus={(e) => {
          // from the keyboard only: a click's focus must not move the view to the cursor
          if (cursor === null && total > 0 && e.currentTarget.matches(':focus-visible')) moveCursor(total - 1);
        }}
        onBlur={() => {
          setCursor(null);
          setKeyTip(null);
        }}
        style={{ height: viewHeight, width: width + 16 }}
        onScroll={(e) => {
          setHover(null);
          const top = e.currentTarget.scrollTop;
          setKeyTip((t) => t && { ...t, y: rowIndex(rows, t.i) * PITCH - top });
          requestAnimationFrame(draw);
        }}
        onMouseMove={onMove}
        onMouseDown={onDown}
        onMouseUp={onUp}
        onDoubleClick={(e) => {
          const i = indexAt(e);
          if (i !== null && onOpen) onOpen(i);
        }}
        onMouseLeave={() => {
          setHover(null);
          if (drag) onUp();
        }}
        data-testid={props.testId ?? 'partition-grid'}
        data-cursor={cursor === null ? undefined : props.keyAt(cursor)}
        data-total={total}
        data-rows={rows.length}
      >
        <canvas ref={canvas} style={{ width, height: viewHeight, position: 'sticky', top: 0, display: 'block' }} />
        <div style={{ height: Math.max(0, fullHeight - viewHeight) }} />
      </div>
      {tip && (
        <div
          className="grid-tip"
          style={{ left: tip.x + 14, top: tip.y + (hasAxis(props.kind) ? AXIS_H : 0) + 10 }}
          role="tooltip"
          id={tipId}
          data-testid="grid-tip"
        >
          <b>{props.keyAt(tip.i)}</b> {names[codes[tip.i]]}
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
