// The lineage graph's streaming part: each streaming asset between the stream it reads and the
// Delta table it writes. A source named like an asset of the project is that asset's node.

import type { StreamNode } from '../../../api-types.ts';

export interface ExtraNode {
  id: string;
  kind: 'stream-source' | 'stream' | 'stream-sink';
  name: string;
  sub: string;
  testId: string;
}

export function streamGraph(streams: StreamNode[], assets: Set<string>): { nodes: ExtraNode[]; edges: Array<[string, string]> } {
  const nodes = new Map<string, ExtraNode>();
  const edges: Array<[string, string]> = [];
  for (const st of streams) {
    // ids with a ':' cannot collide with asset names (lowercase letters, digits, '_')
    const source = assets.has(st.source) ? st.source : `source:${st.source}`;
    if (!assets.has(st.source) && !nodes.has(source)) {
      nodes.set(source, { id: source, kind: 'stream-source', name: st.source, sub: 'event stream', testId: `stream-source-${st.source}` });
    }
    nodes.set(`stream:${st.name}`, {
      id: `stream:${st.name}`,
      kind: 'stream',
      name: st.name,
      sub: 'streaming job',
      testId: `node-${st.name}`,
    });
    nodes.set(`sink:${st.name}`, {
      id: `sink:${st.name}`,
      kind: 'stream-sink',
      name: st.sink,
      sub: 'sink: Delta table',
      testId: `stream-sink-${st.name}`,
    });
    edges.push([source, `stream:${st.name}`], [`stream:${st.name}`, `sink:${st.name}`]);
  }
  return { nodes: [...nodes.values()], edges };
}
