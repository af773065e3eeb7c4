import type { BundleFile, ModelVersion } from '@mlops/contracts';
import { resolveTensorSignatureWith } from '@mlops/ml/bundle';
import { createOnnxSession, onnxDryRun, onnxTensorSpecs, type OnnxModelInfo } from '@mlops/ml/onnx';
import type { RegistryDeps } from '../deps';
import { invalid, register, type ImportInput } from './import';
import { onnxArtifact } from './import-onnx';
import { checkedManifest, tensorManifest } from './import-manifest';

/**
 * An ONNX graph imported as a tensor model (no scalar inputs declared): the signature is read
 * from the graph like a TF.js tensor model's (resolveTensorSignature's rules: symbolic batch →
 * -1, `tensorInputs` declare open sizes and image decodings, `outputs` roles), checked by one
 * ONNX Runtime run on zeros of the resolved shapes.
 */
export async function importOnnxTensorVersion(
  deps: RegistryDeps,
  input: ImportInput,
  file: BundleFile,
  bytes: Uint8Array,
  info: OnnxModelInfo,
): Promise<ModelVersion> {
  if (input.labels && new Set(input.labels).size !== input.labels.length)
    throw invalid('labels must be unique', [{ path: 'labels', message: 'duplicate label' }]);
  const session = await createOnnxSession(bytes);
  const resolved = await (async () => {
    try {
      return await resolveTensorSignatureWith(
        onnxTensorSpecs(info),
        {
          task: input.task,
          inputs: input.tensorInputs,
          outputs: input.outputs,
          labels: input.labels,
        },
        onnxDryRun(session, info),
      );
    } finally {
      await session.dispose();
    }
  })();
  if (!resolved.ok)
    throw invalid('the graph does not fit the declared tensor signature', resolved.problems);

  const manifest = checkedManifest({
    ...tensorManifest(input, resolved),
    onnx: onnxArtifact(file.path, info),
  });
  return register(deps, input, manifest);
}
