/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import dagre, { type EdgeLabel, type GraphLabel, type NodeLabel } from '@dagrejs/dagre';
import { svg } from './dom';
import { END, type ExecutionView, type GraphEdge, type StateGraph } from './model';

const NODE_HEIGHT = 34;
const CHAR_WIDTH = 7.4;

export interface GraphView {
  element: SVGSVGElement;
  /** Colours every state by its outcome in this execution; undefined clears the colours. */
  show(view: ExecutionView | undefined, executionStatus?: string): void;
}

const edgeKey = (edge: Pick<GraphEdge, 'from' | 'to'>) => `${edge.from} -> ${edge.to}`;

/** Lays the ASL graph out with dagre and draws it as SVG; node colours are CSS classes. */
export function drawGraph(graph: StateGraph, title: string): GraphView {
  const layout = new dagre.graphlib.Graph<GraphLabel, NodeLabel, EdgeLabel>({ multigraph: true });
  layout.setGraph({ rankdir: 'TB', nodesep: 22, ranksep: 34, marginx: 8, marginy: 8 });
  layout.setDefaultEdgeLabel(() => ({}));
  for (const node of graph.nodes) {
    const width = node.kind === 'start' || node.kind === 'end' ? 64 : Math.max(96, node.id.length * CHAR_WIDTH + 28);
    layout.setNode(node.id, { width, height: NODE_HEIGHT });
  }
  graph.edges.forEach((edge, index) => {
    // Catch edges weigh less, so dagre keeps the happy path straight and bends the compensations.
    layout.setEdge(edge.from, edge.to, { weight: edge.kind === 'catch' ? 1 : 4 }, String(index));
  });
  dagre.layout(layout);
  const { width = 0, height = 0 } = layout.graph();

  const root = svg('svg', { viewBox: `0 0 ${width.toFixed(0)} ${height.toFixed(0)}`, role: 'img', 'aria-label': title, class: 'graph' });
  root.append(
    svg('defs', {},
      svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 8, markerHeight: 8, markerUnits: 'userSpaceOnUse', orient: 'auto' },
        svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))),
  );
  const edgeElements = new Map<string, SVGPathElement>();
  graph.edges.forEach((edge, index) => {
    const points = layout.edge({ v: edge.from, w: edge.to, name: String(index) }).points ?? [];
    const d = points.map((point, at) => `${at === 0 ? 'M' : 'L'}${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(' ');
    const path = svg('path', { d, class: `edge edge-${edge.kind}`, 'marker-end': 'url(#arrow)', 'data-edge': edgeKey(edge) },
      svg('title', {}, edge.kind === 'catch' ? `Catch ${edge.label ?? ''}` : edge.kind));
    edgeElements.set(edgeKey(edge), path);
    root.append(path);
  });
  const nodeElements = new Map<string, { group: SVGGElement; badge: SVGTextElement }>();
  for (const node of graph.nodes) {
    const { x = 0, y = 0, width: boxWidth, height: boxHeight } = layout.node(node.id);
    const box = { x, y, width: boxWidth, height: boxHeight };
    const round = node.kind === 'start' || node.kind === 'end' || node.kind === 'fail' ? NODE_HEIGHT / 2 : 6;
    const badge = svg('text', { x: box.x + box.width / 2 - 4, y: box.y - box.height / 2 - 3, class: 'badge', 'text-anchor': 'end' });
    const group = svg('g', { class: `node node-${node.kind}`, 'data-state': node.id, 'data-kind': node.kind },
      svg('rect', { x: box.x - box.width / 2, y: box.y - box.height / 2, width: box.width, height: box.height, rx: round }),
      svg('text', { x: box.x, y: box.y + 4, 'text-anchor': 'middle' }, node.id),
      badge,
      svg('title', {}, `${node.id} (${node.type}${node.kind === 'compensation' ? ', compensation' : ''})`));
    nodeElements.set(node.id, { group, badge });
    root.append(group);
  }

  return {
    element: root,
    show(view, executionStatus) {
      for (const [name, { group, badge }] of nodeElements) {
        const visit = view?.outcomes.get(name);
        if (visit) group.setAttribute('data-outcome', visit.outcome);
        else group.removeAttribute('data-outcome');
        const retries = visit ? visit.attempts - 1 : 0;
        badge.textContent = retries > 0 ? `retried ×${String(retries)}` : '';
        group.classList.toggle('retried', retries > 0);
      }
      if (executionStatus === 'SUCCEEDED') nodeElements.get(END)?.group.setAttribute('data-outcome', 'succeeded');
      const taken = new Set<string>();
      const visits = view?.visits ?? [];
      visits.forEach((visit, index) => {
        const previous = visits[index - 1];
        taken.add(edgeKey({ from: previous?.name ?? 'Start', to: visit.name }));
      });
      const last = visits.at(-1);
      if (last && executionStatus === 'SUCCEEDED') taken.add(edgeKey({ from: last.name, to: END }));
      for (const [key, path] of edgeElements) {
        path.classList.toggle('taken', taken.has(key));
        path.classList.toggle('caught', view?.caughtEdges.has(key) ?? false);
      }
    },
  };
}
