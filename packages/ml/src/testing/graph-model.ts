/**
 * A graph model as tensorflowjs_converter writes it (GraphDef JSON + one shard), built by hand:
 * y = x · W with x [batch, 2] and W [[2], [3]] — regression, y = 2a + 3b.
 */
export function graphModelFiles(): Array<{ path: string; bytes: Uint8Array }> {
  const modelJson = {
    format: 'graph-model',
    generatedBy: '2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    modelTopology: {
      node: [
        {
          name: 'x',
          op: 'Placeholder',
          attr: {
            dtype: { type: 'DT_FLOAT' },
            shape: { shape: { dim: [{ size: '-1' }, { size: '2' }] } },
          },
        },
        {
          name: 'w',
          op: 'Const',
          attr: {
            dtype: { type: 'DT_FLOAT' },
            value: {
              tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: [{ size: '2' }, { size: '1' }] } },
            },
          },
        },
        {
          name: 'y',
          op: 'MatMul',
          input: ['x', 'w'],
          attr: {
            T: { type: 'DT_FLOAT' },
            transpose_a: { b: false },
            transpose_b: { b: false },
          },
        },
      ],
      library: {},
      versions: { producer: 1 },
    },
    weightsManifest: [
      {
        paths: ['group1-shard1of1.bin'],
        weights: [{ name: 'w', shape: [2, 1], dtype: 'float32' }],
      },
    ],
  };
  return [
    { path: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(modelJson)) },
    { path: 'group1-shard1of1.bin', bytes: new Uint8Array(new Float32Array([2, 3]).buffer) },
  ];
}
