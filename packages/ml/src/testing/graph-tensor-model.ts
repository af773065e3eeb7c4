/**
 * A graph model with two named
 * tensor inputs, as tensorflowjs_converter writes one (GraphDef JSON + one shard), built by hand:
 * image [-1, 4, 4, 3] → mean over height and width → · W [3, 2] → + bias input [-1, 2] → softmax.
 */
export const GRAPH_TENSOR_W = [1, -1, 0.5, 2, -2, 0.25];

/**
 * `signature: true` adds the converter's signature section (as for a SavedModel export): the
 * inputs are then fed by their signature keys `pixels` and `offset`, the output is `scores`.
 */
export function graphTensorModelFiles(
  opts: { signature?: boolean } = {},
): Array<{ path: string; bytes: Uint8Array }> {
  const float = { type: 'DT_FLOAT' };
  const placeholder = (name: string, dims: number[]) => ({
    name,
    op: 'Placeholder',
    attr: { dtype: float, shape: { shape: { dim: dims.map((d) => ({ size: String(d) })) } } },
  });
  const constant = (name: string, type: string, dims: number[]) => ({
    name,
    op: 'Const',
    attr: {
      dtype: { type },
      value: {
        tensor: { dtype: type, tensorShape: { dim: dims.map((d) => ({ size: String(d) })) } },
      },
    },
  });
  const modelJson = {
    format: 'graph-model',
    generatedBy: '2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      node: [
        placeholder('image', [-1, 4, 4, 3]),
        placeholder('bias', [-1, 2]),
        constant('axes', 'DT_INT32', [2]),
        constant('w', 'DT_FLOAT', [3, 2]),
        {
          name: 'pooled',
          op: 'Mean',
          input: ['image', 'axes'],
          attr: { T: float, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } },
        },
        {
          name: 'logits',
          op: 'MatMul',
          input: ['pooled', 'w'],
          attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } },
        },
        { name: 'shifted', op: 'AddV2', input: ['logits', 'bias'], attr: { T: float } },
        { name: 'probs', op: 'Softmax', input: ['shifted'], attr: { T: float } },
      ],
      library: {},
      versions: { producer: 1 },
    },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          { name: 'axes', shape: [2], dtype: 'int32' },
          { name: 'w', shape: [3, 2], dtype: 'float32' },
        ],
      },
    ],
  };
  const tensorInfo = (name: string, dims: number[]) => ({
    name,
    dtype: 'DT_FLOAT',
    tensorShape: { dim: dims.map((d) => ({ size: String(d) })) },
  });
  const signature = {
    inputs: {
      pixels: tensorInfo('image:0', [-1, 4, 4, 3]),
      offset: tensorInfo('bias:0', [-1, 2]),
    },
    outputs: { scores: tensorInfo('probs:0', [-1, 2]) },
  };
  const json = opts.signature ? { ...modelJson, signature } : modelJson;
  const shard = new Uint8Array(8 + 24);
  shard.set(new Uint8Array(new Int32Array([1, 2]).buffer), 0);
  shard.set(new Uint8Array(new Float32Array(GRAPH_TENSOR_W).buffer), 8);
  return [
    { path: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(json)) },
    { path: 'group1-shard1of1.bin', bytes: shard },
  ];
}
