import { createHash } from 'node:crypto';
import {
  AppError,
  bundleFilesDigestText,
  DEFAULT_TRAINING_IMAGE,
  type ImageDecoding,
  type Lineage,
  type TrainingSpec,
} from '@mlops/contracts';
import { verifyBundleFiles } from '@mlops/ml/bundle';
import type { TrainerRegistry } from '../registry';

/**
 * A transfer run's base as the host hands it to the training thread: the version's verified
 * bundle files, the image decoding its input declares (the run feeds pixels scaled the same
 * way), and what the new version's lineage records about it.
 */
export interface TransferBaseBundle {
  ref: NonNullable<Lineage['base']>;
  files: Array<{ path: string; sha256: string; size: number; bytes: Uint8Array }>;
  decoding: ImageDecoding;
}

function refuse(message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, [{ path: 'transfer.base', message }]);
}

/**
 * Fetch the base of a transfer run (the registry pinned it to a version when the run was made)
 * and check again that the run's decoding is the base's: a run queued before the base's
 * version was replaced, or made by an older registry, fails here with the reason.
 */
export async function fetchTransferBase(
  registry: Pick<TrainerRegistry, 'api' | 'downloadBlob'>,
  spec: TrainingSpec,
): Promise<TransferBaseBundle | undefined> {
  const base = spec.transfer?.base;
  if (!base) return undefined;
  if (base.version === undefined)
    throw refuse(`the base "${base.model}" is not pinned to a version; create the run again`);
  const version = await registry.api.versions.get.query({
    model: base.model,
    version: base.version,
  });
  const named = `base ${version.model} v${version.version}`;
  const input = version.manifest.signature.tensors?.inputs[0];
  if (input?.kind !== 'image') throw refuse(`${named} has no image input with a declared decoding`);
  const image = spec.image ?? DEFAULT_TRAINING_IMAGE;
  const { height, width, channels } = input.decoding;
  if (image.height !== height || image.width !== width || image.channels !== channels)
    throw new AppError(
      'VALIDATION_FAILED',
      `${named} takes ${height}×${width}×${channels} images; the run decodes ${image.height}×${image.width}×${image.channels}`,
      [{ path: 'image', message: `must be ${height}×${width}×${channels}` }],
    );
  const files = [];
  for (const file of version.manifest.files)
    files.push({ ...file, bytes: new Uint8Array(await registry.downloadBlob(file.sha256)) });
  verifyBundleFiles(version.manifest, new Map(files.map((f) => [f.path, f.bytes])));
  return {
    ref: {
      model: version.model,
      version: version.version,
      sha256: createHash('sha256').update(bundleFilesDigestText(files)).digest('hex'),
    },
    files,
    decoding: input.decoding,
  };
}
