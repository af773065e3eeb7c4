import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import {
  bundleFilesDigestText,
  type BundleFile,
  type ModelVersion,
  type Run,
  type TrainingSpecInput,
} from '@mlops/contracts';
import { toAppError } from '@mlops/client';
import { getTf, initBackend } from '@mlops/ml/backend';
import { loadTfModel, serializeModel } from '@mlops/ml/bundle';
import { generateLesions } from '../../../scripts/demo/lesions';
import { tarOf } from '@mlops/registry/testing/archives';
import { graphTensorModelFiles } from '@mlops/ml/testing';
import type { createTrainerWorker } from '../src/worker';
import { startRegistry, startWorker, waitForRun, type Harness } from './registry-harness';

let h: Harness;
let worker: ReturnType<typeof createTrainerWorker>;
let tf: ReturnType<typeof getTf>;
/** The base's weights by layer name, as registered. */
const baseWeights = new Map<string, Float32Array[]>();

const IMAGE = { height: 16, width: 16, channels: 3 as const };

/**
 * A small conv base with random weights (seeded, so every run of the test trains the same
 * numbers): [16, 16, 3] → conv → pool → embedding(16) → 4 scores.
 */
function buildBase(): tfTypes.LayersModel {
  const image = tf.input({ shape: [16, 16, 3], name: 'image' });
  let x = tf.layers
    .conv2d({
      filters: 8,
      kernelSize: 3,
      activation: 'relu',
      name: 'base_conv',
      padding: 'same',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    })
    .apply(image) as tfTypes.SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 4 }).apply(x) as tfTypes.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tfTypes.SymbolicTensor;
  x = tf.layers
    .dense({
      units: 16,
      activation: 'relu',
      name: 'base_embedding',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
    })
    .apply(x) as tfTypes.SymbolicTensor;
  const scores = tf.layers
    .dense({
      units: 4,
      activation: 'softmax',
      name: 'base_scores',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
    })
    .apply(x) as tfTypes.SymbolicTensor;
  return tf.model({ inputs: image, outputs: scores });
}

/**
 * A TF.js graph model with one image input [-1, 4, 4, 3] → 2 scores: the two-input fixture of
 * packages/ml with its bias input taken out.
 */
function oneInputGraph(): Array<{ path: string; bytes: Uint8Array }> {
  const [model, shard] = graphTensorModelFiles();
  interface Node {
    name: string;
    input?: string[];
  }
  const json = JSON.parse(new TextDecoder().decode(model!.bytes)) as {
    modelTopology: { node: Node[] };
  };
  const nodes = json.modelTopology.node.filter((n) => n.name !== 'bias' && n.name !== 'shifted');
  nodes.find((n) => n.name === 'probs')!.input = ['logits'];
  json.modelTopology.node = nodes;
  return [{ path: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(json)) }, shard!];
}

async function register(
  model: tfTypes.LayersModel | Array<{ path: string; bytes: Uint8Array }>,
  name: string,
  image: boolean | { height: number; width: number; channels: 3 },
  labels = ['a', 'b', 'c', 'd'],
) {
  const files: BundleFile[] = [];
  for (const f of Array.isArray(model) ? model : await serializeModel(model)) {
    const ref = await h.client.uploadBlob(f.bytes);
    files.push({ path: f.path, sha256: ref.sha256, size: ref.size });
  }
  return h.client.api.versions.import.mutate({
    model: name,
    task: 'classification',
    target: 'label',
    labels,
    files,
    ...(image
      ? { tensorInputs: [{ image: { ...(image === true ? IMAGE : image), scale: 1 / 255 } }] }
      : {}),
  });
}

/** Every weight of a registered version's model, by layer name. */
async function weightsOf(version: ModelVersion): Promise<Map<string, Float32Array[]>> {
  const files = new Map<string, Uint8Array>();
  for (const f of version.manifest.files) files.set(f.path, await h.client.downloadBlob(f.sha256));
  const loaded = await loadTfModel(version.manifest, files);
  if (loaded.format !== 'layers-model') throw new Error('not a layers model');
  const out = new Map(
    loaded.model.layers.map((l) => [
      l.name,
      l.getWeights().map((w) => w.dataSync() as Float32Array),
    ]),
  );
  loaded.model.dispose();
  return out;
}

function spec(overrides: Partial<TrainingSpecInput>): TrainingSpecInput {
  return {
    modelName: 'lesion-transfer',
    dataset: { name: 'lesions' },
    task: 'classification',
    target: 'label',
    backend: 'cpu',
    hyperparameters: { epochs: 25, batchSize: 8, learningRate: 0.02, earlyStoppingPatience: 0 },
    transfer: { base: { model: 'conv-base', version: 1 } },
    ...overrides,
  };
}

async function train(input: TrainingSpecInput): Promise<Run> {
  const created = await h.client.api.runs.create.mutate(input);
  return waitForRun(
    h.client,
    created.id,
    (r) => r.status === 'completed' || r.status === 'failed',
    'training',
    300_000,
  );
}

async function refusal(input: TrainingSpecInput) {
  return h.client.api.runs.create.mutate(input).then(
    () => null,
    (err: unknown) => toAppError(err),
  );
}

beforeAll(async () => {
  process.env.TRAINER_WARM_UP = 'false';
  await initBackend('cpu');
  tf = getTf();
  h = await startRegistry();
  worker = startWorker(h, 'trainer-transfer-it');
  const base = buildBase();
  for (const layer of base.layers)
    baseWeights.set(
      layer.name,
      layer.getWeights().map((w) => w.dataSync() as Float32Array),
    );
  await register(base, 'conv-base', true);
  await h.client.api.aliases.set.mutate({
    model: 'conv-base',
    version: 1,
    alias: 'stable',
    force: true,
  });
  // The same model without a declared image decoding: a raw tensor input.
  await register(base, 'raw-base', false);
  await register(oneInputGraph(), 'graph-base', { height: 4, width: 4, channels: 3 }, ['a', 'b']);
  base.dispose();
  const lesions = await generateLesions({ count: 60, seed: 5, size: 32 });
  const tar = await tarOf(lesions.map((l) => ({ path: `lesions/${l.path}`, data: l.data })));
  await h.client.uploadDataset('lesions', tar, { format: 'tar' });
});

afterAll(async () => {
  await worker?.close();
  await h?.close();
});

describe('transfer learning from a registered image model (real registry, real worker)', () => {
  it('trains a new head on the frozen base and records the base in the lineage', async () => {
    const run = await train(spec({}));
    expect(run.error).toBeNull();
    expect(run.status).toBe('completed');
    // The registry pinned the base and set the run's decoding to the base's.
    expect(run.spec.transfer?.base).toEqual({ model: 'conv-base', version: 1 });
    expect(run.spec.image).toEqual(IMAGE);
    // 12 holdout images of 3 balanced classes: chance is 1/3.
    expect(run.metrics.accuracy).toBeGreaterThan(0.5);

    const version = await h.client.api.versions.get.query({
      model: 'lesion-transfer',
      version: run.modelVersion!,
    });
    const { lineage, signature } = version.manifest;
    const base = await h.client.api.versions.get.query({ model: 'conv-base', version: 1 });
    const digest = createHash('sha256').update(bundleFilesDigestText(base.manifest.files));
    expect(lineage.base).toEqual({ model: 'conv-base', version: 1, sha256: digest.digest('hex') });
    expect(lineage.preset).toBeNull();
    expect(signature.tensors?.inputs[0]).toMatchObject({
      kind: 'image',
      decoding: { ...IMAGE, scale: 1 / 255 },
    });
    expect(signature.tensors?.outputs[0]).toMatchObject({ shape: [-1, 3] });
    const weights = await weightsOf(version);
    // The old classifier is cut off; the frozen layers are bit for bit the base's.
    expect(weights.has('base_scores')).toBe(false);
    expect(weights.get('base_conv')).toEqual(baseWeights.get('base_conv'));
    expect(weights.get('base_embedding')).toEqual(baseWeights.get('base_embedding'));
    // Base and new head (called twice in training: cached features) export as one graph.
    expect(version.manifest.onnx).toMatchObject({
      primary: false,
      outputs: [{ shape: ['batch', 3] }],
    });
    expect(version.manifest.files.map((f) => f.path)).toContain('model.onnx');
  }, 360_000);

  it('fine-tunes only the top base layer in a second phase, with augmentation', async () => {
    const run = await train(
      spec({
        hyperparameters: {
          epochs: 10,
          batchSize: 8,
          learningRate: 0.02,
          earlyStoppingPatience: 0,
          horizontalFlip: true,
          randomCrop: 2,
          brightness: 0.1,
        },
        transfer: {
          base: { model: 'conv-base', alias: 'stable' },
          unfreezeTopLayers: 1,
          fineTuneEpochs: 3,
        },
      }),
    );
    expect(run.error).toBeNull();
    expect(run.status).toBe('completed');
    expect(run.progress).toMatchObject({ epoch: 13, epochs: 13 });
    const version = await h.client.api.versions.get.query({
      model: 'lesion-transfer',
      version: run.modelVersion!,
    });
    expect(version.manifest.lineage.hyperparameters).toMatchObject({
      horizontalFlip: true,
      randomCrop: 2,
      brightness: 0.1,
    });
    const weights = await weightsOf(version);
    expect(weights.get('base_conv')).toEqual(baseWeights.get('base_conv'));
    expect(weights.get('base_embedding')).not.toEqual(baseWeights.get('base_embedding'));
  }, 360_000);

  it('starts from versions the platform trained: a cnn-small, and a transfer run', async () => {
    const cnn = await train({
      modelName: 'lesion-cnn',
      dataset: { name: 'lesions' },
      task: 'classification',
      target: 'label',
      preset: 'cnn-small',
      image: IMAGE,
      backend: 'cpu',
      hyperparameters: { epochs: 2, batchSize: 16, earlyStoppingPatience: 0 },
    });
    expect(cnn.error).toBeNull();
    const fromCnn = await train(
      spec({
        transfer: { base: { model: 'lesion-cnn', version: cnn.modelVersion! }, headUnits: [8] },
      }),
    );
    expect(fromCnn.error).toBeNull();
    expect(fromCnn.status).toBe('completed');
    // A transfer run's version is a base like any other: its head is cut, a new one named apart.
    const fromTransfer = await train(
      spec({
        modelName: 'lesion-transfer-2',
        transfer: {
          base: { model: 'lesion-transfer', version: fromCnn.modelVersion! },
          headUnits: [4],
        },
      }),
    );
    expect(fromTransfer.error).toBeNull();
    const version = await h.client.api.versions.get.query({
      model: 'lesion-transfer-2',
      version: fromTransfer.modelVersion!,
    });
    expect(version.manifest.lineage.base).toMatchObject({
      model: 'lesion-transfer',
      version: fromCnn.modelVersion,
    });
    const names = [...(await weightsOf(version)).keys()];
    expect(names).toEqual(expect.arrayContaining(['head0_dense_0', 'head1_dense_0']));
  }, 360_000);

  it('refuses a base that is unknown, undecodable or of another size, naming the field', async () => {
    const unknown = await refusal(spec({ transfer: { base: { model: 'nope', version: 1 } } }));
    expect(unknown?.code).toBe('NOT_FOUND');
    expect(unknown?.details?.[0]?.path).toBe('transfer.base');
    const noAlias = await refusal(
      spec({ transfer: { base: { model: 'conv-base', alias: 'champion' } } }),
    );
    expect(noAlias?.message).toMatch(/no alias "champion"/);

    const size = await refusal(spec({ image: { height: 32, width: 32, channels: 3 } }));
    expect(size?.code).toBe('VALIDATION_FAILED');
    expect(size?.details?.[0]?.path).toBe('image');
    expect(size?.message).toMatch(/takes 16×16×3 images; the run asks for 32×32×3/);

    const raw = await refusal(spec({ transfer: { base: { model: 'raw-base', version: 1 } } }));
    expect(raw?.code).toBe('VALIDATION_FAILED');
    expect(raw?.message).toMatch(/import it with --image/);

    const graph = await refusal(spec({ transfer: { base: { model: 'graph-base', version: 1 } } }));
    expect(graph?.code).toBe('VALIDATION_FAILED');
    expect(graph?.details?.[0]?.path).toBe('transfer.base');
    expect(graph?.message).toMatch(/is a TF.js graph-model: its layers cannot be cut or frozen/);
  });
});
