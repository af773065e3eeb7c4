import sharp from 'sharp';

/** Longest side of a dataset thumbnail: enough to recognise a class on the dataset page. */
export const THUMBNAIL_SIZE = 96;

/** A small JPEG of an image (never enlarged), transparent areas on white. */
export async function datasetThumbnail(
  bytes: Buffer,
  size = THUMBNAIL_SIZE,
): Promise<{ data: Buffer; width: number; height: number }> {
  const { data, info } = await sharp(bytes, { failOn: 'warning' })
    .resize(size, size, { fit: 'inside', withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 75 })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
