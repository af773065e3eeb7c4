export { mulberry32, shuffleInPlace, splitIndices } from './split';
export type { SplitOptions, SplitIndices } from './split';
