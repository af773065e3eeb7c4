import type { ServingStats } from '@mlops/contracts';

/** Two polls of serving's cumulative counters: the difference over the time between them. */
export interface ServingRates {
  requestsPerSecond: number;
  rowsPerSecond: number;
  /** Rows per batched predict call between the polls (Triton inference / execution count). */
  batchSize: number | null;
}

function seconds(a: ServingStats, b: ServingStats): number {
  return (Date.parse(b.computedAt) - Date.parse(a.computedAt)) / 1000;
}

/**
 * Rates between two snapshots. Null when they cannot be compared: first poll, no time between
 * them, or counters that went down (serving restarted).
 */
export function ratesBetween(prev: ServingStats | null, next: ServingStats): ServingRates | null {
  if (!prev || prev.model !== next.model) return null;
  const dt = seconds(prev, next);
  const requests = next.total.requests - prev.total.requests;
  const rows = next.total.rows - prev.total.rows;
  const batches = next.total.batches - prev.total.batches;
  if (!(dt > 0) || requests < 0 || rows < 0 || batches < 0) return null;
  return {
    requestsPerSecond: requests / dt,
    rowsPerSecond: rows / dt,
    batchSize: batches > 0 ? rows / batches : null,
  };
}

/** Mean batch size since serving started. */
export function meanBatchSize(stats: ServingStats): number | null {
  return stats.total.batches > 0 ? stats.total.rows / stats.total.batches : null;
}
