import type * as tfTypes from '@tensorflow/tfjs';
import { AppError, type BundleManifest } from '@mlops/contracts';
import { getTf } from '../backend/backend';
import { sha256Hex } from './hash';
import { MODEL_JSON, parseModelJson, type ModelJson } from './model-json';

/**
 * What serving needs of a loaded model, whatever its format. A `tf.LayersModel` is one as is;
 * a `tf.GraphModel` is wrapped (its `predict` may answer a named map, which bundles never use).
 */
export interface BundleModel {
  /** One entry per model input; `shape` is [batch, width] for the models bundles hold. */
  readonly inputs: ReadonlyArray<{ readonly shape?: ReadonlyArray<number | null> | undefined }>;
  /** `batchSize` is how many rows a Layers model runs at once (its default is 32). */
  predict(x: tfTypes.Tensor, args?: { batchSize?: number }): tfTypes.Tensor | tfTypes.Tensor[];
  dispose(): void;
}

/**
 * Check that every file of the manifest is present with its recorded size and sha256: a model is
 * never loaded from bytes that differ from what was registered.
 */
export function verifyBundleFiles(
  manifest: Pick<BundleManifest, 'files'>,
  files: ReadonlyMap<string, Uint8Array>,
): void {
  for (const file of manifest.files) {
    const bytes = files.get(file.path);
    if (!bytes) {
      throw new AppError(
        'PRECONDITION_FAILED',
        `Bundle file "${file.path}" is missing: download it again`,
      );
    }
    if (bytes.byteLength !== file.size) {
      throw new AppError(
        'PRECONDITION_FAILED',
        `Bundle file "${file.path}" has ${bytes.byteLength} bytes, the manifest says ${file.size}: it is truncated or corrupt`,
      );
    }
    const actual = sha256Hex(bytes);
    if (actual !== file.sha256) {
      throw new AppError(
        'PRECONDITION_FAILED',
        `Bundle file "${file.path}" has sha256 ${actual}, the manifest says ${file.sha256}: it is corrupt or from another version`,
      );
    }
  }
}

/** A graph model behind the bundle interface: one tensor in, the output tensor(s) out. */
class GraphBundleModel implements BundleModel {
  constructor(private readonly graph: tfTypes.GraphModel) {}

  get inputs(): BundleModel['inputs'] {
    return this.graph.inputs;
  }

  predict(x: tfTypes.Tensor): tfTypes.Tensor | tfTypes.Tensor[] {
    const y = this.graph.predict(x);
    if (Array.isArray(y) || isTensor(y)) return y;
    // A named map (several signature outputs): the caller refuses more than one output.
    return Object.values(y);
  }

  dispose(): void {
    this.graph.dispose();
  }
}

function isTensor(value: unknown): value is tfTypes.Tensor {
  return value instanceof getTf().Tensor;
}

/** The weight shards in manifest order, each one a verified file of the bundle. */
function concatShards(
  modelJson: ModelJson,
  listed: ReadonlySet<string>,
  files: ReadonlyMap<string, Uint8Array>,
): Uint8Array {
  const shards: Uint8Array[] = [];
  for (const group of modelJson.weightsManifest) {
    for (const path of group.paths) {
      const shard = files.get(path);
      // Only verified files may feed the model: a shard outside the manifest was never checked.
      if (!listed.has(path) || !shard) {
        throw new AppError(
          'PRECONDITION_FAILED',
          `Weights file "${path}" named by ${MODEL_JSON} is not a file of the bundle manifest`,
        );
      }
      shards.push(shard);
    }
  }
  const total = shards.reduce((n, s) => n + s.byteLength, 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const shard of shards) {
    weightData.set(shard, offset);
    offset += shard.byteLength;
  }
  return weightData;
}

/** A loaded TF.js model of either serialisation, before it is wrapped for a use. */
export type TfModel =
  | { format: 'layers-model'; model: tfTypes.LayersModel }
  | { format: 'graph-model'; model: tfTypes.GraphModel };

/**
 * Verify the files, then load the TF.js model from memory (no filesystem, no HTTP): a Layers
 * model (what the trainer writes) or a graph model (`format: "graph-model"`, e.g. converted
 * from a Keras or SavedModel export and imported with `versions.import`).
 */
export async function loadTfModel(
  manifest: Pick<BundleManifest, 'files'>,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<TfModel> {
  verifyBundleFiles(manifest, files);
  const listed = new Set(manifest.files.map((f) => f.path));
  const modelBytes = files.get(MODEL_JSON);
  if (!listed.has(MODEL_JSON) || !modelBytes) {
    throw new AppError('PRECONDITION_FAILED', `Bundle has no "${MODEL_JSON}" in its manifest`);
  }
  const modelJson = parseModelJson(modelBytes);
  const weightData = concatShards(modelJson, listed, files);

  const tf = getTf();
  const handler = tf.io.fromMemory({
    format: modelJson.format,
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData: weightData.buffer,
    ...(modelJson.signature ? { signature: modelJson.signature } : {}),
    ...(modelJson.userDefinedMetadata
      ? { userDefinedMetadata: modelJson.userDefinedMetadata }
      : {}),
    ...(modelJson.modelInitializer ? { modelInitializer: modelJson.modelInitializer } : {}),
  });
  try {
    if (modelJson.format === 'graph-model') {
      return { format: 'graph-model', model: await tf.loadGraphModel(handler) };
    }
    return { format: 'layers-model', model: await tf.loadLayersModel(handler) };
  } catch (err) {
    throw new AppError(
      'PRECONDITION_FAILED',
      `Bundle model could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}

/** The model of a tabular bundle: one [batch, width] input, one output. */
export async function loadBundleModel(
  manifest: BundleManifest,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<BundleModel> {
  const loaded = await loadTfModel(manifest, files);
  return loaded.format === 'graph-model' ? new GraphBundleModel(loaded.model) : loaded.model;
}
