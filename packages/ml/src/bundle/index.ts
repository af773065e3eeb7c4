export { serializeModel, MODEL_JSON, WEIGHTS_BIN } from './serialize';
export { loadBundleModel, verifyBundleFiles, type BundleModel } from './load';
export { parseModelJson, weightPathsOf, type ModelJson, type ModelFormat } from './model-json';
export { importedPreprocessing, checkModelFits, type ImportedInput } from './imported';
export { sha256Hex } from './hash';
export { compileDensePlan, type DensePlan, type DensePlanOptions } from './dense-plan';
export {
  JS_PLAN_MAX_MULTIPLY_ADDS,
  createPredictor,
  modelPredictor,
  type Predictor,
  type PredictorOptions,
} from './predictor';
export { loadTfModel, type TfModel } from './load';
export { loadTensorModel, tensorModelOf, type TensorModel, type TensorSpec } from './tensor-model';
export {
  resolveTensorSignature,
  resolveTensorSignatureWith,
  type DryRun,
  type TensorImportRequest,
  type TensorImportResult,
} from './tensor-import';
export {
  checkTensorFeeds,
  createTensorPredictor,
  type TensorPredictor,
  type TensorValue,
} from './tensor-predictor';
export { predictRows } from './predict-rows';
