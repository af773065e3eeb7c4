import type { EpochLoss, PlatformEvent, Run } from '@mlops/contracts';
import type { Point } from './chart';

export interface LossCurve {
  loss: Point[];
  valLoss: Point[];
}

/**
 * Loss per epoch of one run. The run record's `curve` has every epoch the trainer ran (progress
 * reports are throttled, the curve is not) and wins; for runs recorded before it existed, the
 * `run.progress` events the registry keeps plus what the page saw polling `runs.get` fill in
 * (events are a bounded recent window, polling misses epochs between polls). Later reports of an
 * epoch replace earlier ones.
 */
export function lossCurve(
  runId: string,
  events: readonly PlatformEvent[],
  seen: readonly NonNullable<Run['progress']>[],
  stored: readonly EpochLoss[] = [],
): LossCurve {
  const byEpoch = new Map<number, { loss: number | null; valLoss: number | null }>();
  for (const e of events) {
    if (e.type === 'run.progress' && e.runId === runId) byEpoch.set(e.progress.epoch, e.progress);
  }
  for (const p of seen) byEpoch.set(p.epoch, p);
  for (const e of stored) byEpoch.set(e.epoch, e);
  const epochs = [...byEpoch.keys()].sort((a, b) => a - b);
  const loss: Point[] = [];
  const valLoss: Point[] = [];
  for (const epoch of epochs) {
    const p = byEpoch.get(epoch)!;
    if (p.loss !== null) loss.push({ x: epoch, y: p.loss });
    if (p.valLoss !== null) valLoss.push({ x: epoch, y: p.valLoss });
  }
  return { loss, valLoss };
}
