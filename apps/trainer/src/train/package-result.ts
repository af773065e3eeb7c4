import type * as tfTypes from '@tensorflow/tfjs';
import type { DataRow, DatasetProfile, Preprocessing, Signature } from '@mlops/contracts';
import { serializeModel } from '@mlops/ml/bundle';
import type { ResolvedColumns } from './columns';
import { evaluateModel } from './evaluate';
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
}

/** The tail shared by both training paths: metrics, model files, profile and signature. */
export async function packageResult(
  input: PackageInput,
): Promise<Pick<TrainOutput, 'files' | 'preprocessing' | 'signature' | 'metrics' | 'profile'>> {
  const { model, prep, features, target } = input;
  const metrics = await evaluateModel(model, prep, input.test);
  const modelFiles = await serializeModel(model);
  const profile = input.profile();
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
    ],
    preprocessing: prep,
    signature,
    metrics,
    profile,
  };
}
