import type * as tfTypes from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { getTf } from '../backend/backend';
import type { OnnxExport } from './export';

/**
 * The tolerance on |ONNX Runtime − TF.js| the platform accepts for an export, in the model's
 * output units (probabilities; standardized targets for regression). Both engines compute in
 * float32 (ε ≈ 6e-8) but sum in different orders and fuse differently (a conv's bias, batch
 * normalization folded into scale and shift): on the presets the gap measures ≤ 1e-6, and a
 * few-hundred-term dot product can drift by ~1e-5. A wrong graph — a kernel transposed the wrong
 * way, a flatten in the wrong axis order, a pad on the wrong side — is off by 1e-2 and more.
 */
export const ONNX_TOLERANCE = 1e-4;

/** Options of the sessions the exporter opens (one thread: it runs beside a training thread). */
export const VERIFY_SESSION_OPTIONS: ort.InferenceSession.SessionOptions = {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  graphOptimizationLevel: 'all',
};

export interface Verification {
  rows: number;
  maxAbsDiff: number;
}

/**
 * Run the TF.js model and its ONNX export on the same rows (`x`: `rows` examples of the model's
 * single input, flattened) and return the largest absolute difference of their outputs. NaN
 * anywhere counts as an infinite difference.
 */
export async function compareEngines(
  model: tfTypes.LayersModel,
  exported: OnnxExport,
  x: Float32Array,
  rows: number,
  batchSize = 256,
): Promise<Verification> {
  if (model.inputs.length !== 1 || exported.inputs.length !== 1)
    throw new Error(`verification runs single-input models; this one has ${model.inputs.length}`);
  const tf = getTf();
  const example = model.inputs[0]!.shape.slice(1) as number[];
  const width = example.reduce((a, b) => a * b, 1);
  if (x.length !== rows * width)
    throw new Error(`verification got ${x.length} values for ${rows} rows of ${width}`);
  const session = await ort.InferenceSession.create(exported.bytes, VERIFY_SESSION_OPTIONS);
  let maxAbsDiff = 0;
  try {
    for (let start = 0; start < rows; start += batchSize) {
      const n = Math.min(batchSize, rows - start);
      const batch = x.subarray(start * width, (start + n) * width);
      const expected = tf.tidy(() => {
        const out = model.predict(tf.tensor(batch, [n, ...example]));
        return Array.isArray(out) ? out : [out];
      });
      const feeds = {
        [exported.inputs[0]!.name]: new ort.Tensor('float32', batch.slice(), [n, ...example]),
      };
      const got = await session.run(feeds);
      try {
        for (const [i, info] of exported.outputs.entries()) {
          const a = expected[i]!.dataSync() as Float32Array;
          const b = got[info.name]!.data as Float32Array;
          if (a.length !== b.length) return { rows, maxAbsDiff: Number.POSITIVE_INFINITY };
          for (let k = 0; k < a.length; k++) {
            const d = Math.abs(a[k]! - b[k]!);
            maxAbsDiff = Number.isNaN(d) ? Number.POSITIVE_INFINITY : Math.max(maxAbsDiff, d);
          }
        }
      } finally {
        tf.dispose(expected);
      }
    }
  } finally {
    await session.release();
  }
  return { rows, maxAbsDiff };
}
