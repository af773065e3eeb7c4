import fs from 'node:fs';
import path from 'node:path';
import { vi, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePipelineText, type PipelineRun } from '@mlops/contracts';
import type { RegistryClient } from '@mlops/client';
import { createLogger } from '@mlops/config';
import { initBackend } from '@mlops/ml/backend';
import { createTrainerMetrics } from '../src/metrics';
import { createTrainerWorker } from '../src/worker';
import { createPipelineWorker } from '../src/pipelines/worker';
import { createEvaluateWorker } from '../src/evaluation/worker';
import { blobRows } from './data';
import { startRegistry, toCsv, type Harness } from './registry-harness';

// The whole loop as a pipeline, on the real registry and BullMQ: both workers in-process.
const loop = parsePipelineText(`
name: blobs-loop
parameters:
  epochs: { type: integer, default: 8, min: 1 }
  minAccuracy: { type: number, default: 0.5 }
steps:
  - id: ingest
    uses: ingest
    with: { dataset: blobs, path: blobs.csv }
  - id: validate
    uses: validate
    with: { dataset: "\${{ steps.ingest.outputs.dataset }}", version: "\${{ steps.ingest.outputs.version }}" }
  - id: train
    uses: train
    dependsOn: [validate]
    with:
      modelName: blobs-model
      dataset: { name: blobs, version: "\${{ steps.ingest.outputs.version }}" }
      task: classification
      target: species
      backend: cpu
      hyperparameters: { epochs: "\${{ params.epochs }}", learningRate: 0.02 }
  - id: evaluate
    uses: evaluate
    with: { model: blobs-model, version: "\${{ steps.train.outputs.version }}", dataset: blobs }
  - id: gate
    uses: gate
    with: { model: blobs-model, version: "\${{ steps.train.outputs.version }}" }
  - id: deploy
    uses: set-alias
    with: { model: blobs-model, version: "\${{ steps.train.outputs.version }}", alias: champion }
    when:
      - { left: "\${{ steps.gate.outputs.passed }}", op: eq, right: true }
      - { left: "\${{ steps.evaluate.outputs.metrics.accuracy }}", op: gte, right: "\${{ params.minAccuracy }}" }
`);

let h: Harness;
let client: RegistryClient;
let trainer: ReturnType<typeof createTrainerWorker>;
let pipelines: ReturnType<typeof createPipelineWorker>;
let evaluator: ReturnType<typeof createEvaluateWorker>;
const logger = createLogger('pipeline-it', 'silent');

beforeAll(async () => {
  await initBackend('cpu');
  h = await startRegistry();
  client = h.client;
  fs.writeFileSync(path.join(h.dir, 'blobs.csv'), toCsv(blobRows(150)));
  trainer = createTrainerWorker({
    connection: h.redis,
    redisPrefix: h.prefix,
    registry: client,
    backend: 'cpu',
    logger,
    metrics: createTrainerMetrics(),
    progressIntervalMs: 0,
  });
  evaluator = createEvaluateWorker({
    connection: h.redis,
    redisPrefix: h.prefix,
    registry: client,
    backend: 'cpu',
    logger,
  });
  pipelines = createPipelineWorker({
    connection: h.redis,
    redisPrefix: h.prefix,
    client,
    logger,
    dataDir: h.dir,
  });
});

afterAll(async () => {
  await pipelines?.close();
  await trainer?.close();
  await evaluator?.close();
  await h?.close();
});

async function finished(id: string): Promise<PipelineRun> {
  return vi.waitFor(
    async () => {
      const run = await client.api.pipelines.getRun.query({ id });
      if (run.status === 'queued' || run.status === 'running') {
        throw new Error(`run ${run.status}: ${JSON.stringify(summary(run))}`);
      }
      return run;
    },
    { timeout: 120_000, interval: 100 },
  );
}
const summary = (run: PipelineRun) => run.steps.map((s) => [s.stepId, s.status, s.cached]);

describe('pipelines on BullMQ against the real registry', () => {
  it('runs the loop, then serves an unchanged re-run from the cache except the deploy', async () => {
    await client.api.pipelines.register.mutate({ definition: loop });
    const first = await finished(
      (await client.api.pipelines.run.mutate({ name: 'blobs-loop' })).id,
    );
    expect(first.error).toBeNull();
    expect(summary(first)).toEqual([
      ['ingest', 'succeeded', false],
      ['validate', 'succeeded', false],
      ['train', 'succeeded', false],
      ['evaluate', 'succeeded', false],
      ['gate', 'succeeded', false],
      ['deploy', 'succeeded', false],
    ]);
    const version = first.steps.find((s) => s.stepId === 'train')?.outputs?.version;
    expect(version).toBe(1);
    expect(first.steps.every((s) => s.attempts === 1)).toBe(true);
    const champion = await client.api.versions.resolve.query({
      model: 'blobs-model',
      alias: 'champion',
    });
    expect(champion.version).toBe(1);

    const again = await finished(
      (await client.api.pipelines.run.mutate({ name: 'blobs-loop' })).id,
    );
    expect(summary(again)).toEqual([
      ['ingest', 'succeeded', true],
      ['validate', 'succeeded', true],
      ['train', 'succeeded', true],
      ['evaluate', 'succeeded', true],
      ['gate', 'succeeded', true],
      ['deploy', 'succeeded', false],
    ]);
    expect(again.steps.find((s) => s.stepId === 'train')?.outputs?.version).toBe(1);
    expect((await client.api.runs.list.query({ model: 'blobs-model', limit: 10 })).length).toBe(1);

    // A changed parameter misses the train step's cache: a second version is trained.
    const changed = await finished(
      (await client.api.pipelines.run.mutate({ name: 'blobs-loop', parameters: { epochs: 9 } })).id,
    );
    expect(summary(changed).slice(0, 3)).toEqual([
      ['ingest', 'succeeded', true],
      ['validate', 'succeeded', true],
      ['train', 'succeeded', false],
    ]);
  }, 200_000);

  it('skips a step whose condition is false and everything below it; fails bad inputs once', async () => {
    const def = parsePipelineText(`
name: echo
parameters: { go: { type: boolean, default: false } }
steps:
  - { id: a, uses: custom/echo, with: { go: "\${{ params.go }}" } }
  - id: b
    uses: custom/echo
    with: { v: "\${{ steps.a.outputs.go }}" }
    when: { left: "\${{ steps.a.outputs.go }}", op: eq, right: true }
  - { id: c, uses: custom/echo, dependsOn: [b] }
  - { id: bad, uses: custom/sleep, retries: 3, with: { ms: -1 }, dependsOn: [a] }
`);
    await client.api.pipelines.register.mutate({ definition: def });
    const run = await finished((await client.api.pipelines.run.mutate({ name: 'echo' })).id);
    expect(run.status).toBe('failed');
    const by = Object.fromEntries(run.steps.map((s) => [s.stepId, s]));
    expect(by.a?.outputs).toEqual({ go: false });
    expect(by.bad).toMatchObject({ status: 'failed', attempts: 1 });
    expect(by.bad?.error).toMatch(/with\.ms/);
    expect(['skipped', 'cancelled']).toContain(by.b?.status);
  }, 60_000);
});
