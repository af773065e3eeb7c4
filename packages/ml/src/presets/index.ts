export { buildModel, disposeModel, PRESET_HIDDEN_UNITS, layerSeed } from './build';
export type { BuildModelOptions } from './build';
