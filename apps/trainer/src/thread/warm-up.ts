import { getTf } from '@mlops/ml/backend';
import { buildModel, disposeModel } from '@mlops/ml/presets';

/**
 * A short throwaway fit, run by a training thread before it says it is ready. V8 compiles
 * TF.js's training path (the layers fit loop, the optimizer, the kernels' JS side) the first
 * time it runs, and a fresh thread per job meant every job trained its first epochs on cold
 * code: the benchmark's 5-epoch fit took 3–9% longer in a cold thread than in a warmed one
 * (paired runs: 3.83 → 3.49 s, 4.27 → 4.15 s, 3.50 → 3.37 s). A spare thread (pool.ts) pays
 * this while it waits for work; `TRAINER_WARM_UP=false` skips it. Nothing survives it: its model, optimizer and tensors are
 * disposed, it draws no seeded randomness, and checkpoints restore weights by position, not by
 * the layer names whose counters it advances.
 */
export async function warmUpTraining(): Promise<void> {
  const tf = getTf();
  const rows = 256;
  const model = buildModel({
    preset: 'mlp-small',
    task: 'classification',
    inputWidth: 8,
    outputWidth: 3,
    hyperparameters: { learningRate: 0.001, dropout: 0, l2: 0 },
    seed: 0,
  });
  const x = tf.tidy(() => tf.randomUniform([rows, 8]));
  const y = tf.tidy(() =>
    tf.oneHot(
      tf.tensor1d(
        Int32Array.from({ length: rows }, (_, i) => i % 3),
        'int32',
      ),
      3,
    ),
  );
  try {
    await model.fit(x, y, { epochs: 2, batchSize: 32, verbose: 0, validationSplit: 0.1 });
    tf.dispose(model.predict(x));
  } finally {
    tf.dispose([x, y]);
    disposeModel(model);
  }
}
