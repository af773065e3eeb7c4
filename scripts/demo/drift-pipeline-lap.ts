import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RegistryClient } from '@mlops/client';
import {
  driftReportSchema,
  monitorHistorySchema,
  parsePipelineText,
  type JsonValue,
  type PipelineRun,
  type RetrainRecord,
} from '@mlops/contracts';
import { waitFor } from '../lib/wait';
import { readIris, shift, splitHoldout } from './iris';
import type { Reporter } from './reporter';
import { predictBatch, sendFeedback, trpcQuery } from './retrain';
import { bearer, type LoopUrls } from './steps';

const MODEL = 'iris';
export const RETRAIN_PIPELINE = 'iris-retrain';
const DEFINITION = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'pipelines',
  `${RETRAIN_PIPELINE}.yaml`,
);

/** The monitor's settings for this lap: drift starts the pipeline, one run per 10 minutes. */
export const DRIFT_PIPELINE_MONITOR_ENV = {
  MONITOR_RETRAIN_ON: 'drift',
  MONITOR_RETRAIN_COOLDOWN_MS: '600000',
  MONITOR_RETRAIN_POLICIES: JSON.stringify({
    [MODEL]: { pipeline: RETRAIN_PIPELINE, pipelineParams: { epochs: 60 } },
  }),
};

export interface DriftPipelineSummary {
  run: string;
  status: string;
  trigger: { kind: string; key: string | null };
  gate: {
    passed: boolean;
    metric: string | null;
    candidate: number | null;
    baseline: number | null;
  };
  promoted: boolean;
  version: number | null;
  /** The data the monitor prepared and passed as `datasetVersion`: the dataset plus feedback. */
  dataset: { name: string; version: number } | null;
  feedback_rows: number;
  /** Drift reports that flagged drift while retraining was on: each one an alert. */
  alerts: number;
  /** Runs of the pipeline the monitor started in this cooldown window (expected: 1). */
  runs_in_window: number;
  /** Retraining records the monitor keeps for the model (expected: 1). */
  retrainings: number;
  /** Wall time of the lap, registering the pipeline to the run's end. */
  seconds: number;
}

const num = (v: JsonValue | undefined): number | null => (typeof v === 'number' ? v : null);

/**
 * The drift lap of `--pipeline`: the monitor's retraining policy names pipelines/iris-retrain.yaml.
 * Shifted traffic is served and labeled, retraining is switched on, and every drift report from
 * then on is an alert: the first starts the pipeline (trigger kind `drift`, keyed by the cooldown
 * window), the next one starts nothing. The pipeline's gate decides whether its deploy runs.
 */
export async function runDriftPipelineLap(
  client: RegistryClient,
  urls: LoopUrls,
  report: Reporter,
): Promise<{ summary: DriftPipelineSummary; failures: string[]; line: string }> {
  const started = performance.now();
  const definition = parsePipelineText(fs.readFileSync(DEFINITION, 'utf8'));
  await report.step(`register ${path.relative(process.cwd(), DEFINITION)}`, async () => {
    const p = await client.api.pipelines.register.mutate({ definition });
    return { value: p, detail: `${p.name} v${p.version}: train → gate → set-alias if it passes` };
  });
  await report.step('guard "champion" with a promotion policy (accuracy ≥ 0.8)', async () => {
    const p = await client.api.policies.set.mutate({
      model: MODEL,
      alias: 'champion',
      metric: 'accuracy',
      greaterIsBetter: true,
      threshold: 0.8,
    });
    return { value: p, detail: 'the gate step asks it before the deploy' };
  });

  const traffic = splitHoldout(readIris(), 10).train.map(shift);
  const served = await report.step(`serve ${traffic.length} rows of shifted traffic`, async () => {
    const r = await predictBatch(urls, traffic);
    return { value: r, detail: `answered by v${r.version}` };
  });
  await report.step('send their ground truth to the monitor', async () => {
    const body = await sendFeedback(urls, served.ids, traffic);
    return { value: undefined, detail: `${body.accepted} labels` };
  });
  // Off until a person says so: switched on only now, so drift alerts before it start nothing.
  await report.step('switch automatic retraining of iris on', async () => {
    const res = await fetch(`${urls.monitor}/v1/models/${MODEL}/retraining`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...bearer(urls) },
      body: JSON.stringify({ enabled: true, reason: 'demo: drift starts iris-retrain' }),
    });
    if (!res.ok) throw new Error(`enabling retraining answered ${res.status}: ${await res.text()}`);
    return { value: undefined, detail: `policy: pipeline ${RETRAIN_PIPELINE}` };
  });

  let alerts = 0;
  const driftReport = async () => {
    const res = await fetch(`${urls.monitor}/v1/drift/${MODEL}?window=${traffic.length}`, {
      headers: bearer(urls),
    });
    if (!res.ok) return undefined;
    const r = driftReportSchema.parse(await res.json());
    if (r.window.rows !== traffic.length || r.insufficientData) return undefined;
    if (r.datasetDrift) alerts++;
    return r;
  };
  const record = await report.step('drift alert → the monitor starts the pipeline', async () => {
    const rec = await waitFor('a drift-started pipeline run', async () => {
      await driftReport();
      const latest = (await history(urls))[0];
      return latest?.pipelineRunId ? latest : undefined;
    });
    return { value: rec, detail: `run ${rec.pipelineRunId ?? '?'} on "${rec.reason}"` };
  });
  const runId = record.pipelineRunId!;
  const windowed = await report.step('a second alert in the same window', async () => {
    const before = alerts;
    await waitFor('another drift report that flags drift', async () =>
      (await driftReport())?.datasetDrift && alerts > before ? true : undefined,
    );
    const runs = await client.api.pipelines.runs.query({ pipeline: RETRAIN_PIPELINE });
    const drift = runs.filter((r) => r.trigger.kind === 'drift');
    return { value: drift, detail: `${drift.length} run(s) of ${RETRAIN_PIPELINE}, none new` };
  });

  const run = await report.step('the run: train → gate → deploy', async () => {
    const r = await waitFor(
      `pipeline run ${runId} to end`,
      async () => {
        const got = await client.api.pipelines.getRun.query({ id: runId });
        return got.status === 'queued' || got.status === 'running' ? undefined : got;
      },
      { timeoutMs: 240_000, intervalMs: 300 },
    );
    return { value: r, detail: describeRun(r) };
  });
  const out = (id: string) => run.steps.find((s) => s.stepId === id);
  const gate = out('gate')?.outputs ?? {};
  const deploy = out('deploy');
  const summary: DriftPipelineSummary = {
    run: run.id,
    status: run.status,
    trigger: { kind: run.trigger.kind, key: run.trigger.key ?? null },
    gate: {
      passed: gate.passed === true,
      metric: typeof gate.metric === 'string' ? gate.metric : null,
      candidate: num(gate.candidate),
      baseline: num(gate.baseline),
    },
    promoted: deploy?.status === 'succeeded',
    version: num(out('train')?.outputs?.version),
    dataset: record.dataset,
    feedback_rows: record.feedbackRows,
    alerts,
    runs_in_window: windowed.filter((r) => r.trigger.key === run.trigger.key).length,
    retrainings: (await history(urls)).length,
    seconds: Math.round((performance.now() - started) / 100) / 10,
  };
  const failures: string[] = [];
  if (run.status !== 'succeeded') failures.push(`the drift run ${run.status}: ${run.error ?? ''}`);
  if (summary.trigger.kind !== 'drift' || !summary.trigger.key)
    failures.push(`the run's trigger is ${JSON.stringify(summary.trigger)}, not drift with a key`);
  if (summary.alerts < 2) failures.push(`only ${summary.alerts} drift alert(s) while retraining`);
  if (windowed.length !== 1 || summary.runs_in_window !== 1)
    failures.push(`${windowed.length} drift-started runs in one window (expected 1)`);
  if (
    summary.feedback_rows !== traffic.length ||
    run.parameters.datasetVersion !== record.dataset?.version
  )
    failures.push(
      `the run trained on ${JSON.stringify(run.parameters)}, not the dataset plus ${traffic.length} labels (${summary.feedback_rows} appended)`,
    );
  if (summary.promoted !== summary.gate.passed)
    failures.push(
      `deploy ${deploy?.status ?? '?'} but the gate said passed=${summary.gate.passed}`,
    );
  const line = `drift → ${RETRAIN_PIPELINE} run ${run.status} (key ${summary.trigger.key ?? '?'}; ${summary.alerts} alerts, ${summary.runs_in_window} run): gate ${summary.gate.passed ? 'passed' : 'refused'} → ${summary.promoted ? `champion → v${summary.version ?? '?'}` : 'alias stays'}`;
  return { summary, failures, line };
}

async function history(urls: LoopUrls): Promise<RetrainRecord[]> {
  return (await trpcQuery(urls, 'history', { model: MODEL }, monitorHistorySchema)).retraining;
}

function describeRun(r: PipelineRun): string {
  const steps = r.steps.map((s) => `${s.stepId} ${s.status}`).join(', ');
  return `${r.status} (${steps})`;
}
