import type * as tfTypes from '@tensorflow/tfjs';
import { FloatAttr, type Value } from './graph';
import {
  activation,
  afterSpatial,
  channelShape,
  inLayout,
  OnnxExportError,
  pair,
  permute,
  requireWeight,
  spatialPads,
  weight,
  type ExportContext,
} from './ops';

type Config = Record<string, unknown>;
type Converter = (
  ctx: ExportContext,
  layer: tfTypes.layers.Layer,
  inputs: Value[],
  config: Config,
  shapes: Shapes,
) => Value;

/** Static shapes of the call being converted (batch first, null where dynamic). */
export interface Shapes {
  inputs: tfTypes.Shape[];
  output: tfTypes.Shape;
}

/** [height, width] of a 4-D layer input (batch first), null where dynamic. */
function spatialSize(layer: tfTypes.layers.Layer, shapes: Shapes): [number | null, number | null] {
  const shape = shapes.inputs[0];
  if (!Array.isArray(shape) || shape.length !== 4)
    throw new OnnxExportError(
      `layer "${layer.name}" (${layer.getClassName()}) takes a ${Array.isArray(shape) ? shape.length : '?'}-D input; only 4-D images (NHWC) are exported`,
    );
  return [shape[1] ?? null, shape[2] ?? null];
}

function channelsLast(layer: tfTypes.layers.Layer, config: Config): void {
  if (config.dataFormat !== undefined && config.dataFormat !== 'channelsLast')
    throw new OnnxExportError(
      `layer "${layer.name}": dataFormat "${JSON.stringify(config.dataFormat)}" is not exported (channelsLast only)`,
    );
}

function only(layer: tfTypes.layers.Layer, inputs: Value[]): Value {
  if (inputs.length !== 1)
    throw new OnnxExportError(`layer "${layer.name}" has ${inputs.length} inputs; expected 1`);
  return inputs[0]!;
}

/** Add the bias (if any) to an NCHW conv output, then the activation. */
function convTail(
  ctx: ExportContext,
  layer: tfTypes.layers.Layer,
  config: Config,
  out: string,
): Value {
  return activation(ctx, afterSpatial(ctx, out), config.activation, `${layer.name}/act`);
}

/** ONNX Conv from an NHWC value: the kernel as [out, in/group, kh, kw]. */
function conv(
  ctx: ExportContext,
  layer: tfTypes.layers.Layer,
  x: Value,
  config: Config,
  shapes: Shapes,
  kernel: { values: Float32Array; shape: number[] },
  group: number,
  bias: Float32Array | null,
  base: string,
  padding = String(config.padding),
  strides = pair(config.strides, 1),
): string {
  const g = ctx.graph;
  const size = spatialSize(layer, shapes);
  const k = [kernel.shape[2]!, kernel.shape[3]!];
  const dilations = pair(config.dilationRate, 1);
  if (dilations.some((d) => d !== 1) && strides.some((s) => s !== 1))
    throw new OnnxExportError(`layer "${layer.name}": dilation with strides is not exported`);
  const inputs = [
    inLayout(ctx, x, 'nchw').name,
    g.floats(`${base}/W`, kernel.shape, kernel.values),
  ];
  if (bias) inputs.push(g.floats(`${base}/B`, [bias.length], bias));
  return g.node('Conv', inputs, base, {
    group,
    kernel_shape: k,
    strides,
    dilations,
    pads: spatialPads(layer, padding, size, k, strides, dilations),
  });
}

const conv2d: Converter = (ctx, layer, inputs, config, shapes) => {
  channelsLast(layer, config);
  const kernel = requireWeight(layer, 'kernel'); // [kh, kw, in, out]
  const w = permute(kernel.values, kernel.shape, [3, 2, 0, 1]);
  const out = conv(
    ctx,
    layer,
    only(layer, inputs),
    config,
    shapes,
    w,
    1,
    weight(layer, 'bias')?.values ?? null,
    layer.name,
  );
  return convTail(ctx, layer, config, out);
};

/** Depthwise: one group per input channel; TF.js orders outputs channel-major (c·mult + m). */
function depthwiseKernel(layer: tfTypes.layers.Layer) {
  const k = requireWeight(layer, 'depthwise_kernel'); // [kh, kw, in, mult]
  const [kh, kw, cin, mult] = k.shape as [number, number, number, number];
  const w = permute(k.values, k.shape, [2, 3, 0, 1]); // [in, mult, kh, kw]
  return { kernel: { values: w.values, shape: [cin * mult, 1, kh, kw] }, groups: cin };
}

const depthwiseConv2d: Converter = (ctx, layer, inputs, config, shapes) => {
  channelsLast(layer, config);
  const { kernel, groups } = depthwiseKernel(layer);
  const out = conv(
    ctx,
    layer,
    only(layer, inputs),
    config,
    shapes,
    kernel,
    groups,
    weight(layer, 'bias')?.values ?? null,
    layer.name,
  );
  return convTail(ctx, layer, config, out);
};

const separableConv2d: Converter = (ctx, layer, inputs, config, shapes) => {
  channelsLast(layer, config);
  const { kernel, groups } = depthwiseKernel(layer);
  const depth = conv(
    ctx,
    layer,
    only(layer, inputs),
    config,
    shapes,
    kernel,
    groups,
    null,
    `${layer.name}/depthwise`,
  );
  const p = requireWeight(layer, 'pointwise_kernel'); // [1, 1, in·mult, out]
  const pw = permute(p.values, p.shape, [3, 2, 0, 1]);
  const g = ctx.graph;
  const bias = weight(layer, 'bias');
  const ins = [depth, g.floats(`${layer.name}/pointwise/W`, pw.shape, pw.values)];
  if (bias) ins.push(g.floats(`${layer.name}/pointwise/B`, [bias.values.length], bias.values));
  const out = g.node('Conv', ins, `${layer.name}/pointwise`, { kernel_shape: [1, 1] });
  return convTail(ctx, layer, config, out);
};

function pool(op: 'MaxPool' | 'AveragePool'): Converter {
  return (ctx, layer, inputs, config, shapes) => {
    channelsLast(layer, config);
    const k = pair(config.poolSize, 2);
    const strides =
      config.strides === null || config.strides === undefined ? k : pair(config.strides, 1);
    const x = inLayout(ctx, only(layer, inputs), 'nchw');
    const pads = spatialPads(layer, String(config.padding), spatialSize(layer, shapes), k, strides);
    // AveragePool's default count_include_pad = 0 matches TF: padding does not count.
    const out = ctx.graph.node(op, [x.name], layer.name, { kernel_shape: k, strides, pads });
    return afterSpatial(ctx, out);
  };
}

function globalPool(op: 'GlobalAveragePool' | 'GlobalMaxPool', reduce: string): Converter {
  return (ctx, layer, inputs, config) => {
    channelsLast(layer, config);
    if (config.keepDims)
      throw new OnnxExportError(`layer "${layer.name}": keepDims is not exported`);
    const x = only(layer, inputs);
    const g = ctx.graph;
    if (x.layout === 'nchw') {
      const pooled = g.node(op, [x.name], layer.name);
      return {
        name: g.node('Flatten', [pooled], `${layer.name}/flatten`, { axis: 1 }),
        rank: 2,
        layout: 'plain',
      };
    }
    return {
      name: g.node(reduce, [x.name], layer.name, { axes: [1, 2], keepdims: 0 }),
      rank: 2,
      layout: 'plain',
    };
  };
}

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

const zeroPadding: Converter = (ctx, layer, inputs, config) => {
  channelsLast(layer, config);
  const p = config.padding as number | [number, number] | [[number, number], [number, number]];
  const [[t, b], [l, r]] =
    typeof p === 'number'
      ? [
          [p, p],
          [p, p],
        ]
      : Array.isArray(p[0])
        ? (p as [[number, number], [number, number]])
        : [
            [p[0], p[0]],
            [p[1] as number, p[1] as number],
          ];
  const x = inLayout(ctx, only(layer, inputs), 'nchw');
  const pads = ctx.graph.int64s(`${layer.name}/pads`, [0, 0, t, l, 0, 0, b, r]);
  return afterSpatial(ctx, ctx.graph.node('Pad', [x.name, pads], layer.name));
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
