import type * as tfTypes from '@tensorflow/tfjs';
import {
  modelTestsSpecSchema,
  type Column,
  type DataRow,
  type ModelTests,
  type ModelTestsSpec,
  type Preprocessing,
} from '@mlops/contracts';
import { predictRaw } from '../evaluate';
import { behaviouralTests } from './behavioural';
import { platformTests } from './platform';
import { bundleChecks, REPLAY_EXAMPLES } from './replay';

export interface ModelTestsInput {
  model: tfTypes.LayersModel;
  prep: Preprocessing;
  features: readonly Column[];
  train: readonly DataRow[];
  test: readonly DataRow[];
  /** The serialized model files (`model.json`, weights), as they will be uploaded. */
  modelFiles: ReadonlyArray<{ path: string; bytes: Uint8Array }>;
  /** The run's `spec.tests` (bounds and declared behavioural tests); defaults when absent. */
  spec?: ModelTestsSpec | undefined;
}

/**
 * Every model test of a tabular version, on the held-out split this run controls: baselines and
 * lift, slices, calibration, the example replay, budgets and the declared behavioural tests.
 * None is skipped silently: a test that could not run is a failed result saying why.
 */
export async function runModelTests(input: ModelTestsInput): Promise<ModelTests> {
  const bounds = input.spec ?? modelTestsSpecSchema.parse({});
  const predict = (rows: readonly DataRow[]) => predictRaw(input.model, input.prep, rows);
  const output = await predict(input.test);
  const platform = platformTests({
    prep: input.prep,
    features: input.features,
    train: input.train,
    test: input.test,
    output,
    bounds,
  });
  const examples = input.test.slice(0, REPLAY_EXAMPLES);
  const width = input.prep.target.kind === 'label-encode' ? input.prep.target.labels.length : 1;
  const bundle = await bundleChecks({
    files: input.modelFiles,
    prep: input.prep,
    examples,
    expected: output.slice(0, examples.length * width),
    bounds,
  });
  const behavioural = await behaviouralTests(bounds.behavioural, {
    prep: input.prep,
    features: input.features,
    test: input.test,
    predict,
  });
  return {
    results: [...platform.results, ...bundle.results, ...behavioural],
    baselineLift: platform.baselineLift,
    baselines: platform.baselines,
    slices: platform.slices,
    calibration: platform.calibration,
    rows: input.test.length,
  };
}
