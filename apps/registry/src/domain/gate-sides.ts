import type { ModelVersion, PlatformMetrics, PromotionPolicy } from '@mlops/contracts';
import { latestCompletedEvaluation } from '@mlops/storage';
import type { RegistryDeps } from '../deps';
import { gateSideOf, type GateSide } from './gate';

/**
 * The numbers the gate may read of each version under `policy`: the version's platform metrics,
 * or — when the policy pins an evaluation dataset — only those of its newest completed
 * evaluation on exactly that dataset version (none otherwise: the gate then refuses and says
 * which evaluation to run).
 */
export async function gateSidesFor(
  deps: RegistryDeps,
  policy: PromotionPolicy,
  candidate: ModelVersion,
  baseline: ModelVersion | null,
): Promise<{ candidate: GateSide; baseline: GateSide | null }> {
  const side = async (v: ModelVersion): Promise<GateSide> => {
    const pinned = policy.evaluationDataset;
    if (!pinned) return gateSideOf(v);
    return { ...gateSideOf(v), platform: await benchmarkOf(deps, v, pinned) };
  };
  return {
    candidate: await side(candidate),
    baseline: baseline ? await side(baseline) : null,
  };
}

async function benchmarkOf(
  deps: RegistryDeps,
  v: ModelVersion,
  dataset: { name: string; version: number },
): Promise<PlatformMetrics | null> {
  const evaluation = await latestCompletedEvaluation(deps.db, {
    model: v.model,
    version: v.version,
    dataset,
  });
  if (!evaluation) return null;
  return {
    metrics: evaluation.metrics,
    source: { kind: 'evaluation', evaluationId: evaluation.id, dataset },
    recordedAt: evaluation.finishedAt ?? evaluation.createdAt,
    recordedBy: evaluation.completedBy ?? 'unknown',
  };
}
