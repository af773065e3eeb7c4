/**
 * When a supervised service dies, how long to wait before starting it again and when to stop
 * trying. Pure bookkeeping, so the supervisor only spawns and logs.
 */
export interface RestartPolicy {
  /** Delay before the first restart; it doubles with every crash in a row, up to `maxDelayMs`. */
  initialDelayMs: number;
  maxDelayMs: number;
  /** A service that stayed up this long was healthy: its next crash starts over at the first delay. */
  stableAfterMs: number;
  /** Crashes in a row, each within `stableAfterMs` of starting, after which the supervisor gives up. */
  maxFastCrashes: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  initialDelayMs: 1_000,
  maxDelayMs: 30_000,
  stableAfterMs: 60_000,
  maxFastCrashes: 5,
};

export type RestartDecision =
  | { action: 'restart'; delayMs: number; fastCrashes: number }
  | { action: 'give-up'; fastCrashes: number };

/** What to do after a crash, given how long the process was up and the crashes before it. */
export function decideRestart(
  policy: RestartPolicy,
  previousFastCrashes: number,
  uptimeMs: number,
): RestartDecision {
  const fastCrashes = uptimeMs >= policy.stableAfterMs ? 1 : previousFastCrashes + 1;
  if (fastCrashes > policy.maxFastCrashes) return { action: 'give-up', fastCrashes };
  const delayMs = Math.min(policy.initialDelayMs * 2 ** (fastCrashes - 1), policy.maxDelayMs);
  return { action: 'restart', delayMs, fastCrashes };
}

/** "1 s", "1.5 s", "30 s": delays as a person reads them. */
export function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
