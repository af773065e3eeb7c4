import {
  AppError,
  MAX_LINEAGE_NODES,
  parseLineageUri,
  type LineageEdge,
  type LineageGraph,
  type LineageNode,
  type LineageSubject,
} from '@mlops/contracts';
import { getDatasetVersion, getPipelineRun, getRun, producedByPipelineRun } from '@mlops/storage';
import type { RegistryDeps } from '../../deps';
import { SERVING_ALIAS } from '../aliases';
import { getVersionOrThrow, resolveAlias } from '../versions';
import { downstream, keyOf, PER_NODE, refOfProduced, upstream, type Ref } from './edges';
import { attachProducers, nodeOf } from './nodes';

async function subjectRef(deps: RegistryDeps, s: LineageSubject): Promise<Ref> {
  switch (s.kind) {
    case 'model-version': {
      const mv =
        s.ref.alias !== undefined
          ? await resolveAlias(deps, s.ref.model, s.ref.alias)
          : await getVersionOrThrow(deps, s.ref.model, s.ref.version);
      return { kind: 'model-version', mv };
    }
    case 'dataset-version': {
      const ds = await getDatasetVersion(deps.db, s.name, s.version);
      if (!ds) throw new AppError('NOT_FOUND', `dataset ${s.name} has no version ${s.version}`);
      return { kind: 'dataset-version', ds };
    }
    case 'run': {
      const run = await getRun(deps.db, s.id);
      if (run) return { kind: 'training-run', run };
      const pipelineRun = await getPipelineRun(deps.db, s.id);
      if (pipelineRun) return { kind: 'pipeline-run', run: pipelineRun.run };
      throw new AppError(
        'NOT_FOUND',
        `no training run or pipeline run ${s.id} (a dataset version is <name>@<version>)`,
      );
    }
  }
}

/** Nodes and edges collected by both walks, under one node bound. */
class Collector {
  readonly nodes = new Map<string, Ref>();
  readonly edges = new Map<string, LineageEdge>();
  truncated = false;

  /** False when the node is new and the bound is reached (the walk is then truncated). */
  add(ref: Ref): boolean {
    const key = keyOf(ref);
    if (this.nodes.has(key)) return true;
    if (this.nodes.size >= MAX_LINEAGE_NODES) {
      this.truncated = true;
      return false;
    }
    this.nodes.set(key, ref);
    return true;
  }

  edge(e: LineageEdge): void {
    this.edges.set(`${e.from}|${e.to}|${e.relation}`, e);
  }
}

/**
 * Breadth first from the root, `depth` hops one way: backward follows what each node was made
 * from, forward what was made from it. A frontier left at the bound that still has neighbours
 * marks the graph truncated.
 */
async function walk(
  deps: RegistryDeps,
  c: Collector,
  root: Ref,
  dir: 'back' | 'forward',
  depth: number,
): Promise<void> {
  const produced = async (runId: string) => {
    const made = await producedByPipelineRun(deps.db, runId, PER_NODE * 4 + 1);
    const refs = (
      await Promise.all(made.slice(0, PER_NODE * 4).map((p) => refOfProduced(deps, p)))
    ).filter((r): r is Ref => r !== null);
    return { refs, cut: made.length > PER_NODE * 4 };
  };
  const next = (ref: Ref) =>
    dir === 'back' ? upstream(deps, ref) : downstream(deps, ref, produced);
  const seen = new Set([keyOf(root)]);
  let frontier = [root];
  for (let d = 0; d < depth && frontier.length > 0; d++) {
    const following: Ref[] = [];
    for (const ref of frontier) {
      const { items, cut } = await next(ref);
      if (cut) c.truncated = true;
      for (const n of items) {
        if (!c.add(n.ref)) continue;
        const [from, to] = dir === 'back' ? [n.ref, ref] : [ref, n.ref];
        c.edge({ from: keyOf(from), to: keyOf(to), relation: n.relation });
        const key = keyOf(n.ref);
        if (!seen.has(key)) {
          seen.add(key);
          following.push(n.ref);
        }
      }
    }
    frontier = following;
  }
  for (const ref of frontier) {
    if ((await next(ref)).items.some((n) => !c.nodes.has(keyOf(n.ref)))) {
      c.truncated = true;
      break;
    }
  }
}

/** `lineage.get`: the graph around the artifact `uri` names, `depth` hops each way. */
export async function getLineage(
  deps: RegistryDeps,
  input: { uri: string; depth: number },
): Promise<LineageGraph> {
  const root = await subjectRef(deps, parseLineageUri(input.uri));
  const c = new Collector();
  c.add(root);
  await walk(deps, c, root, 'back', input.depth);
  await walk(deps, c, root, 'forward', input.depth);
  const nodes: LineageNode[] = [...c.nodes.values()].map((r) => nodeOf(r, SERVING_ALIAS));
  await attachProducers(deps, nodes, [...c.nodes.values()]);
  return {
    root: keyOf(root),
    nodes,
    edges: [...c.edges.values()],
    truncated: c.truncated,
    servingAlias: SERVING_ALIAS,
  };
}
