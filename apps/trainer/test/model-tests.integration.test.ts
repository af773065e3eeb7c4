import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCounts, type BehaviouralTestInput, type Run } from '@mlops/contracts';
import type { RegistryClient } from '@mlops/client';
import { initBackend } from '@mlops/ml/backend';
import type { createTrainerWorker } from '../src/worker';
import { blobRows } from './data';
// The real registry and the real worker: the tests travel run → version → gate.
import { startRegistry, startWorker, toCsv, waitForRun, type Harness } from './registry-harness';

const finished = (run: Run) => run.status === 'completed' || run.status === 'failed';
const MODEL = 'gated-blobs';

let h: Harness;
let client: RegistryClient;
let worker: ReturnType<typeof createTrainerWorker>;

beforeAll(async () => {
  await initBackend('cpu');
  h = await startRegistry();
  client = h.client;
  worker = startWorker(h, 'trainer-it');
  await client.uploadDataset('blobs', toCsv(blobRows(240)), { format: 'csv' });
  await client.api.policies.set.mutate({
    model: MODEL,
    metric: 'accuracy',
    greaterIsBetter: true,
    threshold: 0.5,
    requireModelTests: true,
    minBaselineLift: -0.05,
  });
});

afterAll(async () => {
  await worker?.close();
  await h?.close();
});

/** Train a version with these behavioural tests; calibration is not what these tests are about. */
async function train(behavioural: BehaviouralTestInput[]): Promise<number> {
  const created = await client.api.runs.create.mutate({
    modelName: MODEL,
    dataset: { name: 'blobs' },
    task: 'classification',
    target: 'species',
    hyperparameters: { epochs: 30, learningRate: 0.02 },
    tests: { maxCalibrationError: 0.5, behavioural },
  });
  const run = await waitForRun(client, created.id, finished, 'completion');
  expect(run.error).toBeNull();
  return run.modelVersion!;
}

const refusal = (version: number) =>
  client.api.aliases.set.mutate({ model: MODEL, alias: 'champion', version }).then(
    () => null,
    (err: Error) => err.message,
  );

describe('model tests from a real training run, read by the promotion gate', () => {
  it('a version failing a declared behavioural test is refused, naming the test', async () => {
    const version = await train([
      {
        kind: 'minimum_functionality',
        name: 'versicolor_called_setosa',
        cases: [{ row: { x1: 6, x2: 0, color: 'green', flag: true }, expect: 'setosa' }],
      },
    ]);
    const stored = await client.api.versions.get.query({ model: MODEL, version });
    const tests = stored.modelTests!;
    expect(tests.source.kind).toBe('run');
    expect(tests.results.find((r) => r.name === 'versicolor_called_setosa')?.passed).toBe(false);
    expect(tests.baselines.map((b) => b.name)).toEqual(['majority', 'logistic']);
    const message = await refusal(version);
    expect(message).toContain('versicolor_called_setosa');
    expect(message).toContain('model_tests');
  });

  it('a version whose tests all pass and that matches the logistic baseline is promoted', async () => {
    const version = await train([
      {
        kind: 'minimum_functionality',
        name: 'centres',
        cases: [{ row: { x1: 6, x2: 0, color: 'green', flag: true }, expect: 'versicolor' }],
      },
    ]);
    const stored = await client.api.versions.get.query({ model: MODEL, version });
    expect(testCounts(stored.modelTests!)).toMatchObject({ failed: 0 });
    expect(stored.modelTests!.baselineLift).toBeGreaterThanOrEqual(-0.05);
    expect(await refusal(version)).toBeNull();
    const moved = await client.api.models.get.query({ name: MODEL });
    expect(moved.aliases.champion).toBe(version);
  });

  it('refuses a malformed test file at run creation, naming the field', async () => {
    const err = await client.api.runs.create
      .mutate({
        modelName: MODEL,
        dataset: { name: 'blobs' },
        task: 'classification',
        target: 'species',
        // No delta nor direction: refused by the registry before a job exists.
        tests: { behavioural: [{ kind: 'directional', name: 'x', feature: 'x1' }] } as never,
      })
      .then(
        () => null,
        (e: Error & { data?: { httpStatus?: number } }) => e,
      );
    expect(err?.data?.httpStatus).toBe(400);
    expect(err?.message).toContain('tests.behavioural[0].delta');
  });
});
