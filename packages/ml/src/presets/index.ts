export { buildModel, disposeModel, PRESET_HIDDEN_UNITS, layerSeed, cnnInputShape } from './build';
export type { BuildModelOptions } from './build';
