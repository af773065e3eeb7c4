import type * as tfTypes from '@tensorflow/tfjs';
import type { Value } from './graph';
import {
  activation,
  afterSpatial,
  inLayout,
  OnnxExportError,
  only,
  pair,
  permute,
  requireWeight,
  spatialPads,
  weight,
  type Config,
  type Converter,
  type ExportContext,
  type Shapes,
} from './ops';

// Conv and pooling layers: ONNX runs them channels-first, so their input is made NCHW
// (inLayout) and their output stays so unless the context transposes after each layer.
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

/** A conv's output (bias already added by Conv) in the context's layout, then its activation. */
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

export const conv2d: Converter = (ctx, layer, inputs, config, shapes) => {
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

/** The depthwise convolution of a DepthwiseConv2D or SeparableConv2D layer (NCHW out). */
function depthwiseConv(
  [ctx, layer, inputs, config, shapes]: Parameters<Converter>,
  bias: Parameters<typeof conv>[7],
  name: string,
) {
  channelsLast(layer, config);
  const { kernel, groups } = depthwiseKernel(layer);
  return conv(ctx, layer, only(layer, inputs), config, shapes, kernel, groups, bias, name);
}

export const depthwiseConv2d: Converter = (...args) => {
  const [ctx, layer, , config] = args;
  const out = depthwiseConv(args, weight(layer, 'bias')?.values ?? null, layer.name);
  return convTail(ctx, layer, config, out);
};

export const separableConv2d: Converter = (...args) => {
  const [ctx, layer, , config] = args;
  const depth = depthwiseConv(args, null, `${layer.name}/depthwise`);
  const p = requireWeight(layer, 'pointwise_kernel'); // [1, 1, in·mult, out]
  const pw = permute(p.values, p.shape, [3, 2, 0, 1]);
  const g = ctx.graph;
  const bias = weight(layer, 'bias');
  const ins = [depth, g.floats(`${layer.name}/pointwise/W`, pw.shape, pw.values)];
  if (bias) ins.push(g.floats(`${layer.name}/pointwise/B`, [bias.values.length], bias.values));
  const out = g.node('Conv', ins, `${layer.name}/pointwise`, { kernel_shape: [1, 1] });
  return convTail(ctx, layer, config, out);
};

export function pool(op: 'MaxPool' | 'AveragePool'): Converter {
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

export function globalPool(op: 'GlobalAveragePool' | 'GlobalMaxPool', reduce: string): Converter {
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

export const zeroPadding: Converter = (ctx, layer, inputs, config) => {
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
