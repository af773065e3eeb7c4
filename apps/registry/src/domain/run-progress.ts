import { MAX_CURVE_EPOCHS, type EpochLoss, type RunProgress } from '@mlops/contracts';
import type { RegistryDeps } from '../deps';

/**
 * The stored curve with `epochs` appended; stored epochs at or after the first one sent are
 * replaced (a fit resumed from a checkpoint runs them again), and the result is bounded.
 */
export function mergeCurve(
  stored: readonly EpochLoss[],
  epochs: readonly EpochLoss[],
): EpochLoss[] {
  const first = epochs[0]?.epoch ?? Number.POSITIVE_INFINITY;
  return [...stored.filter((e) => e.epoch < first), ...epochs].slice(-MAX_CURVE_EPOCHS);
}

/** A run's progress without its checkpoint (a finished run resumes from nothing). */
export function withoutCheckpoint(progress: RunProgress | null): RunProgress | null {
  if (!progress) return null;
  const { checkpoint: _dropped, ...rest } = progress;
  return rest;
}

/** Checkpoints are private to their run (model + optimizer state): nothing else refers to them. */
export async function dropCheckpoint(
  deps: RegistryDeps,
  runId: string,
  sha256: string,
): Promise<void> {
  try {
    await deps.store.delete(sha256);
  } catch (err) {
    deps.logger.warn({ err, runId, sha256 }, 'could not delete a run checkpoint');
  }
}
