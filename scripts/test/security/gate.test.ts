import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistryClient, toAppError, type RegistryClient } from '@mlops/client';
import type { Evaluation, ModelVersion, Run } from '@mlops/contracts';
import { REPO_ROOT } from '../../lib/services';
import { startStack, type Stack } from '../../lib/stack';
import { waitFor } from '../../lib/wait';

/**
 * Issue #16, item 4: a `write` token registered v1's weights claiming accuracy 0.999 and passed a
 * 0.99 gate. Replayed against the registry and trainer as processes: the gate reads what the
 * platform measured (the trainer's held-out evaluation of a run, or its re-evaluation of a
 * version on a registered dataset), never what a client claims.
 */
const MODEL = 'gate-iris';
let stack: Stack;
let writer: RegistryClient;
let writerToken: string;
let trained: ModelVersion;
let run: Run;

/** A tRPC mutation as raw HTTP, to see the status code an attacker sees. */
async function post(pathName: string, input: unknown, token: string) {
  const res = await fetch(`${stack.urls.registry}/trpc/${pathName}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  return { status: res.status, body: (await res.json()) as { error?: { message: string } } };
}

beforeAll(async () => {
  stack = await startStack({ label: 'sec-gate', apps: ['trainer'] });
  const created = await stack.admin.api.tokens.create.mutate({
    name: 'ci',
    scopes: ['write', 'promote'],
  });
  writerToken = created.token;
  writer = createRegistryClient({ url: stack.urls.registry ?? '', token: writerToken });
  await stack.admin.uploadDataset(
    'iris',
    fs.readFileSync(path.join(REPO_ROOT, 'scripts/demo/data/iris.csv')),
    { format: 'csv' },
  );
  // A real run, trained by the trainer process: tiny (iris, 40 epochs) to stay quick on 2 cores.
  const queued = await writer.api.runs.create.mutate({
    modelName: MODEL,
    dataset: { name: 'iris' },
    task: 'classification',
    target: 'species',
    hyperparameters: { epochs: 40, batchSize: 16, learningRate: 0.02 },
    seed: 7,
  });
  run = await waitFor(
    `run ${queued.id} to finish`,
    async () => {
      const r = await stack.admin.api.runs.get.query({ id: queued.id });
      if (r.status === 'failed' || r.status === 'cancelled')
        throw new Error(`run ${r.id} ${r.status}: ${r.error}`);
      return r.status === 'completed' ? r : undefined;
    },
    { timeoutMs: 240_000, intervalMs: 500 },
  );
  trained = await stack.admin.api.versions.get.query({
    model: MODEL,
    version: run.modelVersion ?? 0,
  });
}, 300_000);
afterAll(() => stack?.close());

describe('promotion gate against forged metrics', () => {
  it('a trained version carries the run held-out metrics as platform metrics, recorded by the trainer', () => {
    expect(trained.platformMetrics).toMatchObject({
      metrics: run.metrics,
      source: { kind: 'run', runId: run.id },
      recordedBy: 'service:trainer',
    });
    expect(run.metrics.accuracy).toBeGreaterThan(0.4);
  });

  it("a write token registering v1's weights claiming 0.999 is refused by a 0.99 gate, naming claimed vs platform", async () => {
    await stack.admin.api.policies.set.mutate({
      model: MODEL,
      alias: 'champion',
      metric: 'accuracy',
      greaterIsBetter: true,
      threshold: 0.99,
    });
    const forged = await writer.api.versions.create.mutate({
      model: MODEL,
      manifest: { ...trained.manifest, metrics: { accuracy: 0.999 } },
    });
    expect(forged.claimedMetrics).toEqual({ accuracy: 0.999 });
    expect(forged.platformMetrics).toBeNull();
    const err = await writer.api.aliases.set
      .mutate({ model: MODEL, alias: 'champion', version: forged.version })
      .then(() => null, toAppError);
    expect(err?.code).toBe('PRECONDITION_FAILED');
    expect(err?.message).toContain('claimed accuracy 0.999 is not trusted');
    expect(err?.message).toContain('platform');
    const aliases = await stack.admin.api.aliases.list.query({ model: MODEL });
    expect(aliases.find((a) => a.alias === 'champion')).toBeUndefined();
  });

  it('the trained run platform metrics pass a gate they meet, and the verdict says platform', async () => {
    await stack.admin.api.policies.set.mutate({
      model: MODEL,
      alias: 'staging',
      metric: 'accuracy',
      greaterIsBetter: true,
      threshold: 0.4,
    });
    const moved = await writer.api.aliases.set.mutate({
      model: MODEL,
      alias: 'staging',
      version: trained.version,
    });
    expect(moved.verdict).toMatchObject({
      passed: true,
      source: 'platform',
      candidate: run.metrics.accuracy,
    });
  });

  it('a write token cannot report run metrics or complete an evaluation (403)', async () => {
    const queued = await writer.api.runs.create.mutate({
      modelName: 'gate-other',
      dataset: { name: 'iris' },
      task: 'classification',
      target: 'species',
      hyperparameters: { epochs: 1 },
    });
    await writer.api.runs.cancel.mutate({ id: queued.id });
    for (const [proc, input] of [
      ['runs.complete', { id: run.id, metrics: { accuracy: 0.999 }, version: trained.version }],
      ['runs.complete', { id: queued.id, metrics: { accuracy: 0.999 } }],
      [
        'runs.progress',
        {
          id: queued.id,
          progress: { epoch: 1, epochs: 1, loss: 0, valLoss: null, samplesPerSecond: null },
        },
      ],
    ] as const) {
      const res = await post(proc, input, writerToken);
      expect([proc, res.status]).toEqual([proc, 403]);
      expect(res.body.error?.message).toContain('"train" scope');
    }
    const after = await stack.admin.api.versions.get.query({
      model: MODEL,
      version: trained.version,
    });
    expect(after.platformMetrics?.metrics).toEqual(run.metrics);
  });

  it('an imported-style version gets platform metrics only from the trainer re-evaluating it', async () => {
    const forged = await writer.api.versions.create.mutate({
      model: MODEL,
      manifest: { ...trained.manifest, metrics: { accuracy: 0.999 } },
    });
    const requested = await writer.api.versions.evaluate.mutate({
      model: MODEL,
      version: forged.version,
      dataset: { name: 'iris' },
    });
    const forgedDone = await post(
      'evaluations.complete',
      { id: requested.id, metrics: { accuracy: 1 }, rows: 150 },
      writerToken,
    );
    expect(forgedDone.status).toBe(403);
    const done: Evaluation = await waitFor(
      `evaluation ${requested.id}`,
      async () => {
        const e = await stack.admin.api.evaluations.get.query({ id: requested.id });
        if (e.status === 'failed') throw new Error(`evaluation failed: ${e.error}`);
        return e.status === 'completed' ? e : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    expect(done.rows).toBe(150);
    const accuracy = done.metrics.accuracy ?? -1;
    expect(accuracy).toBeGreaterThan(0.4);
    expect(accuracy).toBeLessThanOrEqual(1);
    const evaluated = await stack.admin.api.versions.get.query({
      model: MODEL,
      version: forged.version,
    });
    expect(evaluated).toMatchObject({
      claimedMetrics: { accuracy: 0.999 },
      platformMetrics: {
        metrics: done.metrics,
        source: {
          kind: 'evaluation',
          evaluationId: done.id,
          dataset: { name: 'iris', version: 1 },
        },
        recordedBy: 'service:trainer',
      },
    });
    const verdict = await writer.api.policies.evaluate.query({
      model: MODEL,
      alias: 'champion',
      version: forged.version,
    });
    expect(verdict).toMatchObject({
      source: 'platform',
      candidate: accuracy,
      claimed: 0.999,
      passed: accuracy >= 0.99,
    });
  });
});
