import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  bundleManifestSchema,
  type BundleManifest,
  type Column,
  type DataRow,
} from '@mlops/contracts';
import { getTf, initBackend } from '@mlops/ml/backend';
import { loadBundleModel, serializeModel, sha256Hex, type BundleModel } from '@mlops/ml/bundle';
import { encodeFeatures, encodeTargets, fitPreprocessing } from '@mlops/ml/preprocessing';
import { MemoryModelSource } from '../src/models/memory-source';
import { BundleFactory, bundleManifest, type TrainedBundle } from '../test/support/bundle';

/**
 * The benchmark's models. `mlp` is the MLP of the measured anchors in shared/NOTES.md (32 numeric
 * features → 64 → 64 → 1, regression), the model the issue's floors were set against; `tiny` is
 * the serving tests' classifier (x, y, colour → 8 → 2), where a predict costs so little that
 * HTTP and JSON are nearly all a request costs — both are worth knowing.
 */
export type BenchModel = 'mlp' | 'tiny';

export function describeBenchModel(model: BenchModel): string {
  return model === 'mlp'
    ? 'MLP 32 features → 64 → 64 → 1 (the NOTES.md anchors)'
    : 'tiny classifier x, y, colour → 8 → 2';
}

const MLP_FEATURES: Column[] = Array.from({ length: 32 }, (_, i) => ({
  name: `f${i}`,
  type: 'numeric' as const,
  nullable: false,
}));
const MLP_TARGET: Column = { name: 'y', type: 'numeric', nullable: false };

/** The 32-feature MLP, trained a little on a fixed synthetic regression (y = mean of features). */
async function mlpBundle(): Promise<TrainedBundle> {
  await initBackend('auto');
  const tf = getTf();
  const rows: DataRow[] = Array.from({ length: 512 }, (_, r) => {
    const row: DataRow = {};
    let sum = 0;
    for (let i = 0; i < 32; i++) {
      const v = Math.sin(r * 31 + i * 7);
      row[`f${i}`] = v;
      sum += v;
    }
    row.y = sum / 32;
    return row;
  });
  const prep = fitPreprocessing(MLP_FEATURES, MLP_TARGET, 'regression', rows);
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [prep.inputWidth], units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 1 }));
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
  const xs = tf.tensor2d(encodeFeatures(prep, rows), [rows.length, prep.inputWidth]);
  const ys = tf.tensor2d(encodeTargets(prep, rows), [rows.length, 1]);
  await model.fit(xs, ys, { epochs: 3, batchSize: 64, verbose: 0 });
  tf.dispose([xs, ys]);
  const files = await serializeModel(model);
  model.dispose();
  const manifest = bundleManifest({
    task: 'regression',
    signature: { inputs: MLP_FEATURES, output: { task: 'regression', target: 'y' } },
    preprocessing: prep,
    files,
    codeRevision: 'bench',
  });
  return { manifest, files };
}

/** Train the benchmark's model once and write its bundle to `dir` (manifest + files). */
export async function writeBenchBundle(dir: string, model: BenchModel = 'tiny'): Promise<void> {
  let bundle: TrainedBundle;
  if (model === 'mlp') bundle = await mlpBundle();
  else {
    const factory = new BundleFactory();
    bundle = await factory.next(5);
    factory.dispose();
  }
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(bundle.manifest));
  for (const f of bundle.files) await writeFile(join(dir, f.path), f.bytes);
}

/** Request rows that fit a signature: every input present, the same values each run. */
export function benchRows(inputs: readonly Column[], n: number): DataRow[] {
  return Array.from({ length: n }, (_, r) => {
    const row: DataRow = {};
    inputs.forEach((c, i) => {
      if (c.type === 'numeric') row[c.name] = ((r * 7 + i) % 40) / 10 - 2;
      else if (c.type === 'boolean') row[c.name] = (r + i) % 2 === 0;
      else row[c.name] = c.categories?.[(r + i) % Math.max(1, c.categories.length)] ?? 'a';
    });
    return row;
  });
}

export async function readBenchBundle(
  dir: string,
): Promise<{ manifest: BundleManifest; files: Map<string, Uint8Array> }> {
  const manifest = bundleManifestSchema.parse(
    JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')),
  );
  const files = new Map<string, Uint8Array>();
  for (const f of manifest.files)
    files.set(f.path, new Uint8Array(await readFile(join(dir, f.path))));
  return { manifest, files };
}

/**
 * What the hand-written servers (naive, bare, raw) start from: the backend set up as ours sets it
 * up (prod mode, wasm), the bundle in `dir` read and its model loaded.
 */
export async function loadBenchModel(dir: string) {
  await initBackend('auto');
  const { manifest, files } = await readBenchBundle(dir);
  const model: BundleModel = await loadBundleModel(manifest, files);
  return { tf: getTf(), manifest, prep: manifest.preprocessing, model };
}

/** A memory registry holding the bundle as version 1 of `name`, alias champion. */
export async function benchSource(dir: string, name = 'iris'): Promise<MemoryModelSource> {
  const { manifest, files } = await readBenchBundle(dir);
  const source = new MemoryModelSource();
  for (const bytes of files.values()) source.putBlob(sha256Hex(bytes), bytes);
  source.addVersion(name, 1, manifest);
  source.setAlias(name, 'champion', 1);
  return source;
}

/** The server processes print one line `{"port": N}` on stdout once they answer. */
export function announce(port: number): void {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}
