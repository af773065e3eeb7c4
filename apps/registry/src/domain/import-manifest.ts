import {
  AppError,
  BUNDLE_FORMAT_VERSION,
  bundleManifestSchema,
  zodIssuesToDetails,
  type BundleManifest,
  type ErrorDetail,
  type registryApi,
  type Signature,
  type TensorSignature,
  externalLineage,
} from '@mlops/contracts';
import type { z } from 'zod';

/** What both model importers (TF.js and ONNX) build an imported version's manifest from. */
export type ImportInput = z.infer<typeof registryApi.versions.import.input>;

export function invalid(message: string, details: ErrorDetail[]): AppError {
  return new AppError('VALIDATION_FAILED', message, details);
}

/** A model with scalar `inputs` is tabular: tensor declarations are a mistake, said so. */
export function refuseTensorFields(input: ImportInput): void {
  if (input.tensorInputs || input.outputs)
    throw invalid('tensorInputs and outputs are for tensor models, which have no scalar inputs', [
      {
        path: input.tensorInputs ? 'tensorInputs' : 'outputs',
        message: 'leave out inputs to import a tensor model',
      },
    ]);
}

/**
 * The manifest of an imported tensor model (TF.js or ONNX) from the signature read off the
 * model: no scalar features, the target label-encoded (classification) or as is (regression).
 */
export function tensorManifest(
  input: ImportInput,
  resolved: { signature: TensorSignature; labels: string[] | null },
): BundleManifest {
  const output: Signature['output'] = resolved.labels
    ? { task: 'classification', target: input.target, labels: resolved.labels }
    : { task: 'regression', target: input.target };
  return {
    formatVersion: BUNDLE_FORMAT_VERSION,
    task: input.task,
    signature: { inputs: [], output, tensors: resolved.signature },
    preprocessing: {
      features: [],
      target:
        output.task === 'classification'
          ? { kind: 'label-encode', column: output.target, labels: output.labels }
          : { kind: 'standardize', column: output.target, mean: 0, std: 1 },
      inputWidth: 0,
    },
    metrics: input.metrics ?? {},
    lineage: externalLineage('imported'),
    files: input.files,
  };
}

/** The manifest parsed by the contract, its refusals as VALIDATION_FAILED details. */
export function checkedManifest(manifest: BundleManifest): BundleManifest {
  const parsed = bundleManifestSchema.safeParse(manifest);
  if (!parsed.success)
    throw invalid(
      'the signature read from the model is not a valid one',
      zodIssuesToDetails(parsed.error.issues),
    );
  return parsed.data;
}
