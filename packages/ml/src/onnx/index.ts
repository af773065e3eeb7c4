export { readOnnxModel, ONNX_MAX_FILE_BYTES, type OnnxModelInfo } from './read-model';
export {
  createOnnxSession,
  DEFAULT_ONNX_SESSION_OPTIONS,
  type OnnxData,
  type OnnxSession,
  type OnnxSessionOptions,
  type OnnxTensorValue,
} from './session';
export {
  createOnnxRowPredictor,
  onnxTabularProblems,
  type OnnxRowPredictor,
} from './row-predictor';
export {
  createOnnxTensorPredictor,
  onnxDryRun,
  onnxTensorSpecs,
  type OnnxTensorPredictor,
} from './tensor-predictor';
