import { describe, expect, it } from 'vitest';
import { getTf, initBackend, registerWasmFallbacks } from '../../src/backend';
import { buildModel, disposeModel } from '../../src/presets';

// The wasm backend lacks some gradients (NOTES.md); the fallbacks bridge them to cpu, except
// those wasm-conv.ts and wasm-depthwise.ts implement on wasm.
describe('wasm kernel fallbacks', () => {
  it('bridges every kernel cpu has and wasm lacks, but not the conv filter gradients', async () => {
    expect(await initBackend('wasm')).toBe('wasm');
    const bridged = registerWasmFallbacks();
    expect(bridged).toEqual(expect.arrayContaining(['UnsortedSegmentSum']));
    expect(bridged).not.toContain('Conv2DBackpropFilter');
    expect(bridged).not.toContain('DepthwiseConv2dNativeBackpropFilter');
    // Registered by wasm-depthwise-input.ts, which bridges only the calls it does not cover.
    expect(bridged).not.toContain('DepthwiseConv2dNativeBackpropInput');
  });

  it('trains the cnn-small preset on wasm with the same loss as on cpu', async () => {
    const tf = getTf();
    const n = 64;
    const x = Float32Array.from({ length: n * 16 }, (_, i) => Math.sin(i * 0.37));
    const y = Float32Array.from({ length: n * 2 }, (_, i) => ((i >> 1) % 2 === i % 2 ? 1 : 0));
    const losses: Record<string, number> = {};
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend);
      const baseline = tf.memory().numTensors;
      const model = buildModel({
        preset: 'cnn-small',
        task: 'classification',
        inputWidth: 16,
        outputWidth: 2,
        hyperparameters: { learningRate: 0.01, dropout: 0, l2: 0, inputShape: [4, 4, 1] },
        seed: 7,
      });
      const xs = tf.tensor2d(x, [n, 16]);
      const ys = tf.tensor2d(y, [n, 2]);
      const h = await model.fit(xs, ys, { epochs: 3, batchSize: 16, shuffle: false, verbose: 0 });
      tf.dispose([xs, ys]);
      disposeModel(model);
      const loss = h.history.loss?.[2];
      expect(typeof loss).toBe('number');
      losses[backend] = loss as number;
      expect(tf.memory().numTensors).toBe(baseline);
    }
    expect(losses.wasm).toBeCloseTo(losses.cpu as number, 3);
  });

  it('refuses an inputShape whose product is not the input width', async () => {
    await initBackend('cpu');
    expect(() =>
      buildModel({
        preset: 'cnn-small',
        task: 'regression',
        inputWidth: 10,
        outputWidth: 1,
        hyperparameters: { learningRate: 0.01, dropout: 0, l2: 0, inputShape: [3, 3, 1] },
        seed: 1,
      }),
    ).toThrow(/product 10/);
  });
});
