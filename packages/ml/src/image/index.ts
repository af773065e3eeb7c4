export {
  decodeImage,
  sniffImageFormat,
  MAX_DECODED_PIXELS,
  MAX_ENCODED_IMAGE_BYTES,
  type DecodedImage,
  type ImageSize,
  type DecodeLimits,
  type ImageFormat,
} from './decode';
