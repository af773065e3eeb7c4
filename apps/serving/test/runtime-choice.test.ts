import { describe, expect, it } from 'vitest';
import type { BundleManifest, OnnxArtifact } from '@mlops/contracts';
import { chooseRuntime } from '../src/models/runtime';

const graph: OnnxArtifact = {
  file: 'model.onnx',
  opsetVersion: 13,
  producer: 'mlops 1',
  inputs: [{ name: 'x', elementType: 'float32', shape: ['batch', 4] }],
  outputs: [{ name: 'y', elementType: 'float32', shape: ['batch', 3] }],
  primary: false,
};
const bundle = (onnx?: OnnxArtifact) => ({ ...(onnx ? { onnx } : {}) }) as BundleManifest;
const verified = { ...graph, verification: { rows: 30, maxAbsDiff: 2e-7, tolerance: 1e-4 } };
const outside = { ...graph, verification: { rows: 30, maxAbsDiff: 0.1, tolerance: 1e-4 } };

describe('SERVING_RUNTIME', () => {
  it('runs an imported graph on ONNX Runtime whatever is asked', () => {
    const primary = bundle({ ...graph, primary: true });
    expect(chooseRuntime(primary, 'auto')).toEqual({ runtime: 'onnx', reason: null });
    expect(chooseRuntime(primary, 'tfjs')).toEqual({
      runtime: 'onnx',
      reason: 'the bundle is an ONNX graph without a TF.js model',
    });
  });

  it('auto and onnx take a verified export, tfjs keeps TF.js', () => {
    expect(chooseRuntime(bundle(verified), 'auto').runtime).toBe('onnx');
    expect(chooseRuntime(bundle(verified), 'onnx').runtime).toBe('onnx');
    expect(chooseRuntime(bundle(verified), 'tfjs')).toEqual({ runtime: 'tfjs', reason: null });
  });

  it('keeps TF.js for an export outside its tolerance, unverified, or absent, saying why', () => {
    expect(chooseRuntime(bundle(outside), 'auto')).toEqual({ runtime: 'tfjs', reason: null });
    expect(chooseRuntime(bundle(outside), 'onnx')).toEqual({
      runtime: 'tfjs',
      reason: 'the ONNX export has no verification within its tolerance',
    });
    expect(chooseRuntime(bundle(graph), 'onnx').runtime).toBe('tfjs');
    expect(chooseRuntime(bundle(), 'onnx')).toEqual({
      runtime: 'tfjs',
      reason: 'the bundle has no ONNX export',
    });
    expect(chooseRuntime(bundle(), 'auto')).toEqual({ runtime: 'tfjs', reason: null });
  });
});
