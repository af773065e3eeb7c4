import {
  AppError,
  BUNDLE_FORMAT_VERSION,
  type BackendName,
  type BundleFile,
  type BundleManifest,
  type Lineage,
  type Run,
  type TrainingSpec,
} from '@mlops/contracts';
import { sha256Hex } from '@mlops/ml/bundle';
import { tfjsVersion } from '@mlops/ml/backend';
import type { TrainerRegistry } from '../registry';
import type { TrainOutput } from './pipeline';

/** Upload every bundle file as a content-addressed blob; the registry's answer must match. */
export async function uploadBundleFiles(
  registry: Pick<TrainerRegistry, 'uploadBlob'>,
  files: TrainOutput['files'],
): Promise<BundleFile[]> {
  const out: BundleFile[] = [];
  for (const file of files) {
    const sha256 = sha256Hex(file.bytes);
    const ref = await registry.uploadBlob(file.bytes);
    if (ref.sha256 !== sha256 || ref.size !== file.bytes.byteLength) {
      throw new AppError(
        'INTERNAL',
        `Registry stored "${file.path}" as ${ref.sha256} (${ref.size} bytes), expected ${sha256} (${file.bytes.byteLength} bytes)`,
      );
    }
    out.push({ path: file.path, sha256, size: file.bytes.byteLength });
  }
  return out;
}

export interface ManifestInput {
  run: Pick<Run, 'id' | 'datasetId' | 'datasetHash'>;
  spec: TrainingSpec;
  output: Pick<TrainOutput, 'signature' | 'preprocessing' | 'metrics' | 'onnx'>;
  files: BundleFile[];
  backend: BackendName;
  codeRevision: string;
  /** A transfer run's base version. */
  base?: Lineage['base'];
  /** Columns the default features skipped, with why. */
  skippedFeatures?: Record<string, string>;
}

export function buildManifest(input: ManifestInput): BundleManifest {
  const { spec } = input;
  return {
    formatVersion: BUNDLE_FORMAT_VERSION,
    task: spec.task,
    signature: input.output.signature,
    preprocessing: input.output.preprocessing,
    metrics: input.output.metrics,
    lineage: {
      runId: input.run.id,
      datasetId: input.run.datasetId,
      datasetHash: input.run.datasetHash,
      codeRevision: input.codeRevision.slice(0, 100),
      // A transfer run's architecture is its base's plus a head, not a preset's.
      preset: spec.transfer ? null : spec.preset,
      hyperparameters: spec.hyperparameters,
      seed: spec.seed,
      backend: input.backend,
      tfjsVersion: tfjsVersion(),
      ...(input.base ? { base: input.base } : {}),
      ...(input.skippedFeatures && Object.keys(input.skippedFeatures).length > 0
        ? { skippedFeatures: input.skippedFeatures }
        : {}),
    },
    files: input.files,
    // Only a verified export is described; a skipped one left no file in the bundle.
    ...(input.output.onnx && 'artifact' in input.output.onnx
      ? { onnx: input.output.onnx.artifact }
      : {}),
  };
}
