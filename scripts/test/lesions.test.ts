import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { LESION_CLASSES, generateLesions } from '../demo/lesions';

async function meanBrightness(data: Buffer): Promise<number> {
  const { channels } = await sharp(data).stats();
  return channels.slice(0, 3).reduce((n, c) => n + c.mean, 0) / 3;
}

describe('the lesion image generator', () => {
  it('gives the same bytes for the same seed and other bytes for another', async () => {
    const a = await generateLesions({ count: 6, seed: 1, size: 32 });
    const b = await generateLesions({ count: 6, seed: 1, size: 32 });
    const c = await generateLesions({ count: 6, seed: 2, size: 32 });
    expect(a.map((i) => i.data.equals(b[a.indexOf(i)]!.data))).toEqual(Array(6).fill(true));
    expect(a[0]!.data.equals(c[0]!.data)).toBe(false);
    expect(a.map((i) => i.label)).toEqual([...LESION_CLASSES, ...LESION_CLASSES]);
    expect(a[0]!.path).toBe('keratosis/keratosis-0000.png');
  });

  it('makes JPEGs of the asked size, and a darker set with brightness < 1', async () => {
    const [normal] = await generateLesions({ count: 1, seed: 3, size: 40, format: 'jpeg' });
    const [dark] = await generateLesions({
      count: 1,
      seed: 3,
      size: 40,
      format: 'jpeg',
      brightness: 0.6,
    });
    expect(await sharp(normal!.data).metadata()).toMatchObject({
      format: 'jpeg',
      width: 40,
      height: 40,
    });
    const ratio = (await meanBrightness(dark!.data)) / (await meanBrightness(normal!.data));
    expect(ratio).toBeGreaterThan(0.55);
    expect(ratio).toBeLessThan(0.65);
  });

  it('draws the classes apart: melanomas are darker than keratoses on average', async () => {
    const images = await generateLesions({ count: 30, seed: 9, size: 48 });
    const mean = async (label: string) => {
      const of = images.filter((i) => i.label === label);
      let sum = 0;
      for (const i of of) sum += await meanBrightness(i.data);
      return sum / of.length;
    };
    expect(await mean('melanoma')).toBeLessThan(await mean('keratosis'));
  });
});
