export { fitPreprocessing, featureWidth } from './fit';
export { encodeFeatures, encodeTargets, encodeLabelIndices } from './encode';
export { decodePredictions } from './decode';
export { PreprocessingBuilder } from './builder';
export { datetimeFeatureNames } from './datetime';
