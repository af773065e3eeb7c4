import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { countDatasets } from '@mlops/storage';
import { generateLesions } from '../../../scripts/demo/lesions';
import { errorOf, filesUnder } from './helpers';
import { tarOf, zipOf } from '../src/testing-archives';
import { files, useImageRegistry } from './image-datasets-setup';

const t = useImageRegistry();

describe('image datasets: refusals', () => {
  it('refuses a corrupt image, naming its path, and stores nothing', async () => {
    const datasets = await countDatasets(t.r.deps.db);
    const blobs = await t.blobCount();
    const fresh = await generateLesions({ count: 6, seed: 5, size: 48, format: 'jpeg' });
    const broken = fresh[4]!.data.subarray(0, Math.floor(fresh[4]!.data.length / 2));
    const archive = await tarOf([
      ...files(fresh.slice(0, 4)),
      { path: 'lesions/nevus/broken.jpg', data: broken },
      { path: 'lesions/nevus/text.png', data: 'not an image' },
    ]);
    const res = await t.upload('corrupt', archive, 'application/x-tar');
    expect(res.statusCode).toBe(422);
    expect(errorOf(res).message).toContain('lesions/nevus/broken.jpg');
    expect(errorOf(res).details?.[0]).toMatchObject({ path: 'lesions/nevus/broken.jpg' });
    expect(await countDatasets(t.r.deps.db)).toBe(datasets);
    expect(await t.blobCount()).toBe(blobs);
    expect(filesUnder(t.r.deps.tmpDir)).toEqual([]);
  });

  it('refuses too many images, too large a file and too many pixels with 413', async () => {
    const blobs = await t.blobCount();
    const many = await generateLesions({ count: 41, seed: 3, size: 16 });
    const tooMany = await t.upload('many', zipOf(files(many)), 'application/zip');
    expect(tooMany.statusCode).toBe(413);
    expect(errorOf(tooMany).message).toContain('more than 40 images');

    const noisy = await sharp(
      Buffer.alloc(280 * 280 * 3).map((_, i) => (i * 7919) % 251),
      {
        raw: { width: 280, height: 280, channels: 3 },
      },
    )
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(noisy.length).toBeGreaterThan(200_000);
    const big = await t.upload(
      'big',
      zipOf([{ path: 'a/big.png', data: noisy }]),
      'application/zip',
    );
    expect(big.statusCode).toBe(413);
    expect(errorOf(big).message).toContain('a/big.png');

    const wide = await sharp({
      create: { width: 400, height: 300, channels: 3, background: '#888' },
    })
      .png()
      .toBuffer();
    const pixels = await t.upload(
      'wide',
      await tarOf([{ path: 'a/wide.png', data: wide }]),
      'application/x-tar',
    );
    expect(pixels.statusCode).toBe(413);
    expect(errorOf(pixels).details?.[0]).toMatchObject({ path: 'a/wide.png' });

    expect(await t.blobCount()).toBe(blobs);
    expect(filesUnder(t.r.deps.tmpDir)).toEqual([]);
  });

  it('refuses a gzip bomb at its headers (413), however few bytes it sends', async () => {
    // 41 MiB of zeros (4 × the test's 10 MiB upload limit, plus one) gzip to ~40 KB.
    const bomb = await tarOf(
      [
        { path: 'a/zeros.bin', data: Buffer.alloc(41 * 1024 ** 2) },
        ...files(t.lesions.slice(0, 1)),
      ],
      true,
    );
    expect(bomb.length).toBeLessThan(1024 ** 2);
    const res = await t.upload('bomb', bomb, 'application/gzip');
    expect(res.statusCode).toBe(413);
    expect(errorOf(res).message).toContain('add up to more than');
    expect(filesUnder(t.r.deps.tmpDir)).toEqual([]);
  });

  it('refuses something that is not an archive with 400', async () => {
    const res = await t.upload('junk', Buffer.from('not a zip at all'), 'application/zip');
    expect(res.statusCode).toBe(400);
    expect(errorOf(res).message).toContain('zip');
  });
});
