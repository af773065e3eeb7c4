export { buildModel, disposeModel, PRESET_HIDDEN_UNITS, layerSeed, cnnInputShape } from './build';
export type { BuildModelOptions } from './build';
export { buildImageModel, IMAGE_INPUT_NAME, IMAGE_OUTPUT_NAME } from './image';
export type { BuildImageModelOptions } from './image';
export { buildHead, cutBase, freezeBase, weightedLayers } from './transfer';
export type { CutBase, HeadOptions } from './transfer';
