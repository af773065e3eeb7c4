import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { externalLineage, type LineageGraph, type PipelineRun } from '@mlops/contracts';
import { createRegistryClient, type RegistryClient } from '@mlops/client';
import { createLogger } from '@mlops/config';
import { manifestWith, startTestRegistry, type TestRegistry } from '@mlops/registry/testing';
// The real pipeline worker of the trainer app, in-process: its ingest and set-alias steps
// record themselves as producers; the test plays the trainer for the one training run.
import { createPipelineWorker } from '@mlops/trainer/pipelines';

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'mlops.js');
const TOKEN = 'cli-lineage-token-0123456789abcdef';
let dir: string;
let registry: TestRegistry;
let redis: Redis;
let client: RegistryClient;
let worker: ReturnType<typeof createPipelineWorker>;

function mlops(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, '--registry-url', registry.url, ...args], {
      cwd: dir,
      env: { ...process.env, MLOPS_TOKEN: TOKEN },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

async function runPipeline(yaml: string, name: string): Promise<PipelineRun> {
  fs.writeFileSync(path.join(dir, `${name}.yaml`), yaml);
  const { stdout, code } = await mlops(['pipeline', 'run', `${name}.yaml`, '--json']);
  expect(code).toBe(0);
  const id = (JSON.parse(stdout) as PipelineRun).id;
  return vi.waitFor(
    async () => {
      const run = await client.api.pipelines.getRun.query({ id });
      if (run.status !== 'succeeded') throw new Error(`${name}: ${run.status} ${run.error ?? ''}`);
      return run;
    },
    { timeout: 60_000, interval: 100 },
  );
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-lineage-'));
  registry = await startTestRegistry({ token: TOKEN, name: 'cli-lineage' });
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
    maxRetriesPerRequest: null,
  });
  client = createRegistryClient({ url: registry.url, token: TOKEN });
  worker = createPipelineWorker({
    connection: redis,
    redisPrefix: registry.prefix,
    client,
    logger: createLogger('cli-lineage', 'silent'),
    dataDir: dir,
  });
  fs.writeFileSync(
    path.join(dir, 'flowers.csv'),
    'sepal_length,species\n5.1,setosa\n6.3,virginica\n5.8,virginica\n4.9,setosa\n',
  );
});

afterAll(async () => {
  await worker?.close();
  await redis?.quit();
  await registry?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('mlops lineage', () => {
  it('prints a model version back to the ingest step and forward to the deploy step', async () => {
    const ingest = await runPipeline(
      `name: cli-ingest
steps:
  - { id: ingest, uses: ingest, with: { dataset: flowers, path: flowers.csv } }
`,
      'cli-ingest',
    );
    // The trainer's part, through the same procedures it calls: a run outside any pipeline.
    const run = await client.api.runs.create.mutate({
      modelName: 'flower-model',
      dataset: { name: 'flowers', version: 1 },
      task: 'classification',
      target: 'species',
    });
    await client.api.runs.start.mutate({ id: run.id, backend: 'cpu' });
    const blob = await client.uploadBlob(Buffer.from('{"modelTopology":{}}'));
    const manifest = { ...manifestWith(blob), lineage: { ...externalLineage(), runId: run.id } };
    await client.api.versions.create.mutate({ model: 'flower-model', manifest, runId: run.id });
    await client.api.runs.complete.mutate({ id: run.id, metrics: { accuracy: 0.75 }, version: 1 });
    const deploy = await runPipeline(
      `name: cli-deploy
steps:
  - { id: deploy, uses: set-alias, with: { model: flower-model, version: 1, alias: champion } }
`,
      'cli-deploy',
    );

    const text = await mlops(['lineage', 'models:/flower-model@champion']);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).toMatch(/^model flower-model v1 .*← not by a pipeline$/);
    expect(lines).toContainEqual(
      expect.stringMatching(`from: training run ${run.id} .*accuracy=0.75`),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        `trained on: dataset flowers v1 \\[rows 4.*← pipeline cli-ingest run ${ingest.id} step ingest \\(manual\\)$`,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        `moved to it: flower-model@champion unset → v1 .*← pipeline cli-deploy run ${deploy.id} step deploy`,
      ),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/alias: flower-model@champion → v1 \[serving follows it by default/),
    );

    const json = await mlops(['lineage', 'flowers@1', '--json', '--depth', '2']);
    expect(json.code).toBe(0);
    const g = JSON.parse(json.stdout) as LineageGraph;
    expect(g.root).toBe('dataset-version:flowers@1');
    expect(g.edges).toContainEqual({
      from: 'dataset-version:flowers@1',
      to: `training-run:${run.id}`,
      relation: 'trained',
    });
  }, 120_000);

  it('names the uri when it is bad and says what was not found', async () => {
    const bad = await mlops(['lineage', 'models:/flower-model/Production']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/uri: .*stages do not exist here/);
    const unknown = await mlops(['lineage', 'flowers@7']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/dataset flowers has no version 7/);
    const depth = await mlops(['lineage', 'flowers@1', '--depth', '0']);
    expect(depth.code).toBe(1);
    expect(depth.stderr).toMatch(/--depth/);
  }, 60_000);
});
