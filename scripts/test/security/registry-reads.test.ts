import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { externalLineage, registryApi } from '@mlops/contracts';
import { startStack, type Stack } from '../../lib/stack';

/**
 * Issue #16, item 5 (registry side): training data, model files and registry state were
 * readable without a token, and bad or revoked tokens "worked" for reads. Replayed against
 * registry processes: every read needs the `read` scope; with MLOPS_PUBLIC_READS=true an
 * anonymous caller may read, but a bad or revoked token is still a 401.
 */

/** Reads that need more than `read`: admin-only metadata and the caller's own principal. */
const NOT_PLAIN_READS = new Set([
  'tokens.list',
  'webhooks.list',
  'webhooks.deliveries',
  'auth.whoami',
]);

const MODEL = 'sec-reads';
const CSV = 'x,y\n1,a\n2,b\n3,a\n4,b\n';
const PIPELINE = 'sec-pipeline';

interface Seeded {
  blob: string;
  runId: string;
  evaluationId: string;
  pipelineRunId: string;
}

/** Every read route, with an input that answers 200 on the seeded registry. */
function reads(seed: Seeded): Record<string, string> {
  const q = (path: string, input: unknown) =>
    `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;
  return {
    'datasets.list': q('datasets.list', {}),
    'datasets.get': q('datasets.get', { name: 'sec-data' }),
    'datasets.search': q('datasets.search', {}),
    'datasets.getPolicy': q('datasets.getPolicy', { name: 'sec-data' }),
    'runs.get': q('runs.get', { id: seed.runId }),
    'runs.list': q('runs.list', {}),
    'runs.search': q('runs.search', {}),
    'models.list': q('models.list', {}),
    'models.get': q('models.get', { name: MODEL }),
    'models.search': q('models.search', {}),
    'versions.list': q('versions.list', { model: MODEL }),
    'versions.get': q('versions.get', { model: MODEL, version: 1 }),
    'versions.search': q('versions.search', { model: MODEL }),
    'versions.resolve': q('versions.resolve', { model: MODEL, alias: 'champion' }),
    'versions.compatibility': q('versions.compatibility', { model: MODEL, version: 1 }),
    'aliases.list': q('aliases.list', { model: MODEL }),
    'aliases.history': q('aliases.history', { model: MODEL }),
    'policies.get': q('policies.get', { model: MODEL }),
    'policies.evaluate': q('policies.evaluate', { model: MODEL, version: 1 }),
    'events.recent': q('events.recent', {}),
    'evaluations.get': q('evaluations.get', { id: seed.evaluationId }),
    'evaluations.list': q('evaluations.list', { model: MODEL }),
    'pipelines.list': q('pipelines.list', {}),
    'pipelines.get': q('pipelines.get', { name: PIPELINE }),
    'pipelines.runs': q('pipelines.runs', {}),
    'pipelines.getRun': q('pipelines.getRun', { id: seed.pipelineRunId }),
    'lineage.get': q('lineage.get', { uri: `models:/${MODEL}@champion` }),
    'pipelines.schedules': q('pipelines.schedules', {}),
    'GET rows': '/api/datasets/sec-data/versions/1/rows',
    'GET blob': `/api/blobs/${seed.blob}`,
  };
}

async function seed(stack: Stack): Promise<Seeded> {
  const admin = stack.admin;
  await admin.uploadDataset('sec-data', CSV, { format: 'csv' });
  const file = await admin.uploadBlob(Buffer.from('{"modelTopology":{}}'));
  await admin.api.versions.create.mutate({
    model: MODEL,
    manifest: {
      formatVersion: 1,
      task: 'classification',
      signature: {
        inputs: [{ name: 'x', type: 'numeric', nullable: false }],
        output: { task: 'classification', target: 'y', labels: ['a', 'b'] },
      },
      preprocessing: {
        features: [{ kind: 'standardize', column: 'x', mean: 2.5, std: 1, impute: 2.5 }],
        target: { kind: 'label-encode', column: 'y', labels: ['a', 'b'] },
        inputWidth: 1,
      },
      metrics: { accuracy: 0.9 },
      lineage: externalLineage(),
      files: [{ path: 'model.json', ...file }],
    },
  });
  await admin.api.aliases.set.mutate({ model: MODEL, alias: 'champion', version: 1 });
  const run = await admin.api.runs.create.mutate({
    modelName: MODEL,
    dataset: { name: 'sec-data' },
    task: 'classification',
    target: 'y',
  });
  const evaluation = await admin.api.versions.evaluate.mutate({
    model: MODEL,
    version: 1,
    dataset: { name: 'sec-data' },
  });
  await admin.api.pipelines.register.mutate({
    definition: { name: PIPELINE, steps: [{ id: 'a', uses: 'custom/noop', with: {} }] },
  });
  const pipelineRun = await admin.api.pipelines.run.mutate({ name: PIPELINE });
  return {
    blob: file.sha256,
    runId: run.id,
    evaluationId: evaluation.id,
    pipelineRunId: pipelineRun.id,
  };
}

async function tokens(stack: Stack) {
  const create = async (name: string, scopes: ('read' | 'predict')[]) =>
    stack.admin.api.tokens.create.mutate({ name, scopes });
  const read = await create('reader', ['read']);
  const predict = await create('predictor', ['predict']);
  const revoked = await create('gone', ['read']);
  await stack.admin.api.tokens.revoke.mutate({ id: revoked.id });
  return { read: read.token, predict: predict.token, revoked: revoked.token };
}

const status = async (base: string, path: string, authorization?: string) => {
  const res = await fetch(`${base}${path}`, {
    headers: authorization === undefined ? {} : { authorization },
  });
  await res.arrayBuffer();
  return res.status;
};

describe('registry reads, enforced (the default)', () => {
  let stack: Stack;
  let seeded: Seeded;
  let t: Awaited<ReturnType<typeof tokens>>;

  beforeAll(async () => {
    stack = await startStack({ label: 'sec-reads' });
    seeded = await seed(stack);
    t = await tokens(stack);
  }, 120_000);
  afterAll(() => stack?.close());

  it('the table covers every read procedure of the API', () => {
    const queries = Object.entries(registryApi).flatMap(([group, procs]) =>
      Object.entries(procs as Record<string, { mutation: boolean }>)
        .filter(([, p]) => !p.mutation)
        .map(([name]) => `${group}.${name}`),
    );
    const covered = Object.keys(reads(seeded));
    for (const query of queries.filter((q) => !NOT_PLAIN_READS.has(q)))
      expect(covered, `${query} has no row in the reads table`).toContain(query);
  });

  it('each read: 401 without, with a malformed, an unknown or a revoked token; 403 predict-only; 200 read', async () => {
    const base = stack.urls.registry ?? '';
    const seen: Record<string, number[]> = {};
    for (const [name, path] of Object.entries(reads(seeded))) {
      seen[name] = [
        await status(base, path),
        await status(base, path, 'Bearer'),
        await status(base, path, 'Basic dXNlcjpwYXNz'),
        await status(base, path, 'Bearer mlops_not-a-real-token-0123456789'),
        await status(base, path, `Bearer ${t.revoked}`),
        await status(base, path, `Bearer ${t.predict}`),
        await status(base, path, `Bearer ${t.read}`),
      ];
    }
    const expected = Object.fromEntries(
      Object.keys(seen).map((name) => [name, [401, 401, 401, 401, 401, 403, 200]]),
    );
    expect(seen).toEqual(expected);
  }, 60_000);

  it('health, readiness and metrics stay open', async () => {
    const base = stack.urls.registry ?? '';
    for (const path of ['/healthz', '/readyz', '/metrics'])
      expect(await status(base, path)).toBe(200);
  });
});

describe('registry reads with MLOPS_PUBLIC_READS=true', () => {
  let stack: Stack;
  let seeded: Seeded;
  let t: Awaited<ReturnType<typeof tokens>>;

  beforeAll(async () => {
    stack = await startStack({ label: 'sec-public', env: { MLOPS_PUBLIC_READS: 'true' } });
    seeded = await seed(stack);
    t = await tokens(stack);
  }, 120_000);
  afterAll(() => stack?.close());

  it('anonymous reads answer 200; a bad or revoked token is still 401; writes still need a token', async () => {
    const base = stack.urls.registry ?? '';
    const seen: Record<string, number[]> = {};
    for (const [name, path] of Object.entries(reads(seeded))) {
      seen[name] = [
        await status(base, path),
        await status(base, path, 'Bearer mlops_not-a-real-token-0123456789'),
        await status(base, path, `Bearer ${t.revoked}`),
        await status(base, path, `Bearer ${t.read}`),
      ];
    }
    const expected = Object.fromEntries(Object.keys(seen).map((n) => [n, [200, 401, 401, 200]]));
    expect(seen).toEqual(expected);

    const gc = await fetch(`${base}/trpc/artifacts.gc`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dryRun: true }),
    });
    expect(gc.status).toBe(401);
    expect(await status(base, '/trpc/tokens.list')).toBe(401);
  }, 60_000);
});
