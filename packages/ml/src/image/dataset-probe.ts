import sharp from 'sharp';
import type { ImageFormat } from '@mlops/contracts';

/** Bins of the brightness histogram over 0–256 (luma of 8-bit sRGB). */
export const BRIGHTNESS_BINS = 16;

/** Why an image of a dataset was refused; the caller adds the image's path. */
export class DatasetImageError extends Error {
  constructor(
    readonly reason: 'undecodable' | 'unsupported' | 'too-many-pixels',
    message: string,
  ) {
    super(message);
  }
}

/** What a dataset keeps of one image: its size and the sums its profile is built from. */
export interface ProbedDatasetImage {
  format: ImageFormat;
  width: number;
  height: number;
  pixels: number;
  /** Per sRGB channel: sum and sum of squares of the 0–255 values. */
  sums: [number, number, number];
  squares: [number, number, number];
  /** Pixel counts of luma per bin of `BRIGHTNESS_BINS`. */
  brightness: number[];
}

const FORMATS: Record<string, ImageFormat> = { jpeg: 'jpeg', png: 'png', webp: 'webp' };

/**
 * Decode one image of a dataset completely (a truncated or corrupt file fails here, not when a
 * trainer first reads it) and measure it. The header is read first so an image of more than
 * `maxPixels` is refused before its pixels are allocated.
 */
export async function probeDatasetImage(
  bytes: Buffer,
  opts: { maxPixels: number },
): Promise<ProbedDatasetImage> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes).metadata();
  } catch (err) {
    throw new DatasetImageError('undecodable', `not a readable image (${reason(err)})`);
  }
  const format = FORMATS[meta.format ?? ''];
  if (!format)
    throw new DatasetImageError(
      'unsupported',
      `is ${meta.format ?? 'of an unknown format'}; images must be JPEG, PNG or WebP`,
    );
  const { width, height } = meta;
  if (!width || !height) throw new DatasetImageError('undecodable', 'has no width or height');
  if (width * height > opts.maxPixels)
    throw new DatasetImageError(
      'too-many-pixels',
      `is ${width}×${height} = ${width * height} pixels; at most ${opts.maxPixels} are allowed`,
    );
  let decoded: { data: Buffer; info: sharp.OutputInfo };
  try {
    decoded = await decodeDatasetImageRgb(bytes, opts.maxPixels);
  } catch (err) {
    throw new DatasetImageError('undecodable', `cannot be decoded (${reason(err)})`);
  }
  return { format, width, height, ...measure(decoded.data) };
}

/**
 * Decode to 8-bit sRGB without alpha, three bytes per pixel (greyscale becomes three equal
 * channels). `failOn: 'warning'` makes a truncated JPEG an error instead of grey pixels.
 */
export function decodeDatasetImageRgb(
  bytes: Buffer,
  maxPixels: number,
): Promise<{ data: Buffer; info: sharp.OutputInfo }> {
  return sharp(bytes, { failOn: 'warning', limitInputPixels: maxPixels })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
}

function measure(rgb: Buffer): Omit<ProbedDatasetImage, 'format' | 'width' | 'height'> {
  let r = 0;
  let g = 0;
  let b = 0;
  let r2 = 0;
  let g2 = 0;
  let b2 = 0;
  const brightness = new Array<number>(BRIGHTNESS_BINS).fill(0);
  const binWidth = 256 / BRIGHTNESS_BINS;
  for (let i = 0; i + 2 < rgb.length; i += 3) {
    const R = rgb[i]!;
    const G = rgb[i + 1]!;
    const B = rgb[i + 2]!;
    r += R;
    g += G;
    b += B;
    r2 += R * R;
    g2 += G * G;
    b2 += B * B;
    const luma = 0.299 * R + 0.587 * G + 0.114 * B;
    brightness[Math.min(BRIGHTNESS_BINS - 1, Math.floor(luma / binWidth))]! += 1;
  }
  return { pixels: Math.floor(rgb.length / 3), sums: [r, g, b], squares: [r2, g2, b2], brightness };
}

function reason(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0]!.slice(0, 200);
}
