import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { isAppError } from '@mlops/contracts';
import { decodeImage, sniffImageFormat } from '../../src/image';

/** A w×h RGB gradient, deterministic. */
function gradient(w: number, h: number): Buffer {
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) {
    px[i * 3] = (i * 7) % 256;
    px[i * 3 + 1] = (i * 13) % 256;
    px[i * 3 + 2] = (i * 29) % 256;
  }
  return px;
}

const png = (w: number, h: number, channels: 1 | 3 = 3) =>
  sharp(channels === 3 ? gradient(w, h) : Buffer.alloc(w * h, 128), {
    raw: { width: w, height: h, channels },
  })
    .png()
    .toBuffer();

async function refusal(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (err) {
    if (isAppError(err)) return { code: err.code, message: err.message };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('decodeImage', () => {
  it('decodes a PNG losslessly at its own size and resizes to the declared one', async () => {
    const bytes = await png(8, 6);
    expect(sniffImageFormat(bytes)).toBe('png');
    const same = await decodeImage('img', bytes, {
      channels: 3,
      height: 6,
      width: 8,
      resize: 'bilinear',
    });
    expect(same.shape).toEqual([6, 8, 3]);
    expect(Buffer.from(same.data).equals(gradient(8, 6))).toBe(true);
    const small = await decodeImage('img', bytes, {
      channels: 3,
      height: 3,
      width: 4,
      resize: 'nearest',
    });
    expect(small.data.length).toBe(3 * 4 * 3);
    // The size the image had before the resize, for size drift.
    expect(small.source).toEqual({ width: 8, height: 6 });
  });

  it('gives a grey image the channels the input declares', async () => {
    const grey = await png(4, 4, 1);
    const rgb = await decodeImage('img', grey, {
      channels: 3,
      height: 4,
      width: 4,
      resize: 'bilinear',
    });
    expect(rgb.data.length).toBe(48);
    expect([...new Set(rgb.data)]).toEqual([128]);
    const jpeg = await sharp(gradient(16, 16), { raw: { width: 16, height: 16, channels: 3 } })
      .jpeg()
      .toBuffer();
    const one = await decodeImage('img', jpeg, {
      channels: 1,
      height: 16,
      width: 16,
      resize: 'bilinear',
    });
    expect(one.format).toBe('jpeg');
    expect(one.data.length).toBe(256);
  });

  it('refuses what is no image, a truncated one and one over the bounds, naming the input', async () => {
    const d = { channels: 3, height: 4, width: 4, resize: 'bilinear' } as const;
    expect(await refusal(decodeImage('photo', Buffer.from('hello'), d))).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'input "photo": not a JPEG or PNG image (its first bytes are neither format)',
    });
    const jpeg = await sharp(gradient(64, 64), { raw: { width: 64, height: 64, channels: 3 } })
      .jpeg()
      .toBuffer();
    const cut = await refusal(decodeImage('photo', jpeg.subarray(0, 200), d));
    expect(cut.code).toBe('VALIDATION_FAILED');
    expect(cut.message).toMatch(/^input "photo": the JPEG image cannot be decoded/);
    const big = await refusal(decodeImage('photo', await png(100, 100), d, { maxPixels: 5_000 }));
    expect(big.message).toBe('input "photo": the image has more than 5000 pixels');
    const heavy = await refusal(decodeImage('photo', jpeg, d, { maxBytes: 100 }));
    expect(heavy.message).toBe(
      `input "photo": the encoded image has ${jpeg.length} bytes; at most 100`,
    );
  });
});
