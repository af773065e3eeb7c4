import type * as tfTypes from '@tensorflow/tfjs';
import type { OnnxArtifact } from '@mlops/contracts';
import { exportToOnnx, type ExportOptions } from './export';
import { OnnxExportError } from './ops';
import { compareEngines, ONNX_TOLERANCE } from './verify';

/** The bundle file an export is stored as. */
export const ONNX_FILE = 'model.onnx';

export type VerifiedExport =
  | { ok: true; file: { path: string; bytes: Uint8Array }; artifact: OnnxArtifact; seconds: number }
  | { ok: false; reason: string; seconds: number };

export interface VerifiedExportOptions extends ExportOptions {
  /** Held-out examples of the model's single input, flattened (`rows` of them). */
  x: Float32Array;
  rows: number;
  tolerance?: number;
}

/**
 * Export `model` to ONNX and check it on held-out rows: the file and its manifest entry
 * (`primary: false`, the verification measured) when ONNX Runtime gives TF.js's outputs within
 * the tolerance, else the reason it does not. Never throws: an export is an extra, and the
 * TF.js bundle is complete without it.
 */
export async function exportVerified(
  model: tfTypes.LayersModel,
  opts: VerifiedExportOptions,
): Promise<VerifiedExport> {
  const started = performance.now();
  const seconds = () => Math.round(performance.now() - started) / 1000;
  const tolerance = opts.tolerance ?? ONNX_TOLERANCE;
  try {
    if (opts.rows === 0)
      return { ok: false, reason: 'no held-out rows to verify the export on', seconds: seconds() };
    const exported = exportToOnnx(model, opts);
    const { rows, maxAbsDiff } = await compareEngines(model, exported, opts.x, opts.rows);
    if (!(maxAbsDiff <= tolerance))
      return {
        ok: false,
        reason: `ONNX Runtime's outputs differ from TF.js's by up to ${maxAbsDiff} on ${rows} held-out rows (tolerance ${tolerance})`,
        seconds: seconds(),
      };
    return {
      ok: true,
      file: { path: ONNX_FILE, bytes: exported.bytes },
      artifact: {
        file: ONNX_FILE,
        opsetVersion: exported.opsetVersion,
        producer: exported.producer,
        inputs: exported.inputs,
        outputs: exported.outputs,
        primary: false,
        verification: { rows, maxAbsDiff, tolerance },
      },
      seconds: seconds(),
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return {
      ok: false,
      reason: err instanceof OnnxExportError ? message : `ONNX export failed: ${message}`,
      seconds: seconds(),
    };
  }
}
