import { describe, expect, it } from 'vitest';
import { pipelineDefinitionSchema, type PipelineDefinitionInput } from '@mlops/contracts';
import { edgePath, layoutPipeline, NODE, stepLayers } from '../src/lib/pipeline-layout';

/** Definitions go through the contracts schema, as the registry stores them. */
const define = (steps: PipelineDefinitionInput['steps']) =>
  pipelineDefinitionSchema.parse({ name: 'p', parameters: { n: { type: 'integer' } }, steps });
const out = (step: string, key = 'value') => `\${{ steps.${step}.outputs.${key} }}`;

type Rect = { x: number; y: number };
const overlap = (a: Rect, b: Rect) =>
  a.x < b.x + NODE.width &&
  b.x < a.x + NODE.width &&
  a.y < b.y + NODE.height &&
  b.y < a.y + NODE.height;

/** A deterministic random DAG: step i may depend on any earlier step. */
function randomDag(seed: number, size: number) {
  let s = seed;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return define(
    Array.from({ length: size }, (_, i) => {
      const deps = Array.from({ length: i }, (_, j) => `s${j}`).filter(() => rnd() < 0.3);
      const [first, ...rest] = deps;
      return {
        id: `s${i}`,
        uses: 'custom/echo',
        // Half the edges through an input reference, half through dependsOn.
        with: first ? { x: out(first) } : {},
        ...(rest.length ? { dependsOn: rest } : {}),
      };
    }),
  );
}

describe('pipeline layout', () => {
  it('puts a chain in one row, one layer per step', () => {
    const def = define([
      { id: 'ingest', uses: 'custom/echo', with: { n: '${{ params.n }}' } },
      { id: 'train', uses: 'custom/echo', with: { v: out('ingest', 'version') } },
      { id: 'deploy', uses: 'custom/echo', with: { v: out('train', 'version') } },
    ]);
    const layout = layoutPipeline(def);
    expect(layout.nodes.map((n) => [n.id, n.layer, n.row])).toEqual([
      ['ingest', 0, 0],
      ['train', 1, 0],
      ['deploy', 2, 0],
    ]);
    expect(new Set(layout.nodes.map((n) => n.y)).size).toBe(1);
    expect(layout.edges.map((e) => `${e.from}->${e.to}`)).toEqual([
      'ingest->train',
      'train->deploy',
    ]);
  });

  it('places a step one layer after its deepest dependency, counting dependsOn and when', () => {
    const def = define([
      { id: 'a', uses: 'custom/echo' },
      { id: 'b', uses: 'custom/echo', with: { x: out('a') } },
      { id: 'c', uses: 'custom/echo', dependsOn: ['a'] },
      { id: 'd', uses: 'custom/echo', with: { x: `text ${out('b')}` }, dependsOn: ['c'] },
      // Only a condition references b: it still waits for b.
      { id: 'e', uses: 'custom/echo', when: { left: out('b'), op: 'eq', right: 1 } },
      // Reaches d directly and a directly: the longest path wins.
      { id: 'f', uses: 'custom/echo', with: { x: out('a'), y: out('d') } },
      { id: 'lonely', uses: 'custom/echo' },
    ]);
    expect(Object.fromEntries(stepLayers(def.steps))).toEqual({
      a: 0,
      b: 1,
      c: 1,
      d: 2,
      e: 2,
      f: 3,
      lonely: 0,
    });
    const layout = layoutPipeline(def);
    const edges = layout.edges.map((e) => `${e.from}->${e.to}`).sort();
    expect(edges).toEqual(['a->b', 'a->c', 'a->f', 'b->d', 'b->e', 'c->d', 'd->f'].sort());
    // The diamond's two middle steps share a layer in different rows.
    const at = new Map(layout.nodes.map((n) => [n.id, n]));
    expect(at.get('b')?.x).toBe(at.get('c')?.x);
    expect(at.get('b')?.y).not.toBe(at.get('c')?.y);
  });

  it('orders a layer by where its dependencies sit, so two parallel chains do not cross', () => {
    const def = define([
      { id: 'top', uses: 'custom/echo' },
      { id: 'bottom', uses: 'custom/echo' },
      // Declared in the opposite order to their parents.
      { id: 'after-bottom', uses: 'custom/echo', dependsOn: ['bottom'] },
      { id: 'after-top', uses: 'custom/echo', dependsOn: ['top'] },
    ]);
    const layout = layoutPipeline(def);
    for (const e of layout.edges) expect(e.y1).toBe(e.y2);
  });

  it('never overlaps nodes, keeps them inside the drawing and points every edge right', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const def = randomDag(seed, 2 + (seed % 15));
      const layout = layoutPipeline(def);
      expect(layout.nodes).toHaveLength(def.steps.length);
      for (const [i, a] of layout.nodes.entries()) {
        expect(a.x).toBeGreaterThanOrEqual(0);
        expect(a.y).toBeGreaterThanOrEqual(0);
        expect(a.x + NODE.width).toBeLessThanOrEqual(layout.width);
        expect(a.y + NODE.height).toBeLessThanOrEqual(layout.height);
        for (const b of layout.nodes.slice(i + 1)) expect(overlap(a, b)).toBe(false);
      }
      const deps = def.steps.reduce(
        (n, s) =>
          n + new Set([...(s.dependsOn ?? []), ...(Object.keys(s.with).length ? ['x'] : [])]).size,
        0,
      );
      expect(layout.edges).toHaveLength(deps);
      const layer = new Map(layout.nodes.map((n) => [n.id, n.layer]));
      for (const e of layout.edges) {
        expect(e.x2).toBeGreaterThan(e.x1);
        expect(layer.get(e.to)).toBeGreaterThan(layer.get(e.from) ?? Infinity);
      }
    }
  });

  it('draws edges as curves from one node to the next', () => {
    expect(edgePath({ from: 'a', to: 'b', x1: 0, y1: 10, x2: 100, y2: 50 })).toBe(
      'M0,10 C50,10 50,50 100,50',
    );
  });

  it('has no cycle to draw: the contracts schema refuses one before it is stored', () => {
    const cyclic = pipelineDefinitionSchema.safeParse({
      name: 'p',
      steps: [
        { id: 'a', uses: 'custom/echo', with: { x: out('b') } },
        { id: 'b', uses: 'custom/echo', dependsOn: ['a'] },
      ],
    });
    expect(cyclic.success).toBe(false);
    expect(cyclic.error?.issues[0]?.message).toMatch(/cycle: a → b → a/);
  });
});
