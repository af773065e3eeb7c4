import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BundleFile, ModelVersion } from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel } from '@mlops/ml/bundle';
import { graphModelFiles } from '@mlops/ml/testing';
import { startTestRegistry, trpc, type TestRegistry } from './helpers';
import { uploadBlob } from './tensor-import-helpers';

let r: TestRegistry;
let files: BundleFile[];

const upload = (path: string, bytes: Uint8Array) => uploadBlob(r, path, bytes);

/** A real (untrained) TF.js layers model: 2 numeric + one 3-way categorical → 3 classes. */
beforeAll(async () => {
  r = await startTestRegistry();
  await initBackend();
  const tf = getTf();
  const model = tf.sequential({
    layers: [tf.layers.dense({ units: 3, inputShape: [5], activation: 'softmax' })],
  });
  const serialized = await serializeModel(model);
  model.dispose();
  files = await Promise.all(serialized.map((f) => upload(f.path, f.bytes)));
});
afterAll(async () => {
  await r.close();
});

const base = () => ({
  model: 'byo',
  task: 'classification',
  target: 'species',
  inputs: [
    { name: 'a', type: 'numeric', nullable: false },
    { name: 'b', type: 'numeric', nullable: true, impute: 1.5 },
    { name: 'colour', type: 'categorical', nullable: false, categories: ['red', 'green', 'blue'] },
  ],
  labels: ['x', 'y', 'z'],
  files,
  metrics: { accuracy: 0.8 },
  description: 'trained elsewhere',
});

describe('versions.import (bring your own model)', () => {
  it('registers a layers model with identity preprocessing and imported lineage', async () => {
    const res = await trpc(r.app, 'mutation', 'versions.import', base(), r.auth);
    expect(res.status).toBe(200);
    const version = res.data as ModelVersion;
    expect(version.version).toBe(1);
    expect(version.manifest.preprocessing).toEqual({
      features: [
        { kind: 'standardize', column: 'a', mean: 0, std: 1, impute: 0 },
        { kind: 'standardize', column: 'b', mean: 0, std: 1, impute: 1.5 },
        { kind: 'one-hot', column: 'colour', categories: ['red', 'green', 'blue'], impute: 'red' },
      ],
      target: { kind: 'label-encode', column: 'species', labels: ['x', 'y', 'z'] },
      inputWidth: 5,
    });
    expect(version.manifest.lineage).toMatchObject({ runId: null, codeRevision: 'imported' });
    expect(version.manifest.files.map((f) => f.path)).toEqual(['model.json', 'weights.bin']);
    expect(version.manifest.metrics).toEqual({ accuracy: 0.8 });
    const again = await trpc(r.app, 'mutation', 'versions.import', base(), r.auth);
    expect((again.data as ModelVersion).version).toBe(2);
    const model = await trpc(r.app, 'query', 'models.get', { name: 'byo' }, r.auth);
    expect(model.data).toMatchObject({ latestVersion: 2, description: 'trained elsewhere' });
  });

  it('registers a graph model (format "graph-model") for regression', async () => {
    const graph = await Promise.all(graphModelFiles().map((f) => upload(f.path, f.bytes)));
    const body = {
      model: 'byo-graph',
      task: 'regression',
      target: 'y',
      inputs: [
        { name: 'a', type: 'numeric', nullable: false },
        { name: 'b', type: 'numeric', nullable: false },
      ],
      files: graph,
    };
    const res = await trpc(r.app, 'mutation', 'versions.import', body, r.auth);
    expect(res.status).toBe(200);
    expect((res.data as ModelVersion).manifest.preprocessing.target).toEqual({
      kind: 'standardize',
      column: 'y',
      mean: 0,
      std: 1,
    });
    const labelled = await trpc(
      r.app,
      'mutation',
      'versions.import',
      { ...body, labels: ['p', 'q'] },
      r.auth,
    );
    expect([labelled.status, labelled.error?.data.details?.[0]?.path]).toEqual([400, 'labels']);
  });

  it('refuses inputs whose width differs from the model with a 400 naming inputs', async () => {
    const body = { ...base(), inputs: base().inputs.slice(0, 2) };
    const res = await trpc(r.app, 'mutation', 'versions.import', body, r.auth);
    expect(res.status).toBe(400);
    expect(res.error?.data.details?.[0]?.path).toBe('inputs');
    expect(res.error?.data.details?.[0]?.message).toContain('takes 5');
  });

  it('refuses a label count that differs from the output width', async () => {
    const res = await trpc(
      r.app,
      'mutation',
      'versions.import',
      { ...base(), labels: ['x', 'y'] },
      r.auth,
    );
    expect(res.status).toBe(400);
    expect(res.error?.data.details?.[0]?.path).toBe('labels');
  });

  it('refuses a classification without labels and a categorical without categories', async () => {
    const { labels: _labels, ...noLabels } = base();
    const res = await trpc(r.app, 'mutation', 'versions.import', noLabels, r.auth);
    expect([res.status, res.error?.data.details?.[0]?.path]).toEqual([400, 'labels']);
    const inputs = base().inputs.map((i) => ({ ...i, categories: undefined }));
    const res2 = await trpc(r.app, 'mutation', 'versions.import', { ...base(), inputs }, r.auth);
    expect([res2.status, res2.error?.data.details?.[0]?.path]).toEqual([
      400,
      'inputs[2].categories',
    ]);
  });

  it('refuses a missing weight file, naming it', async () => {
    const onlyJson = files.filter((f) => f.path === 'model.json');
    const res = await trpc(
      r.app,
      'mutation',
      'versions.import',
      { ...base(), files: onlyJson },
      r.auth,
    );
    expect(res.status).toBe(400);
    expect(res.error?.data.details?.[0]).toMatchObject({ path: 'files' });
    expect(res.error?.data.details?.[0]?.message).toContain('weights.bin');
  });

  it('refuses files that are not stored (412) and a bundle without model.json (400)', async () => {
    const ghost = files.map((f) =>
      f.path === 'weights.bin' ? { ...f, sha256: 'e'.repeat(64) } : f,
    );
    const res = await trpc(
      r.app,
      'mutation',
      'versions.import',
      { ...base(), files: ghost },
      r.auth,
    );
    expect([res.status, res.error?.data.details?.[0]?.path]).toEqual([412, 'files[1]']);
    const noJson = files.filter((f) => f.path !== 'model.json');
    const res2 = await trpc(
      r.app,
      'mutation',
      'versions.import',
      { ...base(), files: noJson },
      r.auth,
    );
    expect([res2.status, res2.error?.data.details?.[0]?.path]).toEqual([400, 'files']);
  });

  it('refuses a model.json that is not a TF.js model', async () => {
    const bogus = await upload('model.json', new TextEncoder().encode('{"hello":1}'));
    const res = await trpc(
      r.app,
      'mutation',
      'versions.import',
      { ...base(), files: [bogus, files[1]] },
      r.auth,
    );
    expect(res.status).toBe(400);
    expect(res.error?.message).toContain('model.json');
  });

  it('needs a token with the write scope', async () => {
    const res = await trpc(r.app, 'mutation', 'versions.import', base());
    expect(res.status).toBe(401);
  });
});
