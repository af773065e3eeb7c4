import { UploadLimitError } from '../limits';

/** Bounds of one image dataset upload, on top of REGISTRY_MAX_UPLOAD_BYTES for the archive. */
export interface ImageLimits {
  /** Images in one archive (REGISTRY_MAX_DATASET_IMAGES). */
  images: number;
  /** Bytes of one image file (REGISTRY_MAX_IMAGE_BYTES). */
  imageBytes: number;
  /** Width × height of one image (REGISTRY_MAX_IMAGE_PIXELS): bounds the decoder's memory. */
  pixels: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  images: 100_000,
  imageBytes: 20 * 1024 ** 2,
  pixels: 40_000_000,
};

export function tooManyImages(limit: number): UploadLimitError {
  return new UploadLimitError(
    'images',
    `the archive has more than ${limit} images (REGISTRY_MAX_DATASET_IMAGES); split the set or raise the limit`,
    [{ path: 'images', message: `at most ${limit} images` }],
  );
}

export function imageTooLarge(path: string, limit: number): UploadLimitError {
  return new UploadLimitError(
    'image_bytes',
    `image ${path} is larger than ${limit} bytes (REGISTRY_MAX_IMAGE_BYTES)`,
    [{ path, message: `larger than ${limit} bytes` }],
  );
}

export function tooManyPixels(path: string, message: string): UploadLimitError {
  return new UploadLimitError('pixels', `image ${path} ${message} (REGISTRY_MAX_IMAGE_PIXELS)`, [
    { path, message },
  ]);
}
