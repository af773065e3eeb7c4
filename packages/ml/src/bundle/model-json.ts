import type * as tfTypes from '@tensorflow/tfjs';
import { AppError } from '@mlops/contracts';

export const MODEL_JSON = 'model.json';

/** The two TF.js serialisations a bundle may hold: `tf.loadLayersModel` or `tf.loadGraphModel`. */
export type ModelFormat = 'layers-model' | 'graph-model';

/** The parts of a TF.js `model.json` the platform reads (the rest is passed through to TF.js). */
export interface ModelJson {
  format: ModelFormat;
  modelTopology: Record<string, unknown>;
  weightsManifest: Array<{ paths: string[]; weights: tfTypes.io.WeightsManifestEntry[] }>;
  /** Graph models: inputs/outputs by name, as written by the converter. */
  signature?: Record<string, unknown>;
  userDefinedMetadata?: Record<string, unknown>;
  modelInitializer?: Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isWeightsManifest(value: unknown): value is ModelJson['weightsManifest'] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
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
 * Which format a model.json is. `format` is written by TF.js and the converter; older files lack
 * it, so a topology with a `node` list (a GraphDef) is a graph model and anything else layers.
 */
function formatOf(json: Record<string, unknown>, topology: Record<string, unknown>): ModelFormat {
  if (json.format === 'graph-model') return 'graph-model';
  if (json.format === 'layers-model') return 'layers-model';
  return Array.isArray(topology.node) ? 'graph-model' : 'layers-model';
}

/**
 * Parse and structurally check model.json (this package has no zod of its own; the shape is
 * small). Throws `code` (PRECONDITION_FAILED when loading a registered bundle, VALIDATION_FAILED
 * when a client imports one) with a message naming the file.
 */
export function parseModelJson(
  bytes: Uint8Array,
  code: 'PRECONDITION_FAILED' | 'VALIDATION_FAILED' = 'PRECONDITION_FAILED',
): ModelJson {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new AppError(code, `Bundle file "${MODEL_JSON}" is not valid JSON`);
  }
  if (
    !isRecord(json) ||
    !isRecord(json.modelTopology) ||
    !isWeightsManifest(json.weightsManifest)
  ) {
    throw new AppError(
      code,
      `Bundle file "${MODEL_JSON}" is not a TF.js model (needs modelTopology and weightsManifest)`,
    );
  }
  const format = formatOf(json, json.modelTopology);
  return {
    format,
    modelTopology: json.modelTopology,
    weightsManifest: json.weightsManifest,
    ...(isRecord(json.signature) ? { signature: json.signature } : {}),
    ...(isRecord(json.userDefinedMetadata)
      ? { userDefinedMetadata: json.userDefinedMetadata }
      : {}),
    ...(isRecord(json.modelInitializer) ? { modelInitializer: json.modelInitializer } : {}),
  };
}

/** Every weight file model.json names, in manifest order. */
export function weightPathsOf(modelJson: ModelJson): string[] {
  return modelJson.weightsManifest.flatMap((g) => g.paths);
}
