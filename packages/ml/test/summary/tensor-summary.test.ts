import { describe, expect, it } from 'vitest';
import { tensorDriftReferenceSchema, tensorSignatureSchema } from '@mlops/contracts';
import {
  embeddingVector,
  summarizeExample,
  tensorSummaryColumns,
  TensorReferenceBuilder,
} from '../../src/summary/index';

const signature = tensorSignatureSchema.parse({
  inputs: [
    {
      kind: 'image',
      name: 'img',
      dtype: 'float32',
      shape: [-1, 8, 8, 3],
      decoding: { channels: 3, height: 8, width: 8, scale: 1 / 255 },
    },
    { kind: 'tensor', name: 'sig', dtype: 'float32', shape: [-1, 4] },
  ],
  outputs: [{ name: 'p', dtype: 'float32', shape: [-1, 2], role: 'probabilities' }],
});

/** An 8×8 RGB image whose red channel is `left` on the left half and `right` on the right. */
function halves(left: number, right: number): Uint8Array {
  const px = new Uint8Array(8 * 8 * 3);
  for (let y = 0; y < 8; y++)
    for (let x = 0; x < 8; x++) {
      const at = (y * 8 + x) * 3;
      px[at] = x < 4 ? left : right;
      px[at + 1] = 100;
      px[at + 2] = 0;
    }
  return px;
}

describe('tensor summaries (what serving logs and the trainer stores as reference)', () => {
  it('names per-channel statistics, the size, then the 4×4 thumbnail of an image input', () => {
    const columns = tensorSummaryColumns(signature);
    expect(columns.slice(0, 6)).toEqual([
      'img.mean_c0',
      'img.mean_c1',
      'img.mean_c2',
      'img.std_c0',
      'img.std_c1',
      'img.std_c2',
    ]);
    // The encoded image's size before the resize.
    expect(columns.slice(6, 8)).toEqual(['img.width', 'img.height']);
    expect(columns[8]).toBe('img.embedding');
    // A plain tensor input has its statistics, no size and no embedding.
    expect(columns.slice(9)).toEqual(['sig.mean', 'sig.std']);
  });

  it('computes brightness, contrast and the thumbnail of the pixels', () => {
    const s = summarizeExample(signature, { img: halves(200, 0), sig: [1, 2, 3, 4] });
    expect(s['img.mean_c0']).toBe(100);
    expect(s['img.std_c0']).toBe(100);
    expect(s['img.mean_c1']).toBe(100);
    expect(s['img.std_c1']).toBe(0);
    // 48 components in 48 bytes of base64: 64 characters in the log.
    expect(s['img.embedding']).toHaveLength(64);
    const thumb = embeddingVector(s['img.embedding'], 48)!;
    // Cell (row 0, col 0) is on the left: red 200; cell (0, 3) on the right: red 0.
    expect(thumb.slice(0, 3)).toEqual([200, 100, 0]);
    expect(thumb[9]).toBe(0);
    // Cell (3, 1) is left of the middle: index (3·4 + 1)·3 = 39.
    expect(thumb[39]).toBe(200);
    // Anything but 48 bytes of base64 is no embedding of this input.
    expect(embeddingVector(s['img.embedding'], 16)).toBeNull();
    expect(embeddingVector(3, 48)).toBeNull();
    expect(s['sig.mean']).toBe(2.5);
    expect(s['sig.std']).toBe(1.118);
    // Pixels alone have no size; an image decoded from bytes has the one it was sent at.
    expect(s).not.toHaveProperty('img.width');
    const sent = summarizeExample(
      signature,
      { img: halves(1, 2), sig: [0, 0, 0, 0] },
      { img: { width: 640, height: 480 } },
    );
    expect([sent['img.width'], sent['img.height']]).toEqual([640, 480]);
    expect(sent).not.toHaveProperty('sig.width');
  });

  it('fills every thumbnail cell of an image smaller than the thumbnail', () => {
    const tiny = tensorSignatureSchema.parse({
      inputs: [
        {
          kind: 'image',
          name: 'g',
          dtype: 'float32',
          shape: [-1, 2, 2, 1],
          decoding: { channels: 1, height: 2, width: 2 },
        },
      ],
      outputs: [{ name: 'p', dtype: 'float32', shape: [-1, 1], role: 'value' }],
    });
    const s = summarizeExample(tiny, { g: [0, 10, 20, 30] });
    // Each cell takes its nearest pixel: a 2×2 image blown up to 4×4.
    expect(embeddingVector(s['g.embedding'], 16)).toEqual([
      0, 0, 10, 10, 0, 0, 10, 10, 20, 20, 30, 30, 20, 20, 30, 30,
    ]);
  });
});

describe('the training reference', () => {
  it('keeps a seeded sample of at most maxRows summary rows and counts them all', () => {
    const build = (seed: number) => {
      const b = new TensorReferenceBuilder(signature, { seed, maxRows: 10 });
      for (let i = 0; i < 50; i++)
        b.add({ img: halves(i, 255 - i), sig: [i, 0, 0, 0] }, { img: { width: 8 + i, height: 8 } });
      return tensorDriftReferenceSchema.parse(b.finish());
    };
    const r = build(1);
    expect(r.count).toBe(50);
    expect(r.rows).toHaveLength(10);
    expect(r.columns).toEqual(tensorSummaryColumns(signature));
    expect(build(1)).toEqual(r);
    expect(build(2).rows).not.toEqual(r.rows);
    // A column an example has no value for (a tensor's size) is null, not NaN.
    const widths = r.rows.map((row) => row[r.columns.indexOf('img.width')]);
    expect(widths.every((w) => typeof w === 'number' && w >= 8 && w < 58)).toBe(true);
    // A sample of the whole stream, not its first rows: examples 10–49 replaced some.
    expect(Math.max(...(widths as number[]))).toBeGreaterThan(8 + 10);
    expect(new Set(widths).size).toBe(10);
    const b = new TensorReferenceBuilder(signature, { seed: 1 });
    b.add({ img: halves(0, 0), sig: [0, 0, 0, 0] });
    expect(b.finish().rows[0]![r.columns.indexOf('img.width')]).toBeNull();
  });
});
