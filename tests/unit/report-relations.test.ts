import { describe, expect, it } from 'vitest';
import {
  layoutRelations,
  RELATION_GEOMETRY,
  type RelationEdge,
} from '../../src/report/html/report-relations.ts';

type Box = { id: string; x: number; y: number };

function overlaps(a: Box, b: Box): boolean {
  const { nodeWidth: w, nodeHeight: h } = RELATION_GEOMETRY;
  return a.x < b.x + w && b.x < a.x + w && a.y < b.y + h && b.y < a.y + h;
}

describe('relations layout', () => {
  it('puts referenced datasets left of the datasets that reference them, one band per source', () => {
    const nodes = [
      { id: 'crm.order_lines', source: 'crm' },
      { id: 'crm.orders', source: 'crm' },
      { id: 'crm.customers', source: 'crm' },
      { id: 'files.clients', source: 'files' },
    ];
    const edges: RelationEdge[] = [
      { from: 'crm.order_lines', to: 'crm.orders', declared: true },
      { from: 'crm.orders', to: 'crm.customers', declared: true },
      { from: 'files.clients', to: 'crm.customers', declared: false },
    ];
    const layout = layoutRelations(nodes, edges);
    const at = new Map(layout.nodes.map((n) => [n.id, n]));
    expect(at.get('crm.customers')!.x).toBeLessThan(at.get('crm.orders')!.x);
    expect(at.get('crm.orders')!.x).toBeLessThan(at.get('crm.order_lines')!.x);
    expect(layout.bands.map((b) => b.source)).toEqual(['crm', 'files']);
    const [crm, files] = layout.bands;
    expect(at.get('files.clients')!.y).toBeGreaterThanOrEqual(files!.y);
    expect(files!.y).toBeGreaterThanOrEqual(crm!.y + crm!.height);
    for (const n of layout.nodes) {
      expect(n.x + RELATION_GEOMETRY.nodeWidth).toBeLessThanOrEqual(layout.width);
      expect(n.y + RELATION_GEOMETRY.nodeHeight).toBeLessThanOrEqual(layout.height);
    }
  });

  it('keeps 50 tables readable: no overlap, long layers wrapped into columns', () => {
    const nodes = Array.from({ length: 50 }, (_, i) => ({
      id: `erp.t${String(i).padStart(2, '0')}`,
      source: 'erp',
    }));
    // A star: 49 tables reference the first, and a chain among a few of them.
    const edges: RelationEdge[] = nodes.slice(1).map((n) => ({ from: n.id, to: 'erp.t00', declared: true }));
    edges.push(
      { from: 'erp.t02', to: 'erp.t01', declared: false },
      { from: 'erp.t03', to: 'erp.t02', declared: true },
    );
    const layout = layoutRelations(nodes, edges);
    expect(layout.nodes).toHaveLength(50);
    for (let i = 0; i < layout.nodes.length; i++) {
      for (let j = i + 1; j < layout.nodes.length; j++)
        expect(overlaps(layout.nodes[i]!, layout.nodes[j]!)).toBe(false);
    }
    const perColumn = new Map<number, number>();
    for (const n of layout.nodes) perColumn.set(n.x, (perColumn.get(n.x) ?? 0) + 1);
    expect(Math.max(...perColumn.values())).toBeLessThanOrEqual(RELATION_GEOMETRY.maxPerColumn);
    // The diagram stays a few screens wide at most.
    expect(layout.width).toBeLessThan(2500);
  });

  it('terminates on cycles and self-references, placing every node once', () => {
    const nodes = ['a', 'b', 'c'].map((id) => ({ id, source: 's' }));
    const edges: RelationEdge[] = [
      { from: 'a', to: 'b', declared: true },
      { from: 'b', to: 'c', declared: true },
      { from: 'c', to: 'a', declared: true },
      { from: 'a', to: 'a', declared: true },
    ];
    const layout = layoutRelations([...nodes, nodes[0]!], edges);
    expect(layout.nodes.map((n) => n.id).sort()).toEqual(['a', 'b', 'c']);
  });

  it('is empty for no nodes', () => {
    expect(layoutRelations([], [])).toMatchObject({ nodes: [], bands: [] });
  });
});
