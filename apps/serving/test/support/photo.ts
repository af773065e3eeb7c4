import sharp from 'sharp';

/**
 * A 320×240 photo-like JPEG (smooth gradients and a disc, quality 90, ≈5.5 kB): what a client
 * sends to an image model, which serving decodes and resizes. The same bytes every time; the
 * image-model tests and the image round of bench:serve both send it.
 */
export async function photoJpeg(): Promise<Buffer> {
  const w = 320;
  const h = 240;
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      const disc = (x - 160) ** 2 + (y - 120) ** 2 < 60 ** 2;
      px[i] = disc ? 220 : (x * 255) / w;
      px[i + 1] = disc ? 180 : (y * 255) / h;
      px[i + 2] = disc ? 150 : 90;
    }
  return sharp(px, { raw: { width: w, height: h, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}
