import sharp from 'sharp';
import { AppError, type ImageDecoding } from '@mlops/contracts';

/** Encoded formats a client may send: what TF Serving's decode_image and most cameras write. */
export type ImageFormat = 'jpeg' | 'png';

/**
 * 16 MiB of encoded bytes per image: a 24-megapixel JPEG is ≈ 10 MB. Serving's body limit bounds
 * a request on top of this; the bound here is per image, inside a request of several.
 */
export const MAX_ENCODED_IMAGE_BYTES = 16 * 1024 * 1024;
/**
 * 40 megapixels decoded (≈ 120 MB as RGB): above any camera photo, far below what a crafted
 * "decompression bomb" header can claim (a 100-byte PNG may announce 4 billion pixels).
 * libvips reads the header first and refuses before allocating.
 */
export const MAX_DECODED_PIXELS = 40_000_000;

export interface DecodeLimits {
  maxBytes?: number;
  maxPixels?: number;
}

/** Decoded pixels, row-major [height, width, channels], 0–255. */
export interface DecodedImage {
  readonly data: Uint8Array;
  readonly shape: readonly [number, number, number];
  readonly format: ImageFormat;
  /** The encoded image's own size, before the resize: what image size drift compares. */
  readonly source: ImageSize;
}

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** The format the leading bytes announce, or null when they are no JPEG or PNG. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return 'jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= png.length && png.every((b, i) => bytes[i] === b)) return 'png';
  return null;
}

function invalid(input: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', `input "${input}": ${message}`, [
    { path: input, message },
  ]);
}

/** A 400 like any other bad input (the request is fine, this one image is over the bound). */
const tooLarge = invalid;

/**
 * Encoded JPEG/PNG bytes → the pixels an image input declares: `channels` (grey, RGB or RGBA
 * whatever the file holds), resized to exactly `height`×`width` (aspect ratio not kept, as
 * tf.image.resize does) with the declared method. Scale/mean/std are the predictor's job.
 * Anything else (not an image, truncated, too large) is a 4xx naming `input`.
 *
 * sharp (libvips) decodes on libuv's thread pool: ≈ 6 ms for a 640×480 JPEG against ≈ 25 ms
 * for the pure-JS jpeg-js, and the event loop keeps serving meanwhile.
 */
export async function decodeImage(
  input: string,
  bytes: Uint8Array,
  decoding: Pick<ImageDecoding, 'channels' | 'height' | 'width' | 'resize'>,
  limits: DecodeLimits = {},
): Promise<DecodedImage> {
  const maxBytes = limits.maxBytes ?? MAX_ENCODED_IMAGE_BYTES;
  const maxPixels = limits.maxPixels ?? MAX_DECODED_PIXELS;
  if (bytes.length > maxBytes)
    throw tooLarge(input, `the encoded image has ${bytes.length} bytes; at most ${maxBytes}`);
  const format = sniffImageFormat(bytes);
  if (!format)
    throw invalid(
      input,
      bytes.length === 0
        ? 'the image is empty'
        : 'not a JPEG or PNG image (its first bytes are neither format)',
    );
  const { channels, height, width } = decoding;
  let image = sharp(bytes, { limitInputPixels: maxPixels, failOn: 'error' });
  try {
    const meta = await image.metadata();
    const pixels = (meta.width ?? 0) * (meta.height ?? 0);
    if (pixels > maxPixels)
      throw tooLarge(
        input,
        `the image is ${meta.width}×${meta.height} (${pixels} pixels); at most ${maxPixels}`,
      );
    image = image.resize(width, height, {
      fit: 'fill',
      kernel: decoding.resize === 'nearest' ? 'nearest' : 'linear',
    });
    if (channels === 1) image = image.toColourspace('b-w').removeAlpha();
    else if (channels === 3) image = image.toColourspace('srgb').removeAlpha();
    else image = image.toColourspace('srgb').ensureAlpha();
    const { data, info } = await image.raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== channels || info.width !== width || info.height !== height)
      throw invalid(
        input,
        `decoded to ${info.height}×${info.width}×${info.channels}, expected ${height}×${width}×${channels}`,
      );
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      shape: [height, width, channels],
      format,
      source: { width: meta.width ?? 0, height: meta.height ?? 0 },
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/pixel limit/i.test(message))
      throw tooLarge(input, `the image has more than ${maxPixels} pixels`);
    // libvips' own words ("VipsJpeg: Premature end of input file") say what is wrong.
    throw invalid(
      input,
      `the ${format.toUpperCase()} image cannot be decoded: ${message.split('\n')[0]}`,
    );
  }
}
