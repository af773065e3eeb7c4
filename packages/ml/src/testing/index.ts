/**
 * Model files for tests and benchmarks of every workspace (`@mlops/ml/testing`): graph models
 * as tensorflowjs_converter writes them, and a real MobileNetV2 from an npm package. Not used
 * by any app at run time.
 */
export { graphModelFiles } from './graph-model';
export { GRAPH_TENSOR_W, graphTensorModelFiles } from './graph-tensor-model';
export { nsfwjsMobileNetV2 } from './npm-model';
