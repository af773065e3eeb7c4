import type { RegistryClient } from '@mlops/client';
import type { ModelVersion } from '@mlops/contracts';

/**
 * Import a trained version's TF.js files again as an externally trained model (`versions.import`,
 * its own model name). The registry loads TF.js only for such an import check — a chunk of its
 * bundle imported on first use, not at start — so this proves the image carries that chunk and
 * TF.js and that the check runs in the hardened container. The files are already stored (blobs
 * are content-addressed): the import names them, nothing is uploaded. Answers the new version.
 */
export async function reimportVersion(
  client: RegistryClient,
  model: string,
  version: number,
): Promise<ModelVersion> {
  const trained = await client.api.versions.get.query({ model, version });
  const { signature } = trained.manifest;
  const { output } = signature;
  // model.json, its weight shards and the dataset profile: what a TF.js import may name (a
  // trained bundle may also hold the ONNX export and model-test files).
  const files = trained.manifest.files.filter(
    (f) => f.path === 'model.json' || f.path === 'profile.json' || f.path.endsWith('.bin'),
  );
  return client.api.versions.import.mutate({
    model: `${model}-reimported`,
    task: output.task,
    target: output.target,
    inputs: signature.inputs,
    ...(output.task === 'classification' ? { labels: output.labels } : {}),
    files,
    description: `${model} v${version} imported again by infra:smoke`,
  });
}
