import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  DatasetImageError,
  ImageProfileBuilder,
  datasetThumbnail,
  probeDatasetImage,
} from '../../src/image/dataset-index';

const solid = (width: number, height: number, rgb: [number, number, number]) =>
  sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } })
    .png()
    .toBuffer();

describe('dataset image probe and profile', () => {
  it('measures channels and brightness exactly on solid images', async () => {
    const red = await probeDatasetImage(await solid(4, 2, [200, 0, 0]), { maxPixels: 100 });
    const grey = await probeDatasetImage(await solid(2, 2, [100, 100, 100]), { maxPixels: 100 });
    expect(red).toMatchObject({ format: 'png', width: 4, height: 2, pixels: 8 });
    const profile = new ImageProfileBuilder('image', 'label');
    profile.add({ sha256: 'a'.repeat(64), width: 4, height: 2, format: 'png' }, red, 'r');
    profile.add({ sha256: 'b'.repeat(64), width: 2, height: 2, format: 'png' }, grey, 'g');
    const out = profile.finish();
    // 8 pixels of 200 and 4 of 100 in red: mean 500/3, std sqrt(E[x²] - mean²).
    const mean = (8 * 200 + 4 * 100) / 12;
    expect(out.channels[0]!.mean).toBeCloseTo(mean, 2);
    expect(out.channels[0]!.std).toBeCloseTo(
      Math.sqrt((8 * 200 ** 2 + 4 * 100 ** 2) / 12 - mean ** 2),
      2,
    );
    expect(out.channels[1]!.mean).toBeCloseTo((4 * 100) / 12, 2);
    // Luma of pure red 200 is 59.8 (bin 3 of 16), of grey 100 is 100 (bin 6).
    expect(out.brightness.counts[3]).toBe(8);
    expect(out.brightness.counts[6]).toBe(4);
    expect(out.width).toEqual({ min: 2, median: 3, max: 4 });
    expect(out.classes).toEqual([
      { label: 'g', count: 1, thumbnails: [] },
      { label: 'r', count: 1, thumbnails: [] },
    ]);
  });

  it('refuses a truncated JPEG, a non-image and too many pixels', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#a52' } })
      .jpeg()
      .toBuffer();
    const cut = jpeg.subarray(0, jpeg.length - 40);
    await expect(probeDatasetImage(cut, { maxPixels: 1e6 })).rejects.toBeInstanceOf(
      DatasetImageError,
    );
    await expect(probeDatasetImage(Buffer.from('hello'), { maxPixels: 1e6 })).rejects.toMatchObject(
      {
        reason: 'undecodable',
      },
    );
    await expect(probeDatasetImage(jpeg, { maxPixels: 100 })).rejects.toMatchObject({
      reason: 'too-many-pixels',
    });
  });

  it('makes small JPEG thumbnails without enlarging', async () => {
    const thumb = await datasetThumbnail(await solid(300, 150, [10, 20, 30]));
    expect(thumb).toMatchObject({ width: 96, height: 48 });
    expect((await sharp(thumb.data).metadata()).format).toBe('jpeg');
    expect(await datasetThumbnail(await solid(20, 10, [1, 2, 3]))).toMatchObject({ width: 20 });
  });
});
