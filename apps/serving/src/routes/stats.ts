import type { FastifyInstance } from 'fastify';
import type { MetricValue } from 'prom-client';
import {
  AppError,
  resourceNameSchema,
  type LatencyQuantiles,
  type ServingCounters,
  type ServingStats,
} from '@mlops/contracts';
import type { ServingMetrics } from '../metrics';
import type { ModelSet } from '../models/model-set';
import type { RoutesConfig } from '../routing/routes-config';

export interface StatsDeps {
  models: ModelSet;
  metrics: ServingMetrics;
  routes: RoutesConfig;
}

/** Histograms name each value (`_bucket`, `_sum`, `_count`); prom-client does not export that type. */
type Value = MetricValue<string> & { metricName?: string };
type Values = Value[];

/**
 * Quantile of a cumulative Prometheus histogram, interpolated linearly inside the bucket like
 * PromQL's `histogram_quantile`; in milliseconds. Null when nothing was observed.
 */
export function histogramQuantile(
  buckets: Array<{ le: number; count: number }>,
  q: number,
): number | null {
  const sorted = [...buckets].sort((a, b) => a.le - b.le);
  const total = sorted.at(-1)?.count ?? 0;
  if (total === 0) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of sorted) {
    if (b.count >= rank) {
      // Past the last finite bucket there is no upper edge: answer its lower edge, as Prometheus does.
      if (!Number.isFinite(b.le)) return prevLe * 1000;
      const inBucket = b.count - prevCount;
      const frac = inBucket === 0 ? 1 : (rank - prevCount) / inBucket;
      return (prevLe + (b.le - prevLe) * frac) * 1000;
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe * 1000;
}

function matches(v: Value, model: string, version?: number): boolean {
  return (
    v.labels.model === model && (version === undefined || v.labels.version === String(version))
  );
}

function sum(values: Values, model: string, version?: number): number {
  return values.filter((v) => matches(v, model, version)).reduce((a, v) => a + v.value, 0);
}

/** Buckets of every label set of the model (and version) added up per upper edge. */
function quantiles(values: Values, model: string, version?: number): LatencyQuantiles {
  const byLe = new Map<number, number>();
  let count = 0;
  for (const v of values) {
    if (!matches(v, model, version)) continue;
    if (v.metricName?.endsWith('_bucket')) {
      const le = v.labels.le === '+Inf' ? Infinity : Number(v.labels.le);
      byLe.set(le, (byLe.get(le) ?? 0) + v.value);
    } else if (v.metricName?.endsWith('_count')) count += v.value;
  }
  const buckets = [...byLe].map(([le, c]) => ({ le, count: c }));
  const round = (x: number | null) => (x === null ? null : Math.round(x * 1000) / 1000);
  return {
    p50: round(histogramQuantile(buckets, 0.5)),
    p99: round(histogramQuantile(buckets, 0.99)),
    count,
  };
}

async function snapshot(metrics: ServingMetrics) {
  const [success, failure, rows, batches, queue, compute, canary] = await Promise.all([
    metrics.success.get(),
    metrics.failure.get(),
    metrics.inferenceRows.get(),
    metrics.batches.get(),
    metrics.queueSeconds.get(),
    metrics.computeSeconds.get(),
    metrics.canaryRequests.get(),
  ]);
  return {
    success: success.values,
    failure: failure.values,
    rows: rows.values,
    batches: batches.values,
    queue: queue.values,
    compute: compute.values,
    canary: canary.values,
  };
}

type Snapshot = Awaited<ReturnType<typeof snapshot>>;

function counters(s: Snapshot, model: string, version?: number): ServingCounters {
  return {
    requests: sum(s.success, model, version),
    failures: sum(s.failure, model, version),
    rows: sum(s.rows, model, version),
    batches: sum(s.batches, model, version),
    queueMs: quantiles(s.queue, model, version),
    computeMs: quantiles(s.compute, model, version),
  };
}

/** Read from serving's own prom-client registry: the figures are the ones `/metrics` exports. */
export async function modelStats(deps: StatsDeps, model: string): Promise<ServingStats> {
  const { models, metrics, routes } = deps;
  const slot = models.get(model);
  const route = routes.get(model);
  if (!slot && !route) {
    throw new AppError(
      'NOT_FOUND',
      `serving does not serve a model "${model}": GET /v1/models lists the served ones`,
    );
  }
  const s = await snapshot(metrics);
  const versions = new Set<number>();
  for (const v of [...s.success, ...s.rows, ...s.failure]) {
    const n = Number(v.labels.version);
    if (v.labels.model === model && Number.isInteger(n) && n > 0) versions.add(n);
  }
  const splits =
    route && route.splits.length > 0 ? route.splits : [{ alias: models.alias, weight: 1 }];
  const totalWeight = splits.reduce((a, x) => a + x.weight, 0) || 1;
  return {
    model,
    alias: models.alias,
    servedVersion: slot?.loaded?.version ?? null,
    routes: splits.map((x) => ({
      alias: x.alias,
      weight: x.weight,
      share: x.weight / totalWeight,
      requests: s.canary
        .filter((v) => v.labels.model === model && v.labels.alias === x.alias)
        .reduce((a, v) => a + v.value, 0),
    })),
    canary: Boolean(route && route.splits.length > 0),
    shadow: route?.shadow ?? null,
    total: counters(s, model),
    versions: [...versions]
      .sort((a, b) => a - b)
      .map((version) => ({ version, ...counters(s, model, version) })),
    computedAt: new Date().toISOString(),
  };
}

export function statsRoutes(app: FastifyInstance, deps: StatsDeps): void {
  app.get<{ Params: { name: string } }>('/v1/models/:name/stats', (request) => {
    const name = resourceNameSchema.safeParse(request.params.name);
    if (!name.success) {
      throw new AppError('VALIDATION_FAILED', `"${request.params.name}" is not a model name`, [
        { path: 'model', message: name.error.issues[0]?.message ?? 'not a model name' },
      ]);
    }
    return modelStats(deps, name.data);
  });
}
