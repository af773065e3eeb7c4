import { stepDependencies, type PipelineDefinition } from '@mlops/contracts';

/**
 * Where each step of a pipeline goes in the run page's drawing, pure so it is tested without a
 * browser. Layered, left to right: a step's column is one more than the deepest step it waits
 * for (its `${{ steps.X… }}` references plus `dependsOn`, the rule the registry runs by), so
 * every edge points right. Within a column, steps are ordered by where their dependencies sit
 * (one barycentre sweep, ties in definition order), which keeps simple graphs uncrossed.
 * Definitions are validated as DAGs before they are stored, so there is no cycle to handle.
 */

export interface LayoutNode {
  id: string;
  layer: number;
  /** Position within its layer, from the top. */
  row: number;
  x: number;
  y: number;
}

export interface LayoutEdge {
  from: string;
  to: string;
  /** Right middle of `from` to left middle of `to`. */
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export interface PipelineLayout {
  nodes: LayoutNode[];
  edges: LayoutEdge[];
  width: number;
  height: number;
}

export const NODE = { width: 200, height: 92, gapX: 56, gapY: 20, margin: 8 } as const;

type Steps = Pick<PipelineDefinition, 'steps'>['steps'];

/** Column of each step: 0 for steps that wait for nothing, else 1 + the deepest dependency. */
export function stepLayers(steps: Steps): Map<string, number> {
  const deps = new Map(steps.map((s) => [s.id, stepDependencies(s)]));
  const layers = new Map<string, number>();
  const layerOf = (id: string): number => {
    const known = layers.get(id);
    if (known !== undefined) return known;
    const d = (deps.get(id) ?? []).filter((x) => deps.has(x));
    const layer = d.length ? 1 + Math.max(...d.map(layerOf)) : 0;
    layers.set(id, layer);
    return layer;
  };
  for (const s of steps) layerOf(s.id);
  return layers;
}

export function layoutPipeline(def: Pick<PipelineDefinition, 'steps'>): PipelineLayout {
  const steps = def.steps;
  const layers = stepLayers(steps);
  const deps = new Map(steps.map((s) => [s.id, stepDependencies(s).filter((d) => layers.has(d))]));
  const order = new Map(steps.map((s, i) => [s.id, i]));
  const columns: string[][] = [];
  for (const s of steps) (columns[layers.get(s.id) ?? 0] ??= []).push(s.id);

  const row = new Map<string, number>();
  columns.forEach((column, layer) => {
    // Barycentre of the rows a step's dependencies got; steps without any keep their order.
    const key = (id: string) => {
      const rows = (deps.get(id) ?? []).map((d) => row.get(d) ?? 0);
      return layer === 0 || rows.length === 0
        ? (order.get(id) ?? 0)
        : rows.reduce((a, b) => a + b, 0) / rows.length;
    };
    column.sort((a, b) => key(a) - key(b) || (order.get(a) ?? 0) - (order.get(b) ?? 0));
    column.forEach((id, i) => row.set(id, i));
  });

  const tallest = Math.max(1, ...columns.map((c) => c.length));
  const height = 2 * NODE.margin + tallest * NODE.height + (tallest - 1) * NODE.gapY;
  const nodes: LayoutNode[] = [];
  columns.forEach((column, layer) => {
    // Centre a short column against the tallest one.
    const used = column.length * NODE.height + (column.length - 1) * NODE.gapY;
    const top = (height - used) / 2;
    column.forEach((id, i) => {
      nodes.push({
        id,
        layer,
        row: i,
        x: NODE.margin + layer * (NODE.width + NODE.gapX),
        y: top + i * (NODE.height + NODE.gapY),
      });
    });
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  const edges: LayoutEdge[] = [];
  for (const s of steps) {
    const to = at.get(s.id);
    for (const d of deps.get(s.id) ?? []) {
      const from = at.get(d);
      if (!from || !to) continue;
      edges.push({
        from: d,
        to: s.id,
        x1: from.x + NODE.width,
        y1: from.y + NODE.height / 2,
        x2: to.x,
        y2: to.y + NODE.height / 2,
      });
    }
  }
  const width = 2 * NODE.margin + columns.length * NODE.width + (columns.length - 1) * NODE.gapX;
  return { nodes, edges, width, height };
}

/** A horizontal S-curve for an edge (SVG path data). */
export function edgePath(e: LayoutEdge): string {
  const mid = (e.x1 + e.x2) / 2;
  return `M${e.x1},${e.y1} C${mid},${e.y1} ${mid},${e.y2} ${e.x2},${e.y2}`;
}
