import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RegistryClient } from '@mlops/client';
import { parsePipelineText, type PipelineRun } from '@mlops/contracts';
import { readIris, splitHoldout, toCsv } from './iris';
import type { Reporter } from './reporter';
import { runDriftPipelineLap, type DriftPipelineSummary } from './drift-pipeline-lap';
import type { LoopUrls } from './steps';

const DEFINITION = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'pipelines',
  'demo.yaml',
);

export interface PipelineStepSummary {
  id: string;
  uses: string;
  status: string;
  cached: boolean;
  ms: number | null;
}
export interface PipelineDemoSummary {
  pipeline: {
    run: string;
    status: string;
    seconds: number;
    steps: PipelineStepSummary[];
    rerun: { run: string; status: string; seconds: number; steps: PipelineStepSummary[] };
    /** The model version the first run trained and deployed. */
    version: number | null;
    /** The drift lap: the monitor starts pipelines/iris-retrain.yaml through its trigger. */
    drift: DriftPipelineSummary;
  };
}

const steps = (run: PipelineRun): PipelineStepSummary[] =>
  run.steps.map((s) => ({
    id: s.stepId,
    uses: s.uses,
    status: s.status,
    cached: s.cached,
    ms: s.durationMs,
  }));

async function runToEnd(
  client: RegistryClient,
  name: string,
): Promise<{ run: PipelineRun; seconds: number }> {
  const started = performance.now();
  const { id } = await client.api.pipelines.run.mutate({ name });
  for (;;) {
    const run = await client.api.pipelines.getRun.query({ id });
    if (run.status !== 'queued' && run.status !== 'running') {
      return { run, seconds: Math.round((performance.now() - started) / 100) / 10 };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * `npm run demo -- --pipeline`: pipelines/demo.yaml registered and run on the platform's own
 * workers, then run again unchanged — every step but the deploy is served from the cache. Then
 * the drift lap: shifted traffic makes the monitor start pipelines/iris-retrain.yaml.
 */
export async function runPipelineLap(
  client: RegistryClient,
  report: Reporter,
  dataDir: string,
  urls: LoopUrls,
): Promise<{ summary: PipelineDemoSummary; failures: string[]; lines: string[] }> {
  const { train } = splitHoldout(readIris(), 10);
  fs.writeFileSync(path.join(dataDir, 'iris.csv'), toCsv(train));
  const definition = parsePipelineText(fs.readFileSync(DEFINITION, 'utf8'));
  const stored = await report.step(
    `register ${path.relative(process.cwd(), DEFINITION)}`,
    async () => {
      const p = await client.api.pipelines.register.mutate({ definition });
      return { value: p, detail: `${p.name} v${p.version}, ${p.definition.steps.length} steps` };
    },
  );
  const first = await report.step('run it (each step a BullMQ job)', async () => {
    const r = await runToEnd(client, stored.name);
    return { value: r, detail: `${r.run.status} in ${r.seconds} s` };
  });
  const second = await report.step('run it again, unchanged', async () => {
    const r = await runToEnd(client, stored.name);
    const cached = r.run.steps.filter((s) => s.cached).length;
    return {
      value: r,
      detail: `${r.run.status} in ${r.seconds} s, ${cached} steps from the cache`,
    };
  });
  report.info('');
  report.info('drift lap: the world shifts, the monitor starts the retraining pipeline');
  const drift = await runDriftPipelineLap(client, urls, report);
  const version = first.run.steps.find((s) => s.stepId === 'train')?.outputs?.version;
  const summary: PipelineDemoSummary = {
    pipeline: {
      run: first.run.id,
      status: first.run.status,
      seconds: first.seconds,
      steps: steps(first.run),
      rerun: {
        run: second.run.id,
        status: second.run.status,
        seconds: second.seconds,
        steps: steps(second.run),
      },
      version: typeof version === 'number' ? version : null,
      drift: drift.summary,
    },
  };
  const failures: string[] = [...drift.failures];
  for (const [label, r] of [
    ['first', first.run],
    ['second', second.run],
  ] as const) {
    if (r.status !== 'succeeded') failures.push(`the ${label} run ${r.status}: ${r.error ?? ''}`);
  }
  for (const s of second.run.steps) {
    const deploy = s.uses === 'set-alias';
    if (deploy === s.cached) {
      failures.push(`re-run step ${s.stepId} cached=${s.cached} (expected ${!deploy})`);
    }
  }
  const lines = [
    `pipeline ${stored.name}: ${first.run.status} in ${first.seconds} s, re-run ${second.run.status} in ${second.seconds} s (${second.run.steps.filter((s) => s.cached).length}/${second.run.steps.length} steps cached), iris v${summary.pipeline.version ?? '?'}`,
    drift.line,
  ];
  return { summary, failures, lines };
}
