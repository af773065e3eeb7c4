import type * as tfTypes from '@tensorflow/tfjs';
import type { OnnxArtifact } from '@mlops/contracts';
import { exportVerified } from '@mlops/ml/onnx-export';

/** Held-out rows the export is verified on, at most (the first ones of the test split). */
export const ONNX_VERIFY_ROWS = 1_000;

/** What a run's bundle says about ONNX: the export's manifest entry, or why there is none. */
export type OnnxOutcome =
  { artifact: OnnxArtifact; seconds: number } | { skipped: string; seconds?: number };

/** `TRAINER_ONNX_EXPORT=false` turns the export off (read in the training thread). */
export function onnxExportEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.TRAINER_ONNX_EXPORT !== 'false';
}

export interface OnnxExportInput {
  model: tfTypes.LayersModel;
  /** Held-out examples as the model takes them (encoded features, scaled pixels), flattened. */
  x: Float32Array;
  rows: number;
  inputName: string;
  outputName: string;
}

/**
 * Export the trained model to ONNX, verified on (up to ONNX_VERIFY_ROWS of) the held-out rows.
 * Returns the file to add to the bundle when ONNX Runtime agrees with TF.js; otherwise no file
 * and the reason, which the host logs. Never throws: the TF.js bundle is complete without it.
 */
export async function exportOnnx(
  input: OnnxExportInput,
): Promise<{ file?: { path: string; bytes: Uint8Array }; onnx: OnnxOutcome }> {
  if (!onnxExportEnabled()) return { onnx: { skipped: 'turned off (TRAINER_ONNX_EXPORT=false)' } };
  const rows = Math.min(input.rows, ONNX_VERIFY_ROWS);
  const width = input.rows > 0 ? input.x.length / input.rows : 0;
  const result = await exportVerified(input.model, {
    x: input.x.subarray(0, rows * width),
    rows,
    inputNames: [input.inputName],
    outputNames: [input.outputName],
  });
  if (!result.ok) return { onnx: { skipped: result.reason, seconds: result.seconds } };
  return { file: result.file, onnx: { artifact: result.artifact, seconds: result.seconds } };
}
