import type {
  AliasAuditEntry,
  DatasetVersion,
  Evaluation,
  LineageRelation,
  ModelVersion,
  PipelineRun,
  Run,
} from '@mlops/contracts';
import {
  aliasMovesOf,
  evaluationsOnDataset,
  getAliasMove,
  getDatasetById,
  getRun,
  getVersion,
  listChildRuns,
  listEvaluations,
  runsTrainedOn,
  type ArtifactProducer,
} from '@mlops/storage';
import type { RegistryDeps } from '../../deps';

/** A node of the walk with the record it stands for. */
export type Ref =
  | { kind: 'dataset-version'; ds: DatasetVersion }
  | { kind: 'training-run'; run: Run }
  | { kind: 'model-version'; mv: ModelVersion }
  | { kind: 'alias'; model: string; alias: string; version: number }
  | { kind: 'alias-move'; move: AliasAuditEntry }
  | { kind: 'evaluation'; ev: Evaluation }
  | { kind: 'pipeline-run'; run: PipelineRun };

export interface Neighbour {
  ref: Ref;
  relation: LineageRelation;
}
/** Neighbours of one node; `cut` when a list was longer than the per-node bound. */
export interface Neighbours {
  items: Neighbour[];
  cut: boolean;
}

/** Per node and list: enough to read, few enough that one busy dataset cannot flood the graph. */
export const PER_NODE = 50;

export function keyOf(ref: Ref): string {
  switch (ref.kind) {
    case 'dataset-version':
      return `dataset-version:${ref.ds.name}@${ref.ds.version}`;
    case 'training-run':
      return `training-run:${ref.run.id}`;
    case 'model-version':
      return `model-version:${ref.mv.model}/${ref.mv.version}`;
    case 'alias':
      return `alias:${ref.model}@${ref.alias}`;
    case 'alias-move':
      return `alias-move:${ref.move.id}`;
    case 'evaluation':
      return `evaluation:${ref.ev.id}`;
    case 'pipeline-run':
      return `pipeline-run:${ref.run.id}`;
  }
}

const some = (...xs: Array<Neighbour | null>): Neighbours => ({
  items: xs.filter((x): x is Neighbour => x !== null),
  cut: false,
});

async function version(deps: RegistryDeps, model: string, v: number | null) {
  const mv = v === null ? undefined : await getVersion(deps.db, model, v);
  return mv ? { kind: 'model-version' as const, mv } : null;
}

/** What a node was made from (edges pointing at it). */
export async function upstream(deps: RegistryDeps, ref: Ref): Promise<Neighbours> {
  switch (ref.kind) {
    case 'training-run': {
      const ds = await getDatasetById(deps.db, ref.run.datasetId);
      const parent = ref.run.parentRunId ? await getRun(deps.db, ref.run.parentRunId) : undefined;
      return some(
        ds ? { ref: { kind: 'dataset-version', ds }, relation: 'trained' } : null,
        parent ? { ref: { kind: 'training-run', run: parent }, relation: 'sweep-trial' } : null,
      );
    }
    case 'model-version': {
      const runId = ref.mv.manifest.lineage.runId;
      const run = runId ? await getRun(deps.db, runId) : undefined;
      const base = ref.mv.manifest.lineage.base;
      const baseRef = base ? await version(deps, base.model, base.version) : null;
      return some(
        run ? { ref: { kind: 'training-run', run }, relation: 'registered' } : null,
        baseRef ? { ref: baseRef, relation: 'transfer-base' } : null,
      );
    }
    case 'alias': {
      const mv = await version(deps, ref.model, ref.version);
      return some(mv ? { ref: mv, relation: 'alias' } : null);
    }
    case 'alias-move': {
      const to = await version(deps, ref.move.model, ref.move.to);
      const from = await version(deps, ref.move.model, ref.move.from);
      return some(
        to ? { ref: to, relation: 'moved-to' } : null,
        from ? { ref: from, relation: 'moved-from' } : null,
      );
    }
    case 'evaluation': {
      const mv = await version(deps, ref.ev.model, ref.ev.version);
      const ds = await getDatasetById(deps.db, ref.ev.dataset.id);
      return some(
        mv ? { ref: mv, relation: 'evaluated' } : null,
        ds ? { ref: { kind: 'dataset-version', ds }, relation: 'evaluated-on' } : null,
      );
    }
    default:
      // Dataset versions and pipeline runs start the graph; their producer is an annotation.
      return some();
  }
}

function bounded<T>(rows: T[], map: (row: T) => Neighbour): Neighbours {
  return { items: rows.slice(0, PER_NODE).map(map), cut: rows.length > PER_NODE };
}
function both(a: Neighbours, b: Neighbours): Neighbours {
  return { items: [...a.items, ...b.items], cut: a.cut || b.cut };
}

/** What was made from a node (edges leaving it). */
export async function downstream(
  deps: RegistryDeps,
  ref: Ref,
  produced: (runId: string) => Promise<{ refs: Ref[]; cut: boolean }>,
): Promise<Neighbours> {
  switch (ref.kind) {
    case 'dataset-version': {
      const runs = await runsTrainedOn(deps.db, ref.ds.id, PER_NODE + 1);
      const evs = await evaluationsOnDataset(deps.db, ref.ds.id, PER_NODE + 1);
      return both(
        bounded(runs, (run) => ({ ref: { kind: 'training-run', run }, relation: 'trained' })),
        bounded(evs, (ev) => ({ ref: { kind: 'evaluation', ev }, relation: 'evaluated-on' })),
      );
    }
    case 'training-run': {
      const mv = await version(deps, ref.run.modelName, ref.run.modelVersion);
      const trials = await listChildRuns(deps.db, ref.run.id);
      return both(
        some(mv ? { ref: mv, relation: 'registered' } : null),
        bounded(trials, (run) => ({ ref: { kind: 'training-run', run }, relation: 'sweep-trial' })),
      );
    }
    case 'model-version': {
      const { model, version: v } = ref.mv;
      const aliases = ref.mv.aliases.map((alias): Neighbour => ({
        ref: { kind: 'alias', model, alias, version: v },
        relation: 'alias',
      }));
      const moves = await aliasMovesOf(deps.db, model, v, PER_NODE + 1);
      const evs = await listEvaluations(deps.db, { model, version: v, limit: PER_NODE + 1 });
      return both(
        both(
          { items: aliases, cut: false },
          bounded(moves, (move) => ({
            ref: { kind: 'alias-move', move },
            relation: move.to === v ? 'moved-to' : 'moved-from',
          })),
        ),
        bounded(evs, (ev) => ({ ref: { kind: 'evaluation', ev }, relation: 'evaluated' })),
      );
    }
    case 'pipeline-run': {
      const made = await produced(ref.run.id);
      return {
        items: made.refs.map((r) => ({ ref: r, relation: 'produced' as const })),
        cut: made.cut,
      };
    }
    default:
      return some();
  }
}

/** The artifact a producer record names, if it still exists (a deleted version is skipped). */
export async function refOfProduced(deps: RegistryDeps, p: ArtifactProducer): Promise<Ref | null> {
  switch (p.kind) {
    case 'dataset-version': {
      const ds = await getDatasetById(deps.db, p.ref);
      return ds ? { kind: 'dataset-version', ds } : null;
    }
    case 'training-run': {
      const run = await getRun(deps.db, p.ref);
      return run ? { kind: 'training-run', run } : null;
    }
    case 'model-version': {
      const [model = '', v = ''] = p.ref.split('/');
      return version(deps, model, Number(v));
    }
    case 'alias-move': {
      const move = await getAliasMove(deps.db, Number(p.ref));
      return move ? { kind: 'alias-move', move } : null;
    }
  }
}
