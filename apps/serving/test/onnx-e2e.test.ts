/**
 * An ONNX classifier end to end, real components only: the graph (built with onnx-proto, a
 * dynamic batch dimension) is imported by the CLI (a child process) into a real registry,
 * served over HTTP by serving following the registry's alias events, and answers TF Serving,
 * OIP v2 and MLflow requests with what an in-process ONNX Runtime session computes. Its
 * predictions are logged and compared with the imported profile.json like any version's, and
 * alias moves between ONNX versions and a TF.js version swap with zero failed requests.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  driftPolicySchema,
  mlflowResponseSchema,
  parsePredictionLogMessage,
  redisKeys,
  trainingProfileSchema,
  v2InferResponseSchema,
  type Column,
  type DataRow,
  type ModelVersion,
} from '@mlops/contracts';
import { createRegistryClient, type RegistryClient } from '@mlops/client';
import { startTestRegistry, type TestRegistry } from '@mlops/registry/testing';
import { computeDrift } from '@mlops/ml/drift';
import { createOnnxSession } from '@mlops/ml/onnx';
import { mlpClassifier } from '@mlops/ml/onnx/testing';
import { encodeFeatures } from '@mlops/ml/preprocessing';
import { profileRows } from '@mlops/ml/profile';
import type { ServingApp } from '../src/app';
import { registrySource } from '../src/models/registry-source';
import { eventually, postJson, startApp } from './support/app';
import { hammer, importTfjsClassifier } from './support/onnx';
import { cliRunner } from '@mlops/cli/testing';

const TOKEN = 'onnx-e2e-token-0123456789abcdef';
const MODEL = 'onnx-iris';
const LABELS = ['setosa', 'versicolor', 'virginica'];
const columns: Column[] = [
  { name: 'a', type: 'numeric', nullable: false },
  { name: 'b', type: 'numeric', nullable: true },
  { name: 'colour', type: 'categorical', nullable: false, categories: ['red', 'blue'] },
];

let registry: TestRegistry;
let client: RegistryClient;
let app: ServingApp;
let redis: Redis;
let dir: string;
let v1: ModelVersion;

/** Deterministic rows like the training split the profile describes. */
function rows(n: number, shift = 0): DataRow[] {
  return Array.from({ length: n }, (_, i) => ({
    a: Math.sin(i) * 2 + shift,
    b: i % 7 === 0 ? null : Math.cos(i * 1.3),
    colour: i % 3 === 0 ? 'blue' : 'red',
  }));
}

const mlops = cliRunner({ registryUrl: () => registry.url, cwd: () => dir, token: TOKEN });

/** What an in-process session of the same graph answers for `input` (the reference). */
async function reference(graph: Uint8Array, version: ModelVersion, input: DataRow[]) {
  const session = await createOnnxSession(graph);
  try {
    const prep = version.manifest.preprocessing;
    const out = await session.run({
      features: {
        type: 'float32',
        data: encodeFeatures(prep, input),
        dims: [input.length, prep.inputWidth],
      },
    });
    return Array.from(out.probabilities!.data as Float32Array);
  } finally {
    await session.dispose();
  }
}

function expectClose(actual: readonly number[], expected: readonly number[]): void {
  expect(actual).toHaveLength(expected.length);
  for (const [i, v] of actual.entries()) expect(v).toBeCloseTo(expected[i]!, 6);
}

const servedVersion = () => app.serving.models.get(MODEL)?.loaded?.version;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'onnx-e2e-'));
  registry = await startTestRegistry({ token: TOKEN, name: 'onnx-e2e' });
  client = createRegistryClient({ url: registry.url, token: TOKEN });
  redis = new Redis(registry.redisUrl);
  for (const v of [1, 2]) {
    fs.mkdirSync(path.join(dir, `v${v}`));
    fs.writeFileSync(
      path.join(dir, `v${v}`, 'model.onnx'),
      mlpClassifier({ inputWidth: 4, hidden: 16, classes: 3, seed: v * 10 }),
    );
    // The drift reference travels beside the graph, as it does beside a TF.js model.json.
    fs.writeFileSync(
      path.join(dir, `v${v}`, 'profile.json'),
      JSON.stringify(profileRows(columns, rows(200))),
    );
  }
  const signature = { task: 'classification', target: 'species', inputs: columns, labels: LABELS };
  fs.writeFileSync(path.join(dir, 'signature.json'), JSON.stringify(signature));
  const imported = await mlops(['import', 'v1/model.onnx', '-m', MODEL, '-s', 'signature.json']);
  expect(imported.stderr).toBe('');
  expect(imported.stdout).toBe(
    `imported ${MODEL} v1 (classification, 2 files, input width 4, ONNX opset 13 from pytorch 2.3.0)\n`,
  );
  v1 = await client.api.versions.get.query({ model: MODEL, version: 1 });
  await client.api.aliases.set.mutate({ model: MODEL, alias: 'champion', version: 1 });
  app = await startApp(registrySource(client), {
    MLOPS_REDIS_PREFIX: registry.prefix,
    SERVING_MODELS: MODEL,
    SERVING_ONNX_THREADS: '2',
  });
  await eventually(() => (servedVersion() === 1 ? true : undefined), 'v1 in service');
}, 120_000);

afterAll(async () => {
  await app?.close();
  await redis?.quit();
  await registry?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('an imported ONNX classifier, served', () => {
  const input = rows(5, 0.5);
  const graph = () => fs.readFileSync(path.join(dir, 'v1', 'model.onnx'));

  it('is recorded as a primary ONNX graph with its drift profile', () => {
    expect(v1.manifest.files.map((f) => f.path).sort()).toEqual(['model.onnx', 'profile.json']);
    expect(v1.manifest.onnx).toMatchObject({ primary: true, opsetVersion: 13 });
    expect(app.serving.models.get(MODEL)?.loaded?.runtime).toEqual({
      runtime: 'onnx',
      reason: null,
      onnxThreads: 2,
    });
  });

  it('answers TF Serving with the in-process session outputs', async () => {
    const expected = await reference(graph(), v1, input);
    const res = await postJson(app, `/v1/models/${MODEL}:predict`, { instances: input });
    expect(res.statusCode).toBe(200);
    // TF Serving's shape: probabilities as a [k] tensor in the labels' order.
    const body = res.json<{ predictions: Array<{ label: string; probabilities: number[] }> }>();
    expectClose(
      body.predictions.flatMap((p) => p.probabilities),
      expected,
    );
    const best = (r: number) =>
      LABELS[[0, 1, 2].reduce((a, k) => (expected[r * 3 + k]! > expected[r * 3 + a]! ? k : a), 0)];
    expect(body.predictions.map((p) => p.label)).toEqual([0, 1, 2, 3, 4].map(best));
  });

  it('answers OIP v2 with the in-process session outputs', async () => {
    const expected = await reference(graph(), v1, input);
    const res = await postJson(app, `/v2/models/${MODEL}/infer`, {
      inputs: [
        { name: 'a', shape: [5], datatype: 'FP64', data: input.map((r) => r.a) },
        { name: 'b', shape: [5], datatype: 'FP64', data: input.map((r) => r.b ?? 0) },
        { name: 'colour', shape: [5], datatype: 'BYTES', data: input.map((r) => r.colour) },
      ],
    });
    expect(res.statusCode).toBe(200);
    const body = v2InferResponseSchema.parse(res.json());
    const probabilities = body.outputs.find((o) => o.name === 'probabilities');
    expect(probabilities?.shape).toEqual([5, 3]);
    // b's nulls were sent as 0 here: the reference takes the same values.
    const sent = input.map((r) => ({ ...r, b: r.b ?? 0 }));
    expectClose((probabilities?.data ?? []) as number[], await reference(graph(), v1, sent));
    expect(expected).toHaveLength(15);
  });

  it('answers MLflow /invocations with the in-process session outputs', async () => {
    const expected = await reference(graph(), v1, input);
    const res = await postJson(app, '/invocations', { dataframe_records: input });
    expect(res.statusCode).toBe(200);
    const body = mlflowResponseSchema.parse(res.json());
    expectClose(
      body.predictions.flatMap((p) =>
        'probabilities' in p ? LABELS.map((l) => p.probabilities[l]!) : [],
      ),
      expected,
    );
  });

  it('logs its predictions, which compare with its profile for drift', async () => {
    const live = rows(60, 3); // shifted: column a has drifted
    const res = await postJson(app, `/v1/models/${MODEL}:predict`, { instances: live });
    expect(res.statusCode).toBe(200);
    const key = redisKeys(registry.prefix).predictions(MODEL);
    const logged = await eventually(async () => {
      const stream = await redis.xrangeBuffer(key, '-', '+');
      const entries = stream.flatMap(([, fields]) => parsePredictionLogMessage(fields) ?? []);
      return entries.length >= 60 ? entries : undefined;
    }, 'logged rows');
    expect(logged.every((e) => e.version === 1)).toBe(true);
    const profileFile = v1.manifest.files.find((f) => f.path === 'profile.json')!;
    const profile = trainingProfileSchema.parse(
      JSON.parse((await client.downloadBlob(profileFile.sha256)).toString('utf8')),
    );
    const drift = computeDrift(
      profile,
      logged.slice(-60).map((e) => e.features as DataRow),
      columns,
      driftPolicySchema.parse({ minRows: 10 }),
    );
    expect(drift.columns.map((c) => c.column).sort()).toEqual(['a', 'b', 'colour']);
    expect(drift.driftedColumns).toContain('a');
  });

  it('reports its runtime and threads in status and metrics', async () => {
    const status = await app.inject('/v1/models');
    const served = status.json<{ models: Array<{ name: string; runtime: unknown }> }>().models;
    expect(served.find((m) => m.name === MODEL)?.runtime).toEqual({
      runtime: 'onnx',
      reason: null,
      onnxThreads: 2,
      engine: 'onnx',
    });
    const metrics = await app.inject('/metrics');
    expect(metrics.body).toMatch(
      new RegExp(
        `serving_version_runtime_threads\\{model="${MODEL}",version="1",runtime="onnx"\\} 2`,
      ),
    );
  });

  it('hot-swaps ONNX → ONNX → TF.js → ONNX under load with zero failed requests', async () => {
    const v2 = await mlops(['import', 'v2/model.onnx', '-m', MODEL, '-s', 'signature.json']);
    expect(v2.code).toBe(0);
    // The registry's version.created has every replica preload v2, on ONNX Runtime, before any
    // alias names it; the next registration supersedes it and its session is freed.
    const slot = app.serving.models.get(MODEL);
    const candidate = () => slot?.candidate ?? undefined;
    const preloaded = await eventually(
      () => (candidate()?.version === 2 ? candidate() : undefined),
      'v2 preloaded',
    );
    expect(preloaded.runtime.runtime).toBe('onnx');
    expect(servedVersion()).toBe(1);
    const v3 = await importTfjsClassifier(client, MODEL, columns, LABELS);
    expect(v3.version).toBe(3);
    await eventually(() => (candidate()?.version === 3 ? true : undefined), 'v3 preloaded');
    expect(preloaded.isRetired).toBe(true);
    // The reconcile's catch-up reads the newest version from the registry and finds it warm.
    expect(await registrySource(client).newestVersion(MODEL)).toBe(3);
    const preloadedV3 = candidate();
    await app.serving.models.reconcile();
    expect(candidate()).toBe(preloadedV3);
    const load = hammer(app, `/v1/models/${MODEL}:predict`, { instances: rows(3) });
    try {
      for (const target of [2, 3, 1]) {
        await client.api.aliases.set.mutate({
          model: MODEL,
          alias: 'champion',
          version: target,
          force: true,
        });
        await eventually(() => (servedVersion() === target ? true : undefined), `v${target}`);
        // Let requests run on the new version before the next move.
        await load.waitForMore(20);
      }
    } finally {
      await load.stop();
    }
    expect(load.failures).toEqual([]);
    expect(load.versions).toEqual(new Set([1, 2, 3]));
    expect(app.serving.models.get(MODEL)?.loaded?.runtime.runtime).toBe('onnx');
  }, 120_000);
});
