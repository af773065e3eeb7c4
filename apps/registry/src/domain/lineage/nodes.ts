import type { LineageNode, LineageProducer, Metrics } from '@mlops/contracts';
import { getPipelineRun, producersOf, type ProducedKind } from '@mlops/storage';
import type { RegistryDeps } from '../../deps';
import { keyOf, type Ref } from './edges';

type Attrs = LineageNode['attrs'];

/** A few metrics, flat (`metric.accuracy`): enough to tell versions apart in a tree. */
function metricAttrs(m: Metrics | null | undefined): Attrs {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(m ?? {}).slice(0, 4)) {
    if (typeof v === 'number') out[`metric.${k}`] = Number(v.toPrecision(4));
  }
  return out;
}

function node(ref: Ref, label: string, at: string | null, attrs: Attrs): LineageNode {
  return { id: keyOf(ref), kind: ref.kind, label, at, attrs, producedBy: null };
}

/** The node a record stands for, without its producer (attachProducers adds those). */
export function nodeOf(ref: Ref, servingAlias: string): LineageNode {
  switch (ref.kind) {
    case 'dataset-version':
      return node(ref, `dataset ${ref.ds.name} v${ref.ds.version}`, ref.ds.createdAt, {
        rows: ref.ds.rowCount,
        sha256: ref.ds.hash,
      });
    case 'training-run':
      return node(ref, `training run ${ref.run.id}`, ref.run.createdAt, {
        model: ref.run.modelName,
        status: ref.run.status,
        version: ref.run.modelVersion,
        ...metricAttrs(ref.run.metrics),
      });
    case 'model-version':
      return node(ref, `model ${ref.mv.model} v${ref.mv.version}`, ref.mv.createdAt, {
        runId: ref.mv.manifest.lineage.runId,
        codeRevision: ref.mv.manifest.lineage.codeRevision,
      });
    case 'alias':
      return node(ref, `${ref.model}@${ref.alias} → v${ref.version}`, null, {
        version: ref.version,
        servedByDefault: ref.alias === servingAlias,
      });
    case 'alias-move': {
      const m = ref.move;
      const v = (x: number | null) => (x === null ? 'unset' : `v${x}`);
      return node(ref, `${m.model}@${m.alias} ${v(m.from)} → ${v(m.to)}`, m.at, {
        actor: m.actor,
        reason: m.reason,
        forced: m.forced,
        gate: m.verdict ? (m.verdict.passed ? 'passed' : 'refused') : null,
      });
    }
    case 'evaluation':
      return node(
        ref,
        `evaluation of ${ref.ev.model} v${ref.ev.version} on ${ref.ev.dataset.name} v${ref.ev.dataset.version}`,
        ref.ev.createdAt,
        { status: ref.ev.status, ...metricAttrs(ref.ev.metrics) },
      );
    case 'pipeline-run':
      return node(ref, `pipeline ${ref.run.pipeline} run ${ref.run.id}`, ref.run.createdAt, {
        status: ref.run.status,
        trigger: ref.run.trigger.kind,
      });
  }
}

/** The key a node's producer is recorded under (0108), for the kinds a step can make. */
function producedKey(ref: Ref): { kind: ProducedKind; ref: string } | null {
  switch (ref.kind) {
    case 'dataset-version':
      return { kind: ref.kind, ref: ref.ds.id };
    case 'training-run':
      return { kind: ref.kind, ref: ref.run.id };
    case 'model-version':
      return { kind: ref.kind, ref: `${ref.mv.model}/${ref.mv.version}` };
    case 'alias-move':
      return { kind: ref.kind, ref: String(ref.move.id) };
    default:
      return null;
  }
}

/** Fills `producedBy` of `nodes` (same order as `refs`): one read per kind, one per pipeline run. */
export async function attachProducers(
  deps: RegistryDeps,
  nodes: LineageNode[],
  refs: Ref[],
): Promise<void> {
  const keys = refs.map(producedKey);
  const kinds = [...new Set(keys.flatMap((k) => (k ? [k.kind] : [])))];
  const found = new Map<string, { pipelineRunId: string; stepId: string }>();
  for (const kind of kinds) {
    const of = keys.flatMap((k) => (k?.kind === kind ? [k.ref] : []));
    for (const [ref, p] of await producersOf(deps.db, kind, of)) found.set(`${kind}:${ref}`, p);
  }
  const runs = new Map<string, Awaited<ReturnType<typeof getPipelineRun>>>();
  for (const p of found.values()) {
    if (!runs.has(p.pipelineRunId)) {
      runs.set(p.pipelineRunId, await getPipelineRun(deps.db, p.pipelineRunId));
    }
  }
  keys.forEach((k, i) => {
    const p = k ? found.get(`${k.kind}:${k.ref}`) : undefined;
    const rec = p ? runs.get(p.pipelineRunId) : undefined;
    const target = nodes[i];
    if (!p || !target) return;
    const producer: LineageProducer = {
      pipelineRunId: p.pipelineRunId,
      stepId: p.stepId,
      pipeline: rec?.run.pipeline ?? '(deleted)',
      uses: rec?.run.steps.find((s) => s.stepId === p.stepId)?.uses ?? null,
      trigger: rec?.run.trigger.kind ?? 'unknown',
    };
    target.producedBy = producer;
  });
}
