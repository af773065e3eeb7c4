import type { RegistryClient } from '@mlops/client';
import { predictResponseSchema } from '@mlops/contracts';
import { quantile } from '@mlops/ml/stats';
import { round } from '../lib/stats';
import { features, readIris, shift, splitHoldout, toCsv, type IrisRow } from './iris';
import { readIrisTests, summarizeTests, type TestsSummary } from './model-tests';
import type { Reporter } from './reporter';
import {
  bearer,
  describeDrift,
  driftOfLast,
  servedRuntime,
  waitForRun,
  waitForServing,
  type LoopUrls,
} from './steps';

export type { LoopUrls } from './steps';

export interface DemoSummary extends TestsSummary {
  dataset: { name: string; version: number; hash: string; rows: number };
  run: {
    id: string;
    backend: string | null;
    epochs: number | null;
    metrics: Record<string, number>;
  };
  model: { name: string; version: number };
  alias: string;
  holdout: { rows: number; accuracy: number };
  /** runtime: the engine serving answered with (`onnx` or `tfjs`). */
  serving: { predictions: number; p50_ms: number; p99_ms: number; runtime: string | null };
  drift: { heldout: boolean; shifted: boolean; shifted_columns: string[] };
  /** The shifted rows, labelled, ingested as a new version: what validation found against v1. */
  validation: {
    dataset: string;
    version: number;
    against: number | null;
    anomalies: Array<{ kind: string; severity: string; column: string | null }>;
  };
}

/**
 * Name of the dataset the shifted rows are ingested under (v1 the training rows, v2 the shifted
 * rows with their labels). Not `iris`: the retraining lap trains on the latest `iris` version.
 */
const SHIFTED_DATASET = 'iris-shifted';

const MODEL = 'iris';
const ALIAS = 'champion';

/** The whole loop, step by step, against running services. Throws on the first failing step. */
export async function runLoop(
  client: RegistryClient,
  urls: LoopUrls,
  report: Reporter,
): Promise<DemoSummary> {
  const { train, holdout } = splitHoldout(readIris(), 10);

  const dataset = await report.step(
    `ingest ${train.length} Iris rows (${holdout.length} held out)`,
    async () => {
      const version = await client.uploadDataset('iris', toCsv(train), { format: 'csv' });
      return {
        value: version,
        detail: `iris v${version.version} sha256 ${version.hash.slice(0, 12)}…`,
      };
    },
  );

  const run = await report.step('train (BullMQ job → TF.js worker)', async () => {
    const created = await client.api.runs.create.mutate({
      modelName: MODEL,
      dataset: { name: dataset.name, version: dataset.version },
      task: 'classification',
      target: 'species',
      preset: 'mlp-small',
      hyperparameters: {
        epochs: 150,
        batchSize: 16,
        learningRate: 0.01,
        earlyStoppingPatience: 15,
      },
      seed: 42,
      // Declared behavioural tests, run by the trainer with the platform's own model tests.
      tests: readIrisTests(),
    });
    const done = await waitForRun(client, created.id, report);
    if (done.status !== 'completed' || done.modelVersion === null) {
      throw new Error(`run ${done.id} ended ${done.status}: ${done.error ?? 'no error recorded'}`);
    }
    const acc = done.metrics.accuracy;
    return {
      value: done,
      detail: `run ${done.id} → ${MODEL} v${done.modelVersion} on ${done.backend ?? '?'}, test accuracy ${acc === undefined ? '?' : round(acc)}`,
    };
  });
  const version = run.modelVersion!;

  const tested = await report.step('model tests on the held-out split', async () => {
    const v = await client.api.versions.get.query({ model: MODEL, version });
    const t = summarizeTests(v.modelTests);
    return {
      value: t,
      detail: `${t.tests.passed} passed, ${t.tests.failed} failed${t.tests.failed ? ` (${t.tests.failed_names.join(', ')})` : ''}; lift ${t.baseline.lift ?? '?'} ${t.baseline.metric ?? ''} over ${t.baseline.against ?? 'no baseline'}`,
    };
  });

  await report.step(`promote ${MODEL} v${version} to "${ALIAS}"`, async () => {
    await client.api.aliases.set.mutate({ model: MODEL, version, alias: ALIAS });
    return { value: undefined, detail: 'alias.moved published' };
  });

  const runtime = await report.step('wait for serving to load it', async () => {
    await waitForServing(urls, MODEL, version);
    const engine = await servedRuntime(urls, MODEL);
    return {
      value: engine,
      detail: `${urls.serving}/v1/models/${MODEL}:predict on ${engine ?? '?'}`,
    };
  });

  const heldoutStart = new Date().toISOString();
  const served = await report.step(
    `predict the ${holdout.length} held-out rows over HTTP`,
    async () => {
      const result = await predictEach(urls, holdout);
      const accuracy = result.correct / holdout.length;
      return {
        value: { ...result, accuracy },
        detail: `accuracy ${round(accuracy)}, p50 ${round(quantile(result.latencies, 0.5), 2)} ms, p99 ${round(quantile(result.latencies, 0.99), 2)} ms`,
      };
    },
  );

  const heldoutDrift = await report.step('drift report on held-out traffic', async () => {
    const drift = await driftOfLast(urls, MODEL, holdout.length, heldoutStart);
    return { value: drift, detail: describeDrift(drift) };
  });

  const shifted = [...holdout, ...train.slice(0, 30)].map(shift);
  const shiftStart = new Date().toISOString();
  const shiftedDrift = await report.step(
    `send ${shifted.length} shifted rows and ask again`,
    async () => {
      const more = await predictEach(urls, shifted);
      served.latencies.push(...more.latencies);
      const drift = await driftOfLast(urls, MODEL, shifted.length, shiftStart);
      return { value: drift, detail: describeDrift(drift) };
    },
  );

  const validation = await report.step(
    `ingest the ${shifted.length} shifted rows, labelled, as a new version: validation`,
    async () => {
      await client.uploadDataset(SHIFTED_DATASET, toCsv(train), { format: 'csv' });
      const next = await client.uploadDataset(SHIFTED_DATASET, toCsv(shifted), { format: 'csv' });
      const anomalies = next.validation?.anomalies ?? [];
      return {
        value: {
          version: next.version,
          against: next.validation?.against?.version ?? null,
          anomalies,
        },
        detail: `${SHIFTED_DATASET} v${next.version}: ${anomalies.map((a) => `${a.kind}${a.column ? ` ${a.column}` : ''}`).join(', ') || 'no anomaly'}`,
      };
    },
  );

  return {
    dataset: {
      name: dataset.name,
      version: dataset.version,
      hash: dataset.hash,
      rows: dataset.rowCount,
    },
    run: {
      id: run.id,
      backend: run.backend,
      epochs: run.progress?.epoch ?? null,
      metrics: run.metrics,
    },
    model: { name: MODEL, version },
    ...tested,
    alias: ALIAS,
    holdout: { rows: holdout.length, accuracy: round(served.accuracy, 4) },
    serving: {
      predictions: served.latencies.length,
      p50_ms: round(quantile(served.latencies, 0.5), 2),
      p99_ms: round(quantile(served.latencies, 0.99), 2),
      runtime,
    },
    drift: {
      heldout: heldoutDrift.datasetDrift,
      shifted: shiftedDrift.datasetDrift,
      shifted_columns: shiftedDrift.driftedColumns,
    },
    validation: {
      dataset: SHIFTED_DATASET,
      version: validation.version,
      against: validation.against,
      anomalies: validation.anomalies.map((a) => ({
        kind: a.kind,
        severity: a.severity,
        column: a.column,
      })),
    },
  };
}

/** One request per row, one after another: the latency a single client sees. */
async function predictEach(urls: LoopUrls, rows: readonly IrisRow[]) {
  const latencies: number[] = [];
  let correct = 0;
  for (const row of rows) {
    const started = performance.now();
    const res = await fetch(`${urls.serving}/v1/models/${MODEL}:predict?format=platform`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(urls) },
      body: JSON.stringify({ instances: [features(row)] }),
    });
    const text = await res.text();
    latencies.push(performance.now() - started);
    if (!res.ok) throw new Error(`predict answered ${res.status}: ${text}`);
    const body = predictResponseSchema.parse(JSON.parse(text));
    const prediction = body.predictions[0];
    if (prediction && 'label' in prediction && prediction.label === row.species) correct++;
  }
  return { latencies, correct };
}
