import type { PipelineRunStatus } from '@mlops/contracts';

/** A pipeline run in one of these is over: the monitor stops polling it. */
export const TERMINAL_PIPELINE_STATUSES: ReadonlySet<PipelineRunStatus> = new Set([
  'succeeded',
  'failed',
  'cancelled',
]);

/**
 * The trigger key of a drift-started pipeline run: the model and the cooldown window (epoch
 * aligned) the alert fell in. Exported for the tests, which compute the window they expect.
 */
export function driftTriggerKey(model: string, cooldownMs: number, at: number): string {
  const window = cooldownMs > 0 ? Math.floor(at / cooldownMs) : at;
  return `drift:${model}:${cooldownMs}:${window}`;
}
