import type { BundleFile, ModelVersion } from '@mlops/contracts';
import type { RegistryDeps } from '../deps';
import type { ImportInput } from './import-manifest';

/** True when the import brings an ONNX graph (a `.onnx` file) rather than a TF.js model. */
export function isOnnxImport(files: readonly BundleFile[]): boolean {
  return files.some((f) => f.path.endsWith('.onnx'));
}

/**
 * Import a model (TF.js or ONNX). The checks behind it load the model with TF.js or onnxruntime,
 * whose modules take about a second to load (longer in a cold container): they are imported on
 * the first model import, not when the registry starts, which is then ready in well under 3 s.
 * The production bundle puts them in chunks of their own (scripts/build/build-app.mjs).
 */
export async function importModelVersion(
  deps: RegistryDeps,
  input: ImportInput,
): Promise<ModelVersion> {
  if (isOnnxImport(input.files)) {
    const { importOnnxVersion } = await import('./import-onnx');
    return importOnnxVersion(deps, input);
  }
  const { importVersion } = await import('./import');
  return importVersion(deps, input);
}
