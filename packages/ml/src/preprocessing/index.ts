export { fitPreprocessing, featureWidth } from './fit';
export {
  encodeColumnsInto,
  encodeFeatures,
  encodeFeaturesInto,
  encodeLabelIndices,
  encodeTargets,
} from './encode';
export { decodePredictions } from './decode';
export { PreprocessingBuilder } from './builder';
export { datetimeFeatureNames } from './datetime';
