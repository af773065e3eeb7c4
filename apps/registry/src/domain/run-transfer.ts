import {
  AppError,
  isImageColumn,
  type DatasetVersion,
  type ModelVersion,
  type TrainingSpec,
  type TransferBase,
} from '@mlops/contracts';
// Not the bundle entry: that one loads TF.js, which the registry loads only to check imports.
import { MODEL_JSON, parseModelJson } from '@mlops/ml/model-json';
import type { RegistryDeps } from '../deps';
import { readAll } from './read-all';
import { getVersionOrThrow, resolveAlias } from './versions';

/** The largest image a training run decodes (trainingImageSchema's bound). */
const MAX_TRAINING_SIDE = 256;

function refuse(path: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, [{ path, message }]);
}

async function baseVersion(deps: RegistryDeps, base: TransferBase): Promise<ModelVersion> {
  try {
    return base.alias !== undefined
      ? await resolveAlias(deps, base.model, base.alias)
      : await getVersionOrThrow(deps, base.model, base.version!);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'NOT_FOUND') throw err;
    const which = base.alias !== undefined ? `alias "${base.alias}"` : `version ${base.version}`;
    throw new AppError('NOT_FOUND', `transfer base: ${err.message}`, [
      { path: 'transfer.base', message: `no ${which} of model "${base.model}"` },
    ]);
  }
}

/**
 * A transfer run must start from a version the trainer can cut and train: a TF.js layers model
 * with one image input (its decoding declared, so the run decodes the same pixels) and one
 * output. Returns the spec with the base pinned to its version — an alias is resolved now, so a
 * retry trains on the same base — and the run's image decoding set to the base's.
 */
export async function pinTransferBase(
  deps: RegistryDeps,
  spec: TrainingSpec,
  dataset: DatasetVersion,
): Promise<TrainingSpec> {
  const { transfer } = spec;
  if (!transfer) return spec;
  if (!dataset.schema.columns.some(isImageColumn))
    throw refuse(
      'transfer',
      `transfer learning trains on images; dataset ${dataset.name} v${dataset.version} has no image column`,
    );
  const base = await baseVersion(deps, transfer.base);
  const named = `base ${base.model} v${base.version}`;
  const tensors = base.manifest.signature.tensors;
  const input = tensors?.inputs[0];
  if (!tensors || tensors.inputs.length !== 1 || tensors.outputs.length !== 1 || !input)
    throw refuse(
      'transfer.base',
      `${named} is not a model with one tensor input and one output; transfer needs an image model`,
    );
  if (input.kind !== 'image')
    throw refuse(
      'transfer.base',
      `${named} takes a raw tensor "${input.name}" with no declared image decoding; import it with --image (size, channels, scale) so the run decodes pixels the way it was trained`,
    );
  const { height, width, channels } = input.decoding;
  if (channels === 4 || height > MAX_TRAINING_SIDE || width > MAX_TRAINING_SIDE)
    throw refuse(
      'transfer.base',
      `${named} takes ${height}×${width}×${channels} images; training decodes at most ${MAX_TRAINING_SIDE}×${MAX_TRAINING_SIDE} with 1 or 3 channels`,
    );
  const declared = spec.image;
  if (
    declared &&
    (declared.height !== height || declared.width !== width || declared.channels !== channels)
  )
    throw refuse(
      'image',
      `${named} takes ${height}×${width}×${channels} images; the run asks for ${declared.height}×${declared.width}×${declared.channels} — leave image out to use the base's`,
    );
  const modelJson = base.manifest.files.find((f) => f.path === MODEL_JSON);
  if (!modelJson) throw refuse('transfer.base', `${named} has no ${MODEL_JSON}`);
  const format = parseModelJson(await readAll(await deps.store.get(modelJson.sha256))).format;
  if (format !== 'layers-model')
    throw refuse(
      'transfer.base',
      `${named} is a TF.js ${format}: its layers cannot be cut or frozen; transfer needs a layers model (e.g. a Keras export converted with --output_format tfjs_layers_model)`,
    );
  return {
    ...spec,
    image: { height, width, channels },
    transfer: { ...transfer, base: { model: base.model, version: base.version } },
  };
}
