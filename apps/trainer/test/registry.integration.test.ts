import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { excludedColumns, type Run } from '@mlops/contracts';
import type { RegistryClient } from '@mlops/client';
import { initBackend } from '@mlops/ml/backend';
import { loadBundleModel } from '@mlops/ml/bundle';
import type { createTrainerWorker } from '../src/worker';
import { blobRows } from './data';
// The real registry, in-process: this test is the seam between the two apps.
import { startRegistry, startWorker, toCsv, waitForRun, type Harness } from './registry-harness';

const finished = (run: Run) => run.status === 'completed' || run.status === 'failed';

let h: Harness;
let client: RegistryClient;
let worker: ReturnType<typeof createTrainerWorker>;

beforeAll(async () => {
  await initBackend('cpu');
  h = await startRegistry();
  client = h.client;
  worker = startWorker(h, 'trainer-it');
});

afterAll(async () => {
  await worker?.close();
  await h?.close();
});

describe('trainer against the real registry (in-process, port 0)', () => {
  it('runs a real job end to end: dataset upload → run → BullMQ → version → completed run', async () => {
    // Four rows without a label: dropped by the trainer, and counted on the run.
    const unlabelled = blobRows(4, 7).map((r) => ({ ...r, species: null }));
    const csv = toCsv([...blobRows(150), ...unlabelled]);
    const dataset = await client.uploadDataset('blobs', csv, { format: 'csv' });
    expect(dataset.rowCount).toBe(154);
    const created = await client.api.runs.create.mutate({
      modelName: 'blobs-model',
      dataset: { name: 'blobs' },
      task: 'classification',
      target: 'species',
      hyperparameters: { epochs: 15, learningRate: 0.02 },
    });
    const run = await waitForRun(client, created.id, finished, 'completion');
    expect(run.error).toBeNull();
    expect(run.status).toBe('completed');
    expect(run.backend).toBe('cpu');
    expect(run.metrics.accuracy).toBeGreaterThan(0.9);
    expect(run.modelVersion).toBe(1);
    expect(run.rows?.droppedNullTarget).toBe(4);
    expect(run.rows!.train + run.rows!.validation + run.rows!.test).toBe(150);
    // Every epoch the fit ran is on the curve, in order, whatever the progress throttle sent.
    const ran = run.progress!.epoch;
    expect(run.curve.map((e) => e.epoch)).toEqual(Array.from({ length: ran }, (_, i) => i + 1));
    expect(run.curve.every((e) => e.loss !== null && e.valLoss !== null)).toBe(true);

    const version = await client.api.versions.get.query({ model: 'blobs-model', version: 1 });
    expect(version.manifest.lineage).toMatchObject({
      runId: run.id,
      datasetId: dataset.id,
      datasetHash: dataset.hash,
    });
    const files = new Map<string, Uint8Array>();
    for (const f of version.manifest.files) files.set(f.path, await client.downloadBlob(f.sha256));
    const model = await loadBundleModel(version.manifest, files);
    model.dispose();
    // The registry keeps the verified ONNX export beside the TF.js model.
    expect(files.has('model.onnx')).toBe(true);
    expect(version.manifest.onnx).toMatchObject({ file: 'model.onnx', primary: false });
    expect(version.manifest.onnx?.verification?.rows).toBeGreaterThan(0);
  });

  it('leaves dates and identifiers the dataset excludes out of the default features', async () => {
    const rows = blobRows(120);
    const lines = toCsv(rows).trimEnd().split('\n');
    const csv =
      lines
        .map((line, i) => {
          if (i === 0) return `day,ticket,${line}`;
          const day = new Date(Date.UTC(2014, 0, i)).toISOString().slice(0, 10);
          return `${day},T-${1000 + i},${line}`;
        })
        .join('\n') + '\n';
    const dataset = await client.uploadDataset('dated-blobs', csv, { format: 'csv' });
    expect([...excludedColumns(dataset.profile).keys()]).toEqual(['day', 'ticket']);
    const created = await client.api.runs.create.mutate({
      modelName: 'dated-blobs-model',
      dataset: { name: 'dated-blobs' },
      task: 'classification',
      target: 'species',
      hyperparameters: { epochs: 2 },
    });
    const run = await waitForRun(client, created.id, finished, 'completion');
    expect(run.error).toBeNull();
    const version = await client.api.versions.get.query({ model: 'dated-blobs-model', version: 1 });
    expect(version.manifest.signature.inputs.map((c) => c.name)).toEqual([
      'x1',
      'x2',
      'color',
      'flag',
    ]);
    expect(Object.keys(version.manifest.lineage.skippedFeatures ?? {})).toEqual(['day', 'ticket']);
    expect(version.manifest.lineage.skippedFeatures?.day).toContain('datetime (120 distinct)');
    expect(version.manifest.preprocessing.features.map((f) => f.kind)).not.toContain('datetime');
  });

  it('expands a date kept by a schema hint into derived features, never a one-hot', async () => {
    // The done-when of issue #19: a date, an id and a numeric with "n/a", ingested and trained.
    const lines = toCsv(blobRows(120)).trimEnd().split('\n');
    const csv =
      lines
        .map((line, i) => {
          if (i === 0) return `day,order_id,price,${line}`;
          const day = `${String((i % 28) + 1).padStart(2, '0')}.${String((i % 12) + 1).padStart(2, '0')}.2014`;
          return `${day},${5000 + i},${i === 3 ? 'n/a' : (i % 17) * 2.5},${line}`;
        })
        .join('\n') + '\n';
    const dataset = await client.uploadDataset('kept-dates', csv, {
      format: 'csv',
      hints: JSON.stringify({ columns: { day: { exclude: false } } }),
    });
    const types = Object.fromEntries(dataset.schema.columns.map((c) => [c.name, c.type]));
    expect(types).toMatchObject({ day: 'datetime', order_id: 'numeric', price: 'numeric' });
    expect([...excludedColumns(dataset.profile).keys()]).toEqual(['order_id']);
    const created = await client.api.runs.create.mutate({
      modelName: 'kept-dates-model',
      dataset: { name: 'kept-dates' },
      task: 'classification',
      target: 'species',
      hyperparameters: { epochs: 2 },
    });
    const run = await waitForRun(client, created.id, finished, 'completion');
    expect(run.error).toBeNull();
    const version = await client.api.versions.get.query({ model: 'kept-dates-model', version: 1 });
    const { signature, preprocessing } = version.manifest;
    expect(signature.inputs.find((c) => c.name === 'day')).toMatchObject({ type: 'datetime' });
    const day = preprocessing.features.find((f) => f.column === 'day');
    expect(day).toMatchObject({ kind: 'datetime', hour: false });
    // year + month sin/cos + weekday sin/cos for the date; x1, x2, price, color (3), flag.
    const oneHot = preprocessing.features.filter((f) => f.kind === 'one-hot').map((f) => f.column);
    expect(oneHot).toEqual(['color']);
    expect(preprocessing.inputWidth).toBe(5 + 3 + 3 + 1);
  });

  it('marks a run failed without retries when the data cannot train (single class)', async () => {
    await client.uploadDataset(
      'one-class',
      toCsv(blobRows(30).map((r) => ({ ...r, species: 'setosa' }))),
      {
        format: 'csv',
      },
    );
    const created = await client.api.runs.create.mutate({
      modelName: 'one-class-model',
      dataset: { name: 'one-class' },
      task: 'classification',
      target: 'species',
    });
    const run = await waitForRun(client, created.id, finished, 'completion');
    expect(run.status).toBe('failed');
    expect(run.error).toMatch(/at least 2/);
  });
});
