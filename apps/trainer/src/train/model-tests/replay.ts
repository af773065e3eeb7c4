import type { DataRow, ModelTestResult, ModelTestsSpec, Preprocessing } from '@mlops/contracts';
import { createPredictor, loadTfModel, sha256Hex } from '@mlops/ml/bundle';
import { encodeFeatures } from '@mlops/ml/preprocessing';

/** Held-out rows recorded at training and replayed through the saved bundle. */
export const REPLAY_EXAMPLES = 5;
/** Float32 kernels in another order differ in the last bits, not more (as serving's probe). */
const REPLAY_TOLERANCE = 1e-4;
const LATENCY_CALLS = 15;

export interface BundleChecks {
  results: ModelTestResult[];
}

/**
 * The example replay and the budgets, on the model files exactly as they will be uploaded:
 * loaded from their bytes the way serving loads them (checksums, then the fastest predictor that
 * serving would pick), the recorded examples must answer as the trained model did; the files'
 * size and the median time of a one-row prediction must stay within the run's budgets.
 */
export async function bundleChecks(input: {
  files: ReadonlyArray<{ path: string; bytes: Uint8Array }>;
  prep: Preprocessing;
  examples: readonly DataRow[];
  /** The trained model's output for `examples` (flat, row-major). */
  expected: Float32Array;
  bounds: Pick<ModelTestsSpec, 'maxModelBytes' | 'maxLatencyMs'>;
}): Promise<BundleChecks> {
  const { prep, examples } = input;
  const width = prep.inputWidth;
  const manifest = {
    files: input.files.map((f) => ({
      path: f.path,
      sha256: sha256Hex(f.bytes),
      size: f.bytes.length,
    })),
  };
  const bytes = new Map(input.files.map((f) => [f.path, f.bytes]));
  const loaded = await loadTfModel(manifest, bytes);
  if (loaded.format !== 'layers-model') {
    loaded.model.dispose();
    throw new Error('the trainer writes Layers models: the saved bundle is not one');
  }
  const predictor = createPredictor(loaded.model, width);
  try {
    const got = predictor.predict(encodeFeatures(prep, examples), examples.length, width);
    let maxDiff = got.length === input.expected.length ? 0 : Infinity;
    for (let i = 0; i < got.length && maxDiff !== Infinity; i++)
      maxDiff = Math.max(maxDiff, Math.abs((got[i] ?? 0) - (input.expected[i] ?? 0)));
    const one = encodeFeatures(prep, examples.slice(0, 1));
    const times: number[] = [];
    for (let i = 0; i < LATENCY_CALLS && examples.length > 0; i++) {
      const started = performance.now();
      predictor.predict(one, 1, width);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const latency = times[Math.floor(times.length / 2)] ?? null;
    const size = input.files.reduce((n, f) => n + f.bytes.length, 0);
    return {
      results: [
        {
          name: 'replay:examples',
          kind: 'replay',
          passed: examples.length > 0 && maxDiff <= REPLAY_TOLERANCE,
          value: Number.isFinite(maxDiff) ? maxDiff : null,
          threshold: REPLAY_TOLERANCE,
          detail: `${examples.length} recorded example(s) re-predicted from the saved bundle (${predictor.engine}); largest output difference`,
        },
        {
          name: 'budget:size',
          kind: 'budget',
          passed: size <= input.bounds.maxModelBytes,
          value: size,
          threshold: input.bounds.maxModelBytes,
          detail: `model files total ${size} bytes`,
        },
        {
          name: 'budget:latency',
          kind: 'budget',
          passed: latency !== null && latency <= input.bounds.maxLatencyMs,
          value: latency,
          threshold: input.bounds.maxLatencyMs,
          detail: `median of ${times.length} one-row predictions in the trainer, in ms`,
        },
      ],
    };
  } finally {
    predictor.dispose();
    loaded.model.dispose();
  }
}
