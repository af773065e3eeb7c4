import type { BundleManifest } from '@mlops/contracts';
import { DEFAULT_ONNX_SESSION_OPTIONS, type OnnxSessionOptions } from '@mlops/ml/onnx';

/** SERVING_RUNTIME: which engine runs a bundle that has both a TF.js model and an ONNX export. */
export type RuntimeChoice = 'auto' | 'tfjs' | 'onnx';
export type Runtime = 'tfjs' | 'onnx';

export interface RuntimeOptions {
  choice: RuntimeChoice;
  /** Session options of every ONNX Runtime session (SERVING_ONNX_THREADS). */
  onnx: OnnxSessionOptions;
}

export const DEFAULT_RUNTIME_OPTIONS: RuntimeOptions = {
  choice: 'auto',
  onnx: DEFAULT_ONNX_SESSION_OPTIONS,
};

export interface RuntimeDecision {
  runtime: Runtime;
  /** Why the runtime differs from the one asked for (null when it is the one asked, or auto). */
  reason: string | null;
}

/** An export whose verification gave TF.js's answers within its tolerance. */
function verifiedExport(manifest: BundleManifest): boolean {
  const v = manifest.onnx?.verification;
  return (
    manifest.onnx?.primary === false && v !== undefined && v.rows > 0 && v.maxAbsDiff <= v.tolerance
  );
}

/**
 * The runtime of one bundle. An imported ONNX graph (primary) has no TF.js model: ONNX Runtime,
 * whatever is asked. A TF.js bundle with a verified ONNX export: ONNX Runtime for `auto` and
 * `onnx`, TF.js for `tfjs`. Anything else runs on TF.js, the source of truth; asking for `onnx`
 * then says why it was not used (status, logs), it does not fail the load.
 */
export function chooseRuntime(manifest: BundleManifest, choice: RuntimeChoice): RuntimeDecision {
  if (manifest.onnx?.primary)
    return {
      runtime: 'onnx',
      reason: choice === 'tfjs' ? 'the bundle is an ONNX graph without a TF.js model' : null,
    };
  if (verifiedExport(manifest))
    return { runtime: choice === 'tfjs' ? 'tfjs' : 'onnx', reason: null };
  if (choice !== 'onnx') return { runtime: 'tfjs', reason: null };
  return {
    runtime: 'tfjs',
    reason: manifest.onnx
      ? 'the ONNX export has no verification within its tolerance'
      : 'the bundle has no ONNX export',
  };
}
