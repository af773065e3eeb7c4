export { serializeModel, MODEL_JSON, WEIGHTS_BIN } from './serialize';
export { loadBundleModel, verifyBundleFiles } from './load';
export { sha256Hex } from './hash';
