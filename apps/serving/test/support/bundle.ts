import type { LayersModel } from '@tensorflow/tfjs';
import {
  BUNDLE_FORMAT_VERSION,
  type BundleManifest,
  type Column,
  type DataRow,
  externalLineage,
} from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { serializeModel, sha256Hex } from '@mlops/ml/bundle';
import { profileRows } from '@mlops/ml/profile';
import { encodeFeatures, encodeTargets, fitPreprocessing } from '@mlops/ml/preprocessing';
import type { MemoryModelSource } from '../../src/models/memory-source';

/** Two numeric features and a colour; the class is "pos" when x + y > 0. */
export const FEATURES: Column[] = [
  { name: 'x', type: 'numeric', nullable: false },
  { name: 'y', type: 'numeric', nullable: true },
  { name: 'color', type: 'categorical', nullable: false, categories: ['blue', 'red'] },
];
const TARGET: Column = {
  name: 'cls',
  type: 'categorical',
  nullable: false,
  categories: ['neg', 'pos'],
};

/** Deterministic rows (an LCG, not Math.random) so every run trains on the same data. */
export function makeRows(n: number, seed = 7): DataRow[] {
  let s = seed;
  const rand = () => {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    return s / 2 ** 31;
  };
  const rows: DataRow[] = [];
  for (let i = 0; i < n; i++) {
    const x = rand() * 4 - 2;
    const y = rand() * 4 - 2;
    rows.push({ x, y, color: rand() < 0.5 ? 'blue' : 'red', cls: x + y > 0 ? 'pos' : 'neg' });
  }
  return rows;
}

export interface TrainedBundle {
  manifest: BundleManifest;
  files: Array<{ path: string; bytes: Uint8Array }>;
}

/** The manifest of hand-made bundle files: no run, no dataset, every file's sha256 and size. */
export function bundleManifest(opts: {
  task: BundleManifest['task'];
  signature: BundleManifest['signature'];
  preprocessing: BundleManifest['preprocessing'];
  files: TrainedBundle['files'];
  codeRevision: string;
}): BundleManifest {
  return {
    formatVersion: BUNDLE_FORMAT_VERSION,
    task: opts.task,
    signature: opts.signature,
    preprocessing: opts.preprocessing,
    metrics: {},
    lineage: externalLineage(opts.codeRevision),
    files: opts.files.map((f) => ({
      path: f.path,
      sha256: sha256Hex(f.bytes),
      size: f.bytes.byteLength,
    })),
  };
}

/** A real bundle: fitted preprocessing, a trained dense classifier, its files and sha256s. */
export class BundleFactory {
  private model: LayersModel | null = null;

  /** `hidden`: units of the one hidden layer (8; more than ≈ 100 runs on the tensor engine). */
  constructor(private readonly hidden = 8) {}

  private readonly rows = makeRows(300);
  private readonly prep = fitPreprocessing(FEATURES, TARGET, 'classification', this.rows);

  /** Train `epochs` more epochs and package the model as it is now. */
  async next(epochs: number): Promise<TrainedBundle> {
    await initBackend('auto');
    const tf = getTf();
    if (!this.model) {
      const model = tf.sequential();
      model.add(
        tf.layers.dense({
          inputShape: [this.prep.inputWidth],
          units: this.hidden,
          activation: 'relu',
        }),
      );
      model.add(tf.layers.dense({ units: 2, activation: 'softmax' }));
      model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
      this.model = model;
    }
    const xs = tf.tensor2d(encodeFeatures(this.prep, this.rows), [
      this.rows.length,
      this.prep.inputWidth,
    ]);
    const ys = tf.tensor2d(encodeTargets(this.prep, this.rows), [this.rows.length, 2]);
    await this.model.fit(xs, ys, { epochs, batchSize: 32, verbose: 0 });
    xs.dispose();
    ys.dispose();

    const files = await serializeModel(this.model);
    files.push({
      path: 'profile.json',
      // The training split's profile, as the trainer writes it: serving flags far-out inputs by it.
      bytes: new TextEncoder().encode(JSON.stringify(profileRows(FEATURES, this.rows))),
    });
    const manifest = bundleManifest({
      task: 'classification',
      signature: {
        inputs: FEATURES,
        output: { task: 'classification', target: 'cls', labels: ['neg', 'pos'] },
      },
      preprocessing: this.prep,
      files,
      codeRevision: 'test',
    });
    return { manifest, files };
  }

  dispose(): void {
    this.model?.dispose();
    this.model = null;
  }
}

/** Store a bundle's blobs and register it as `version` of `model`. */
export function publish(
  source: MemoryModelSource,
  model: string,
  version: number,
  bundle: TrainedBundle,
): void {
  for (const f of bundle.files) source.putBlob(sha256Hex(f.bytes), f.bytes);
  source.addVersion(model, version, bundle.manifest);
}

/**
 * Register a bundle whose weights are stored under their sha256 but with one byte changed:
 * what a corrupt object store or a tampered artifact looks like to the loader.
 */
export function publishCorrupt(
  source: MemoryModelSource,
  model: string,
  version: number,
  bundle: TrainedBundle,
): void {
  for (const f of bundle.files) {
    const bytes = new Uint8Array(f.bytes);
    if (f.path === 'weights.bin') bytes[0] = (bytes[0] ?? 0) ^ 0xff;
    source.putBlob(sha256Hex(f.bytes), bytes);
  }
  source.addVersion(model, version, bundle.manifest);
}
