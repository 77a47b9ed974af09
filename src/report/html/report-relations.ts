/**
 * Lays out the relations diagram at render time: one band per source, and inside it referenced datasets
 * to the left of the datasets that reference them (longest-path layers), long layers wrapped into several
 * columns, each column ordered by its neighbours' positions to limit crossings.
 */

/** A dataset taking part in a relation. */
export interface RelationNode {
  readonly id: string;
  readonly source: string;
}

/** A relation from the referencing dataset to the referenced one. */
export interface RelationEdge {
  readonly from: string;
  readonly to: string;
  readonly declared: boolean;
}

/** Where each dataset box and source band sits, in SVG user units. */
export interface RelationLayout {
  readonly width: number;
  readonly height: number;
  readonly nodeWidth: number;
  readonly nodeHeight: number;
  readonly bands: readonly {
    readonly source: string;
    readonly x: number;
    readonly y: number;
    readonly width: number;
    readonly height: number;
  }[];
  /** Top-left corner of each dataset box. */
  readonly nodes: readonly { readonly id: string; readonly x: number; readonly y: number }[];
}

/** Sizes of the layout, in SVG user units. */
export const RELATION_GEOMETRY = {
  nodeWidth: 200,
  nodeHeight: 26,
  columnGap: 70,
  rowGap: 10,
  bandGap: 24,
  bandHeader: 26,
  margin: 12,
  /** A layer taller than this many boxes wraps into several columns. */
  maxPerColumn: 12,
} as const;

/** Computes the layout of `nodes` (datasets without a relation should be left out by the caller). */
export function layoutRelations(
  nodes: readonly RelationNode[],
  edges: readonly RelationEdge[],
): RelationLayout {
  const g = RELATION_GEOMETRY;
  const sources: string[] = [];
  const bySource = new Map<string, string[]>();
  const sourceOf = new Map<string, string>();
  for (const node of nodes) {
    if (sourceOf.has(node.id)) continue;
    sourceOf.set(node.id, node.source);
    let group = bySource.get(node.source);
    if (!group) {
      group = [];
      bySource.set(node.source, group);
      sources.push(node.source);
    }
    group.push(node.id);
  }
  // Referenced datasets per dataset, within one source (cross-source edges are drawn but do not shape layers).
  const parents = new Map<string, string[]>();
  const neighbours = new Map<string, string[]>();
  for (const edge of edges) {
    if (edge.from === edge.to || !sourceOf.has(edge.from) || !sourceOf.has(edge.to)) continue;
    push(neighbours, edge.from, edge.to);
    push(neighbours, edge.to, edge.from);
    if (sourceOf.get(edge.from) === sourceOf.get(edge.to)) push(parents, edge.from, edge.to);
  }

  const placed: { id: string; x: number; y: number }[] = [];
  const bands: RelationLayout['bands'][number][] = [];
  const rowOf = new Map<string, number>();
  let top = g.margin;
  let width = 0;
  for (const source of sources) {
    const ids = [...bySource.get(source)!].sort();
    const layers = layerOf(ids, parents);
    const columns: string[][] = [];
    const maxLayer = Math.max(0, ...layers.values());
    for (let layer = 0; layer <= maxLayer; layer++) {
      const members = ids.filter((id) => layers.get(id) === layer);
      if (members.length === 0) continue;
      // Order by the mean row of already placed neighbours, so edges run as straight as they can.
      const weight = (id: string) => {
        const rows = (neighbours.get(id) ?? []).map((n) => rowOf.get(n)).filter((r) => r !== undefined);
        return rows.length === 0 ? Number.POSITIVE_INFINITY : rows.reduce((a, b) => a + b, 0) / rows.length;
      };
      const weights = new Map(members.map((id) => [id, weight(id)]));
      members.sort((a, b) => weights.get(a)! - weights.get(b)! || (a < b ? -1 : a > b ? 1 : 0));
      for (let i = 0; i < members.length; i += g.maxPerColumn) {
        const column = members.slice(i, i + g.maxPerColumn);
        for (let row = 0; row < column.length; row++) rowOf.set(column[row]!, row);
        columns.push(column);
      }
    }
    const rows = Math.max(...columns.map((c) => c.length));
    const bandWidth = columns.length * g.nodeWidth + (columns.length - 1) * g.columnGap + 2 * g.margin;
    const bandHeight = g.bandHeader + rows * g.nodeHeight + (rows - 1) * g.rowGap + g.margin;
    columns.forEach((column, c) => {
      column.forEach((id, row) => {
        placed.push({
          id,
          x: 2 * g.margin + c * (g.nodeWidth + g.columnGap),
          y: top + g.bandHeader + row * (g.nodeHeight + g.rowGap),
        });
      });
    });
    bands.push({ source, x: g.margin, y: top, width: bandWidth, height: bandHeight });
    width = Math.max(width, bandWidth + 2 * g.margin);
    top += bandHeight + g.bandGap;
  }
  return {
    width,
    height: Math.max(top - g.bandGap + g.margin, 0),
    nodeWidth: g.nodeWidth,
    nodeHeight: g.nodeHeight,
    bands,
    nodes: placed,
  };
}

/** Longest path to a dataset that references nothing; an edge closing a cycle is ignored. */
function layerOf(
  ids: readonly string[],
  parents: ReadonlyMap<string, readonly string[]>,
): Map<string, number> {
  const layers = new Map<string, number>();
  const onStack = new Set<string>();
  const visit = (id: string): number => {
    const known = layers.get(id);
    if (known !== undefined) return known;
    onStack.add(id);
    let layer = 0;
    for (const parent of parents.get(id) ?? []) {
      if (onStack.has(parent)) continue;
      layer = Math.max(layer, visit(parent) + 1);
    }
    onStack.delete(id);
    layers.set(id, layer);
    return layer;
  };
  for (const id of ids) visit(id);
  return layers;
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
