import { describe, expect, it } from 'vitest';
import { bundleManifestSchema, externalLineage } from '../src';

const lineage = externalLineage('imported');
const file = (path: string) => ({ path, sha256: 'a'.repeat(64), size: 10 });
const onnx = {
  file: 'model.onnx',
  opsetVersion: 13,
  producer: 'pytorch 2.3.0',
  inputs: [{ name: 'features', elementType: 'float32', shape: ['batch', 1] }],
  outputs: [{ name: 'probabilities', elementType: 'float32', shape: ['batch', 2] }],
  primary: true,
};
const manifest = {
  formatVersion: 1,
  task: 'classification',
  signature: {
    inputs: [{ name: 'x', type: 'numeric', nullable: false }],
    output: { task: 'classification', target: 'y', labels: ['a', 'b'] },
  },
  preprocessing: {
    features: [{ kind: 'standardize', column: 'x', mean: 0, std: 1, impute: 0 }],
    target: { kind: 'label-encode', column: 'y', labels: ['a', 'b'] },
    inputWidth: 1,
  },
  metrics: {},
  lineage,
  files: [file('model.onnx')],
  onnx,
};

function messages(m: unknown): string[] {
  const r = bundleManifestSchema.safeParse(m);
  return (r.error?.issues ?? []).map((i) => `${i.path.map(String).join('.')}: ${i.message}`);
}

describe('a bundle with an ONNX graph', () => {
  it('parses a primary ONNX bundle without model.json, and an export beside model.json', () => {
    expect(messages(manifest)).toEqual([]);
    const exported = {
      ...manifest,
      files: [file('model.json'), file('weights.bin'), file('model.onnx')],
      onnx: {
        ...onnx,
        primary: false,
        verification: { rows: 30, maxAbsDiff: 1e-6, tolerance: 1e-4 },
      },
    };
    expect(messages(exported)).toEqual([]);
  });

  it('refuses a graph file the bundle does not hold, and model.json beside a primary graph', () => {
    expect(messages({ ...manifest, files: [file('other.onnx')] })).toEqual([
      'onnx.file: model.onnx is not a file of the bundle',
    ]);
    expect(messages({ ...manifest, files: [file('model.onnx'), file('model.json')] })).toEqual([
      'onnx.primary: a bundle whose ONNX graph is the model (primary) has no model.json',
    ]);
  });
});
