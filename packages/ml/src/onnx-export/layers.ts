import { FloatAttr } from './graph';
import {
  activation,
  channelShape,
  inLayout,
  OnnxExportError,
  only,
  requireWeight,
  weight,
  type Converter,
} from './ops';
import { conv2d, depthwiseConv2d, globalPool, pool, separableConv2d, zeroPadding } from './spatial';

export type { Shapes } from './ops';

const dense: Converter = (ctx, layer, inputs, config) => {
  const g = ctx.graph;
  const x = inLayout(ctx, only(layer, inputs), 'nhwc');
  const kernel = requireWeight(layer, 'kernel'); // [in, out]
  const bias = weight(layer, 'bias');
  const w = g.floats(`${layer.name}/W`, kernel.shape, kernel.values);
  const b = bias ? g.floats(`${layer.name}/B`, [bias.values.length], bias.values) : null;
  let out: string;
  if (x.rank === 2) out = g.node('Gemm', b ? [x.name, w, b] : [x.name, w], layer.name);
  else {
    // TF.js applies a dense layer to the last axis of a higher-rank input.
    out = g.node('MatMul', [x.name, w], layer.name);
    if (b) out = g.node('Add', [out, b], `${layer.name}/bias`);
  }
  return activation(
    ctx,
    { name: out, rank: x.rank, layout: x.layout },
    config.activation,
    `${layer.name}/act`,
  );
};

/** Inference form: y = x·scale + shift with the moving statistics folded in (float64 math). */
const batchNorm: Converter = (ctx, layer, inputs, config) => {
  const x = only(layer, inputs);
  const axis = Number(config.axis ?? -1);
  if (axis !== -1 && axis !== x.rank - 1)
    throw new OnnxExportError(
      `layer "${layer.name}": batch normalization over axis ${axis} is not exported (last axis only)`,
    );
  const mean = requireWeight(layer, 'moving_mean').values;
  const variance = requireWeight(layer, 'moving_variance').values;
  const gamma = weight(layer, 'gamma')?.values;
  const beta = weight(layer, 'beta')?.values;
  const eps = Number(config.epsilon ?? 1e-3);
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    const s = (gamma?.[c] ?? 1) / Math.sqrt(variance[c]! + eps);
    scale[c] = s;
    shift[c] = (beta?.[c] ?? 0) - mean[c]! * s;
  }
  const g = ctx.graph;
  const shape = channelShape(x, mean.length);
  const scaled = g.node(
    'Mul',
    [x.name, g.floats(`${layer.name}/scale`, shape, scale)],
    `${layer.name}/mul`,
  );
  return {
    ...x,
    name: g.node('Add', [scaled, g.floats(`${layer.name}/shift`, shape, shift)], layer.name),
  };
};

const flatten: Converter = (ctx, layer, inputs) => {
  const x = inLayout(ctx, only(layer, inputs), 'nhwc');
  if (x.rank === 2) return x;
  return {
    name: ctx.graph.node('Flatten', [x.name], layer.name, { axis: 1 }),
    rank: 2,
    layout: 'plain',
  };
};

const reshape: Converter = (ctx, layer, inputs, _config, shapes) => {
  const x = inLayout(ctx, only(layer, inputs), 'nhwc');
  const target = shapes.output.slice(1);
  if (target.some((d) => d === null))
    throw new OnnxExportError(`layer "${layer.name}": reshape to a dynamic shape is not exported`);
  const shape = ctx.graph.int64s(`${layer.name}/shape`, [-1, ...(target as number[])]);
  const rank = target.length + 1;
  return {
    name: ctx.graph.node('Reshape', [x.name, shape], layer.name),
    rank,
    layout: rank === 4 ? 'nhwc' : 'plain',
  };
};

const identity: Converter = (_ctx, layer, inputs) => only(layer, inputs);

const activationLayer: Converter = (ctx, layer, inputs, config) =>
  activation(ctx, only(layer, inputs), config.activation, layer.name);

const reluLayer: Converter = (ctx, layer, inputs, config) => {
  const x = only(layer, inputs);
  const g = ctx.graph;
  if (config.maxValue === null || config.maxValue === undefined)
    return { ...x, name: g.node('Relu', [x.name], layer.name) };
  const max = g.scalar(`${layer.name}/max`, Number(config.maxValue));
  return {
    ...x,
    name: g.node('Clip', [x.name, g.scalar(`${layer.name}/min`, 0), max], layer.name),
  };
};

const leakyRelu: Converter = (ctx, layer, inputs, config) => {
  const x = only(layer, inputs);
  const alpha = new FloatAttr(Number(config.alpha ?? 0.3));
  return { ...x, name: ctx.graph.node('LeakyRelu', [x.name], layer.name, { alpha }) };
};

const softmaxLayer: Converter = (ctx, layer, inputs, config) => {
  const axis = Number(config.axis ?? -1);
  const x = only(layer, inputs);
  if (axis !== -1 && axis !== x.rank - 1)
    throw new OnnxExportError(
      `layer "${layer.name}": softmax over axis ${axis} is not exported (last axis only)`,
    );
  return activation(ctx, x, 'softmax', layer.name);
};

/** Element-wise merges: every input in the first input's layout. */
function merge(op: 'Add' | 'Mul' | 'Sub' | 'Max' | 'Min' | 'Mean'): Converter {
  return (ctx, layer, inputs) => {
    if (inputs.length < 2)
      throw new OnnxExportError(`layer "${layer.name}" merges ${inputs.length} inputs`);
    const first = inputs[0]!;
    const names = inputs.map(
      (v) => (first.layout === 'plain' ? v : inLayout(ctx, v, first.layout)).name,
    );
    if (op === 'Sub' && names.length !== 2)
      throw new OnnxExportError(`layer "${layer.name}": subtract takes 2 inputs`);
    if (op === 'Add' || op === 'Mul') {
      let out = names[0]!;
      names.slice(1).forEach((n, i) => {
        out = ctx.graph.node(
          op,
          [out, n],
          i === names.length - 2 ? layer.name : `${layer.name}/${i}`,
        );
      });
      return { ...first, name: out };
    }
    return { ...first, name: ctx.graph.node(op, names, layer.name) };
  };
}

const concatenate: Converter = (ctx, layer, inputs, config) => {
  const first = inputs[0]!;
  const rank = first.rank;
  let axis = Number(config.axis ?? -1);
  if (axis < 0) axis += rank;
  const layout = first.layout === 'nchw' ? 'nchw' : 'nhwc';
  const names = inputs.map((v) => inLayout(ctx, v, layout).name);
  // An NHWC axis in NCHW order: channels (3) move to 1, height and width shift right.
  const onnxAxis = rank === 4 && layout === 'nchw' ? [0, 2, 3, 1][axis]! : axis;
  return {
    ...first,
    layout: rank === 4 ? layout : first.layout,
    name: ctx.graph.node('Concat', names, layer.name, { axis: onnxAxis }),
  };
};

/** Every TF.js layer class the exporter converts; any other fails the export by name. */
export const CONVERTERS: Record<string, Converter> = {
  Dense: dense,
  Conv2D: conv2d,
  DepthwiseConv2D: depthwiseConv2d,
  SeparableConv2D: separableConv2d,
  MaxPooling2D: pool('MaxPool'),
  AveragePooling2D: pool('AveragePool'),
  GlobalAveragePooling2D: globalPool('GlobalAveragePool', 'ReduceMean'),
  GlobalMaxPooling2D: globalPool('GlobalMaxPool', 'ReduceMax'),
  BatchNormalization: batchNorm,
  Flatten: flatten,
  Reshape: reshape,
  // Identity at inference: TF.js applies them only while training.
  Dropout: identity,
  SpatialDropout1D: identity,
  GaussianNoise: identity,
  GaussianDropout: identity,
  AlphaDropout: identity,
  Activation: activationLayer,
  ReLU: reluLayer,
  LeakyReLU: leakyRelu,
  Softmax: softmaxLayer,
  ZeroPadding2D: zeroPadding,
  Add: merge('Add'),
  Multiply: merge('Mul'),
  Subtract: merge('Sub'),
  Maximum: merge('Max'),
  Minimum: merge('Min'),
  Average: merge('Mean'),
  Concatenate: concatenate,
};
