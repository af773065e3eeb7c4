import type * as tfTypes from '@tensorflow/tfjs';
import { AppError, type BundleManifest } from '@mlops/contracts';
import { getTf } from '../backend/backend';
import { sha256Hex } from './hash';
import { MODEL_JSON } from './serialize';

interface ModelJson {
  modelTopology: Record<string, unknown>;
  weightsManifest: Array<{ paths: string[]; weights: tfTypes.io.WeightsManifestEntry[] }>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Structural check of model.json (this package has no zod of its own; the shape is small). */
function isModelJson(value: unknown): value is ModelJson {
  if (!isRecord(value) || !isRecord(value.modelTopology)) return false;
  const groups = value.weightsManifest;
  return (
    Array.isArray(groups) &&
    groups.length > 0 &&
    groups.every(
      (g) =>
        isRecord(g) &&
        Array.isArray(g.paths) &&
        g.paths.every((p) => typeof p === 'string') &&
        Array.isArray(g.weights) &&
        g.weights.every((w) => isRecord(w) && typeof w.name === 'string' && Array.isArray(w.shape)),
    )
  );
}

/**
 * Check that every file of the manifest is present with its recorded size and sha256: a model is
 * never loaded from bytes that differ from what was registered.
 */
export function verifyBundleFiles(
  manifest: BundleManifest,
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

function parseModelJson(bytes: Uint8Array): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new AppError('PRECONDITION_FAILED', `Bundle file "${MODEL_JSON}" is not valid JSON`);
  }
  if (!isModelJson(json)) {
    throw new AppError(
      'PRECONDITION_FAILED',
      `Bundle file "${MODEL_JSON}" is not a TF.js layers model (needs modelTopology and weightsManifest)`,
    );
  }
  return json;
}

/** Verify the files, then load the Layers model from memory (no filesystem, no HTTP). */
export async function loadBundleModel(
  manifest: BundleManifest,
  files: ReadonlyMap<string, Uint8Array>,
): Promise<tfTypes.LayersModel> {
  verifyBundleFiles(manifest, files);
  const listed = new Set(manifest.files.map((f) => f.path));
  const modelBytes = files.get(MODEL_JSON);
  if (!listed.has(MODEL_JSON) || !modelBytes) {
    throw new AppError('PRECONDITION_FAILED', `Bundle has no "${MODEL_JSON}" in its manifest`);
  }
  const modelJson = parseModelJson(modelBytes);

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

  const tf = getTf();
  const weightSpecs = modelJson.weightsManifest.flatMap((g) => g.weights);
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs,
        weightData: weightData.buffer,
      }),
    );
  } catch (err) {
    throw new AppError(
      'PRECONDITION_FAILED',
      `Bundle model could not be loaded: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
}
