import type { BundleFile, ModelVersion } from '@mlops/contracts';
import type { OnnxModelInfo } from '@mlops/ml/onnx';
import type { RegistryDeps } from '../deps';
import { invalid, type ImportInput } from './import';

/** An ONNX graph imported as a tensor model (no scalar inputs declared). */
export function importOnnxTensorVersion(
  _deps: RegistryDeps,
  _input: ImportInput,
  file: BundleFile,
  _bytes: Uint8Array,
  _info: OnnxModelInfo,
): Promise<ModelVersion> {
  return Promise.reject(
    invalid(`${file.path}: ONNX tensor models are not supported yet; declare scalar inputs`, [
      { path: 'inputs', message: 'declare the columns the graph encodes' },
    ]),
  );
}
