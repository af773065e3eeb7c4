export {
  buildOnnxModel,
  convClassifier,
  mlpClassifier,
  seededValues,
  type GraphSpec,
  type MlpOptions,
  type ConvOptions,
} from './build-graph';
