// The asset graph, laid out left to right by dagre; each node colored by its freshness (the SLA),
// with a badge counting its outdated partitions (inputs changed since computed).
import dagre from '@dagrejs/dagre';
import { useMemo } from 'react';
import { useLocation } from 'wouter';
import type { AssetSummary, StreamNode } from '../../../api-types.ts';
import { freshnessColor, outdatedColor } from '../colors.ts';
import { duration } from '../format.ts';
import { streamGraph } from './stream-graph.ts';
import './LineageGraph.css';

interface Point {
  x: number;
  y: number;
}

const W = 200;
const H = 64;

export function LineageGraph({
  assets,
  streams = [],
  highlight,
}: {
  assets: AssetSummary[];
  /** streaming assets, drawn with the stream they read and the table they write */
  streams?: StreamNode[];
  highlight: (name: string) => boolean;
}) {
  const [, navigate] = useLocation();
  const layout = useMemo(() => {
    const extra = streamGraph(streams, new Set(assets.map((a) => a.name)));
    const g = new dagre.graphlib.Graph();
    g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 70, marginx: 16, marginy: 16 });
    g.setDefaultEdgeLabel(() => ({}));
    for (const a of assets) g.setNode(a.name, { width: W, height: H });
    for (const a of assets) for (const d of a.deps) g.setEdge(d.asset, a.name, { label: d.mapping });
    for (const n of extra.nodes) g.setNode(n.id, { width: W, height: H });
    for (const [from, to] of extra.edges) g.setEdge(from, to, {});
    dagre.layout(g);
    const size = g.graph() as { width?: number; height?: number };
    return {
      width: size.width ?? 0,
      height: size.height ?? 0,
      nodes: assets.map((a) => ({ a, ...(g.node(a.name) as Point) })),
      extra: extra.nodes.map((n) => ({ n, ...(g.node(n.id) as Point) })),
      edges: g.edges().map((e: { v: string; w: string }) => {
        const edge = g.edge(e) as { points?: Point[]; label?: string };
        return { id: `${e.v}->${e.w}`, points: edge.points ?? [], label: edge.label };
      }),
    };
  }, [assets, streams]);

  return (
    <svg
      className="lineage"
      width={layout.width}
      height={layout.height}
      viewBox={`0 0 ${layout.width} ${layout.height}`}
      data-testid="lineage-graph"
      role="group"
      aria-label="asset lineage graph"
    >
      <defs>
        <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
          <path d="M 0 0 L 10 5 L 0 10 z" style={{ fill: 'var(--muted)' }} />
        </marker>
      </defs>
      {layout.edges.map((e) => {
        const mid = e.points[Math.floor(e.points.length / 2)];
        return (
          <g key={e.id}>
            <path
              d={e.points.map((p, i) => `${i ? 'L' : 'M'} ${p.x} ${p.y}`).join(' ')}
              fill="none"
              style={{ stroke: 'var(--muted)' }}
              strokeWidth={1.5}
              markerEnd="url(#arrow)"
            />
            {mid && e.label && e.label !== 'identity' && (
              <text x={mid.x} y={mid.y - 6} className="edge-label" textAnchor="middle">
                {e.label}
              </text>
            )}
          </g>
        );
      })}
      {layout.nodes.map(({ a, x, y }) => {
        const color = freshnessColor[a.freshness.status];
        const lit = highlight(a.name);
        return (
          <g
            key={a.name}
            transform={`translate(${x - W / 2}, ${y - H / 2})`}
            className="node"
            opacity={lit ? 1 : 0.3}
            onClick={() => navigate(`/assets/${encodeURIComponent(a.name)}`)}
            // reachable by Tab, opened by Enter or Space, as a link is
            tabIndex={0}
            role="link"
            aria-label={`${a.name}, ${a.freshness.status}`}
            onKeyDown={(e) => {
              if (e.key === 'Enter' || e.key === ' ') {
                e.preventDefault();
                navigate(`/assets/${encodeURIComponent(a.name)}`);
              }
            }}
            data-testid={`node-${a.name}`}
            data-freshness={a.freshness.status}
            data-outdated={a.outdated}
          >
            <rect width={W} height={H} rx={8} style={{ fill: 'var(--panel)', stroke: color }} strokeWidth={2} />
            <rect width={6} height={H} rx={3} style={{ fill: color }} />
            <text x={16} y={22} className="node-name">
              {a.name}
            </text>
            <text x={16} y={40} className="node-sub">
              {a.partitions
                ? `${a.materialized.toLocaleString('en-US')}/${a.total.toLocaleString('en-US')} ${a.partitions.kind}`
                : a.materialized
                  ? 'materialized'
                  : 'not materialized'}
            </text>
            <text x={16} y={55} className="node-sub" style={{ fill: color }}>
              {a.freshness.status}
              {a.freshness.lagMs !== null ? ` · lag ${duration(a.freshness.lagMs)}` : ''}
            </text>
            {a.outdated > 0 && (
              <g transform={`translate(${W - 92}, 6)`} data-testid={`outdated-${a.name}`}>
                <title>{`${a.outdated} partition(s) whose inputs changed since they were computed`}</title>
                <rect width={86} height={18} rx={9} fill="#fff" stroke={outdatedColor} />
                <text x={43} y={13} textAnchor="middle" className="node-sub" style={{ fill: outdatedColor }}>
                  {`${a.outdated.toLocaleString('en-US')} outdated`}
                </text>
              </g>
            )}
          </g>
        );
      })}
      {layout.extra.map(({ n, x, y }) => (
        <g
          key={n.id}
          transform={`translate(${x - W / 2}, ${y - H / 2})`}
          className={`node stream-node ${n.kind}`}
          opacity={highlight(n.name) ? 1 : 0.3}
          onClick={n.kind === 'stream' ? () => navigate(`/streams/${encodeURIComponent(n.name)}`) : undefined}
          data-testid={n.testId}
          data-kind={n.kind}
        >
          <rect width={W} height={H} rx={8} />
          <text x={16} y={22} className="node-name">
            {n.name}
          </text>
          <text x={16} y={40} className="node-sub">
            {n.sub}
          </text>
        </g>
      ))}
    </svg>
  );
}
