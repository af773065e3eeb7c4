import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelTests } from '@mlops/contracts';
import { sampleModelTests } from '@mlops/contracts/testing';
import { createRegistryClient } from '@mlops/client';
import { startTestRegistry, type TestRegistry } from '@mlops/registry/testing';
// The real registry in this process; the CLI runs as a real child process against it.
import { manifestWith } from '@mlops/registry/testing';
import { cliRunner } from '@mlops/cli/testing';

const TOKEN = 'cli-tests-token-0123456789abcdef';
let dir: string;
let registry: TestRegistry;

const mlops = cliRunner({ registryUrl: () => registry.url, cwd: () => dir, token: TOKEN });

const tests = sampleModelTests();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-tests-'));
  registry = await startTestRegistry({ token: TOKEN, name: 'cli-tests' });
  // A version registered by a run that completed with model tests (the admin holds `train`).
  const client = createRegistryClient({ url: registry.url, token: TOKEN });
  await client.uploadDataset(
    'iris',
    'sepal_length,species\n5.1,setosa\n6.2,versicolor\n7.1,virginica\n',
    {
      format: 'csv',
    },
  );
  const blob = await client.uploadBlob(Buffer.from('{"modelTopology":{}}'));
  const run = await client.api.runs.create.mutate({
    modelName: 'iris',
    dataset: { name: 'iris' },
    task: 'classification',
    target: 'species',
  });
  await client.api.runs.start.mutate({ id: run.id, backend: 'cpu' });
  const v = await client.api.versions.create.mutate({
    model: 'iris',
    manifest: manifestWith(blob),
    runId: run.id,
  });
  await client.api.runs.complete.mutate({
    id: run.id,
    metrics: { accuracy: 0.93 },
    version: v.version,
    modelTests: tests,
  });
});

afterAll(async () => {
  await registry?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('mlops and model tests', () => {
  it('`mlops versions` shows tests passed/failed, baseline lift, ECE and the worst slice', async () => {
    const { code, stdout, stderr } = await mlops(['versions', 'iris']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('2 passed, 1 failed (island_invariant)');
    expect(stdout).toContain('-0.020 vs logistic');
    expect(stdout).toContain('0.042');
    expect(stdout).toContain('island=Dream 0.750 (12 rows) !');
    const json = JSON.parse((await mlops(['versions', 'iris', '--json'])).stdout) as Array<{
      modelTests: ModelTests;
    }>;
    expect(json[0]?.modelTests.baselineLift).toBe(-0.02);
  });

  it('`mlops train --tests` refuses a bad tests file before queuing, naming the field', async () => {
    const file = path.join(dir, 'tests.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ behavioural: [{ kind: 'invariance', name: 'x', feature: 'island' }] }),
    );
    const { code, stderr } = await mlops([
      'train',
      '--dataset',
      'iris',
      '--target',
      'species',
      '--model',
      'iris',
      '--tests',
      file,
      '--no-wait',
    ]);
    expect(code).not.toBe(0);
    expect(stderr).toContain('is not a valid tests file');
    expect(stderr).toContain('tests.behavioural');
    const runs = JSON.parse((await mlops(['runs', '--json'])).stdout) as unknown[];
    expect(runs).toHaveLength(1);
  });

  it('`mlops train --tests` sends the file with the run spec', async () => {
    const file = path.join(dir, 'good.json');
    const declared = {
      behavioural: [
        { kind: 'invariance', name: 'x_irrelevant', feature: 'sepal_length', values: [1, 2] },
      ],
    };
    fs.writeFileSync(file, JSON.stringify(declared));
    const { code, stdout } = await mlops([
      'train',
      '--dataset',
      'iris',
      '--target',
      'species',
      '--model',
      'iris',
      '--tests',
      file,
      '--no-wait',
      '--json',
    ]);
    expect(code).toBe(0);
    const run = JSON.parse(stdout) as { spec: { tests: { behavioural: Array<{ name: string }> } } };
    expect(run.spec.tests.behavioural[0]).toMatchObject({ name: 'x_irrelevant', minPassRate: 1 });
  });
});
