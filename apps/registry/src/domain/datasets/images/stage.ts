import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { PRIVATE_FILE_MODE } from '@mlops/storage';
import {
  DatasetImageError,
  probeDatasetImage,
  type ProbedDatasetImage,
} from '@mlops/ml/image/dataset';
import { AppError } from '@mlops/contracts';
import type { TempFiles } from '../temp';
import { imageTooLarge, tooManyPixels, type ImageLimits } from './limits';

/** One distinct image of an upload, checked and waiting in a temp file until the version is stored. */
export interface StagedImage {
  sha256: string;
  file: string;
  size: number;
  probe: ProbedDatasetImage;
}

/**
 * Read one image entry (refused as soon as it passes `imageBytes`), hash it, and unless an
 * identical image was already staged, decode it fully and keep it in a temp file. Returns the
 * sha256 the entry's path maps to.
 */
export async function stageImage(
  path: string,
  stream: Readable,
  staged: Map<string, StagedImage>,
  temp: TempFiles,
  limits: ImageLimits,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limits.imageBytes) {
      stream.destroy();
      throw imageTooLarge(path, limits.imageBytes);
    }
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks, size);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (staged.has(sha256)) return sha256;
  let probe: ProbedDatasetImage;
  try {
    probe = await probeDatasetImage(bytes, { maxPixels: limits.pixels });
  } catch (err) {
    if (!(err instanceof DatasetImageError)) throw err;
    if (err.reason === 'too-many-pixels') throw tooManyPixels(path, err.message);
    throw new AppError('BAD_DATASET', `image ${path} ${err.message}`, [
      { path, message: err.message },
    ]);
  }
  const file = temp.path('.img');
  await fsp.writeFile(file, bytes, { flag: 'wx', mode: PRIVATE_FILE_MODE });
  staged.set(sha256, { sha256, file, size, probe });
  return sha256;
}
