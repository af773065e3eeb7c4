import {
  BUNDLE_FORMAT_VERSION,
  bundleManifestSchema,
  type BundleManifest,
  type Signature,
  type TensorSignature,
  externalLineage,
} from '@mlops/contracts';
import {
  loadTensorModel,
  resolveTensorSignature,
  sha256Hex,
  type TensorImportRequest,
} from '@mlops/ml/bundle';
import type { MemoryModelSource } from '../../src/models/memory-source';

export type Files = Array<{ path: string; bytes: Uint8Array }>;

/**
 * What versions.import registers for a tensor model (apps/registry domain/import.ts): the
 * signature read from the model and the declarations, checked by a run on zeros, published as
 * version 1 with alias champion. Answers the resolved tensor signature.
 */
export async function publishTensorModel(
  source: MemoryModelSource,
  name: string,
  files: Files,
  request: TensorImportRequest,
): Promise<TensorSignature> {
  const { manifest, signature } = await tensorBundleManifest(files, request);
  for (const f of files) source.putBlob(sha256Hex(f.bytes), f.bytes);
  source.addVersion(name, 1, manifest);
  source.setAlias(name, 'champion', 1);
  return signature;
}

/**
 * The manifest versions.import writes for a tensor model's files (shared with the serving
 * benchmark, which writes it to a bundle directory), and the resolved tensor signature.
 */
export async function tensorBundleManifest(
  files: Files,
  request: TensorImportRequest,
): Promise<{ manifest: BundleManifest; signature: TensorSignature }> {
  const manifestFiles = files.map((f) => ({
    path: f.path,
    sha256: sha256Hex(f.bytes),
    size: f.bytes.byteLength,
  }));
  const model = await loadTensorModel(
    { files: manifestFiles },
    new Map(files.map((f) => [f.path, f.bytes])),
  );
  const resolved = resolveTensorSignature(model, request);
  model.dispose();
  if (!resolved.ok) throw new Error(JSON.stringify(resolved.problems));
  const output: Signature['output'] = resolved.labels
    ? { task: 'classification', target: 'class', labels: resolved.labels }
    : { task: 'regression', target: 'value' };
  const manifest: BundleManifest = bundleManifestSchema.parse({
    formatVersion: BUNDLE_FORMAT_VERSION,
    task: request.task,
    signature: { inputs: [], output, tensors: resolved.signature },
    preprocessing: {
      features: [],
      target:
        output.task === 'classification'
          ? { kind: 'label-encode', column: output.target, labels: output.labels }
          : { kind: 'standardize', column: output.target, mean: 0, std: 1 },
      inputWidth: 0,
    },
    metrics: {},
    lineage: externalLineage('imported'),
    files: manifestFiles,
  } satisfies BundleManifest);
  return { manifest, signature: resolved.signature };
}
