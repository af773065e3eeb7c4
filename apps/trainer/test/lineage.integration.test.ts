import fs from 'node:fs';
import path from 'node:path';
import { vi, afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePipelineText, type LineageGraph, type PipelineRun } from '@mlops/contracts';
import { createLogger } from '@mlops/config';
import { initBackend } from '@mlops/ml/backend';
import { createPipelineWorker } from '../src/pipelines/worker';
import { blobRows } from './data';
import { startRegistry, startWorker, toCsv, type Harness } from './registry-harness';

// Lineage from real steps: the worker's ingest, train and set-alias steps name themselves to the
// registry, which records them; lineage.get then walks the chain both ways.
const loop = parsePipelineText(`
name: lineage-loop
steps:
  - id: ingest
    uses: ingest
    with: { dataset: lin-blobs, path: blobs.csv }
  - id: train
    uses: train
    with:
      modelName: lin-model
      dataset: { name: lin-blobs, version: "\${{ steps.ingest.outputs.version }}" }
      task: classification
      target: species
      backend: cpu
      hyperparameters: { epochs: 3 }
  - id: deploy
    uses: set-alias
    with: { model: lin-model, version: "\${{ steps.train.outputs.version }}", alias: champion }
`);

let h: Harness;
let trainer: ReturnType<typeof startWorker>;
let pipelines: ReturnType<typeof createPipelineWorker>;

beforeAll(async () => {
  await initBackend('cpu');
  h = await startRegistry();
  fs.writeFileSync(path.join(h.dir, 'blobs.csv'), toCsv(blobRows(90)));
  trainer = startWorker(h, 'lineage-it');
  pipelines = createPipelineWorker({
    connection: h.redis,
    redisPrefix: h.prefix,
    client: h.client,
    logger: createLogger('lineage-it', 'silent'),
    dataDir: h.dir,
  });
});
afterAll(async () => {
  await pipelines?.close();
  await trainer?.close();
  await h?.close();
});

function finished(id: string): Promise<PipelineRun> {
  return vi.waitFor(
    async () => {
      const run = await h.client.api.pipelines.getRun.query({ id });
      if (run.status === 'queued' || run.status === 'running') throw new Error(run.status);
      return run;
    },
    { timeout: 120_000, interval: 100 },
  );
}

describe('lineage of a pipeline run on the real worker', () => {
  it('knows which step made the dataset version, the run, the version and the alias move', async () => {
    await h.client.api.pipelines.register.mutate({ definition: loop });
    const first = await finished(
      (await h.client.api.pipelines.run.mutate({ name: 'lineage-loop' })).id,
    );
    expect(first.status).toBe('succeeded');
    const runId = first.steps.find((s) => s.stepId === 'train')?.outputs?.runId;
    expect(typeof runId).toBe('string');

    const g: LineageGraph = await h.client.api.lineage.get.query({
      uri: 'models:/lin-model@champion',
    });
    const producer = (id: string) => g.nodes.find((n) => n.id === id)?.producedBy;
    const step = (stepId: string) => ({
      pipelineRunId: first.id,
      stepId,
      pipeline: 'lineage-loop',
      uses: stepId === 'deploy' ? 'set-alias' : stepId,
      trigger: 'manual',
    });
    expect(g.root).toBe('model-version:lin-model/1');
    expect(producer('dataset-version:lin-blobs@1')).toEqual(step('ingest'));
    expect(producer(`training-run:${runId as string}`)).toEqual(step('train'));
    expect(producer('model-version:lin-model/1')).toEqual(step('train'));
    const move = g.nodes.find((n) => n.kind === 'alias-move');
    expect(move?.label).toBe('lin-model@champion unset → v1');
    expect(move?.producedBy).toEqual(step('deploy'));

    // A re-run comes from the cache and makes nothing: the artifacts keep their first producer.
    const again = await finished(
      (await h.client.api.pipelines.run.mutate({ name: 'lineage-loop' })).id,
    );
    expect(again.status).toBe('succeeded');
    const byAgain = await h.client.api.lineage.get.query({ uri: again.id });
    expect(byAgain.edges.filter((e) => e.relation === 'produced')).toEqual([]);
    const byFirst = await h.client.api.lineage.get.query({ uri: first.id, depth: 1 });
    expect(byFirst.edges.filter((e) => e.relation === 'produced').map((e) => e.to)).toEqual(
      expect.arrayContaining([
        'dataset-version:lin-blobs@1',
        `training-run:${runId as string}`,
        'model-version:lin-model/1',
      ]),
    );
  }, 200_000);
});
