import { DRIFT_REFERENCE_FILE, type TensorSignature } from '@mlops/contracts';
import { TensorReferenceBuilder } from '@mlops/ml/summary';
import type { ImageExamples } from './images';

/**
 * `drift-reference.json` of an image run: the training split's images summarized exactly as
 * serving logs live ones (packages/ml/src/summary), so the monitor compares live traffic with
 * what the model was trained on instead of with its own first window. The pixels are the
 * decoded, resized 0–255 values serving also summarizes (before the model's scaling), not
 * augmented (serving sees no augmentation either), with each image's size before the resize.
 */
export function imageDriftReference(
  images: ImageExamples,
  train: readonly number[],
  tensors: TensorSignature,
  seed: number,
): { path: string; bytes: Uint8Array } {
  const input = tensors.inputs[0]!;
  const { height, width, channels } = images.image;
  const size = height * width * channels;
  const builder = new TensorReferenceBuilder(tensors, { seed });
  const { sizes } = images;
  for (const i of train) {
    const source = sizes ? { width: sizes[2 * i]!, height: sizes[2 * i + 1]! } : undefined;
    builder.add(
      { [input.name]: images.pixels.subarray(i * size, (i + 1) * size) },
      { [input.name]: source },
    );
  }
  return {
    path: DRIFT_REFERENCE_FILE,
    bytes: new TextEncoder().encode(JSON.stringify(builder.finish())),
  };
}
