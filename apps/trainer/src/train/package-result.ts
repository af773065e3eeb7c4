import type * as tfTypes from '@tensorflow/tfjs';
import type {
  DataRow,
  DatasetProfile,
  ModelTestsSpec,
  Preprocessing,
  Signature,
} from '@mlops/contracts';
import { serializeModel } from '@mlops/ml/bundle';
import { encodeFeatures } from '@mlops/ml/preprocessing';
import type { ResolvedColumns } from './columns';
import { evaluateModel } from './evaluate';
import { runModelTests } from './model-tests/run';
import { exportOnnx, ONNX_VERIFY_ROWS } from './onnx';
import type { TrainOutput } from './pipeline';

export const PROFILE_JSON = 'profile.json';

export interface PackageInput extends ResolvedColumns {
  model: tfTypes.LayersModel;
  prep: Preprocessing;
  /** Held-out rows the metrics are computed on. */
  test: readonly DataRow[];
  /**
   * The reference distribution for drift: the training split's features, as the model saw them.
   * Called after the model is serialized.
   */
  profile: () => DatasetProfile;
  /**
   * The training split, when it is in memory: the model tests (baselines fitted on it) then run
   * on the held-out rows. A streamed run has no such split in memory and gets none.
   */
  train?: readonly DataRow[];
  tests?: ModelTestsSpec | undefined;
}

/** The tail shared by both training paths: metrics, model files, profile and signature. */
export async function packageResult(
  input: PackageInput,
): Promise<
  Pick<
    TrainOutput,
    'files' | 'preprocessing' | 'signature' | 'metrics' | 'profile' | 'onnx' | 'modelTests'
  >
> {
  const { model, prep, features, target } = input;
  const metrics = await evaluateModel(model, prep, input.test);
  const modelFiles = await serializeModel(model);
  const modelTests =
    input.train && input.test.length > 0
      ? await runModelTests({
          model,
          prep,
          features,
          train: input.train,
          test: input.test,
          modelFiles,
          spec: input.tests,
        })
      : undefined;
  const profile = input.profile();
  const verifyRows = input.test.slice(0, ONNX_VERIFY_ROWS);
  // The graph takes the encoded features (serving encodes raw records first, as for TF.js).
  const exported = await exportOnnx({
    model,
    x: encodeFeatures(prep, verifyRows),
    rows: verifyRows.length,
    inputName: 'features',
    outputName: prep.target.kind === 'label-encode' ? 'probabilities' : 'prediction',
  });
  const signature: Signature = {
    inputs: features,
    output:
      prep.target.kind === 'label-encode'
        ? { task: 'classification', target: target.name, labels: prep.target.labels }
        : { task: 'regression', target: target.name },
  };
  return {
    files: [
      ...modelFiles,
      { path: PROFILE_JSON, bytes: new TextEncoder().encode(JSON.stringify(profile)) },
      ...(exported.file ? [exported.file] : []),
    ],
    onnx: exported.onnx,
    preprocessing: prep,
    signature,
    metrics,
    profile,
    ...(modelTests ? { modelTests } : {}),
  };
}
