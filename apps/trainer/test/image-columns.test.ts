import { describe, expect, it } from 'vitest';
import { resolveColumns } from '../src/train/columns';
import { resolveImageColumns } from '../src/train/images';
import { spec } from './data';

describe('an image dataset sent to the tabular trainer', () => {
  it('is refused by name instead of failing on its first row', () => {
    const schema = {
      columns: [
        { name: 'image', type: 'image' as const, nullable: false },
        { name: 'label', type: 'categorical' as const, nullable: false },
      ],
    };
    expect(() =>
      resolveColumns(
        spec({ task: 'classification', target: 'label', preset: 'cnn-small' }),
        schema,
      ),
    ).toThrow(/image column\(s\) "image"/);
  });
});

describe('the columns of an image run', () => {
  const schema = {
    columns: [
      { name: 'image', type: 'image' as const, nullable: false },
      { name: 'label', type: 'categorical' as const, nullable: false },
      { name: 'size', type: 'numeric' as const, nullable: false },
    ],
  };

  it('are its image column and its label column', () => {
    expect(
      resolveImageColumns(
        spec({ task: 'classification', target: 'label', preset: 'cnn-small' }),
        schema,
      ),
    ).toEqual({
      column: 'image',
      target: 'label',
    });
  });

  it('are none for a tabular dataset (it trains as before)', () => {
    const tabular = { columns: schema.columns.slice(1) };
    expect(
      resolveImageColumns(
        spec({ task: 'classification', target: 'label', preset: 'cnn-small' }),
        tabular,
      ),
    ).toBe(null);
  });

  it('need the cnn-small preset (checked before any image is downloaded)', () => {
    expect(() =>
      resolveImageColumns(spec({ task: 'classification', target: 'label' }), schema),
    ).toThrow(/preset "mlp-small".*preset "cnn-small"/);
  });

  it('need no preset for a transfer run (its model is the base plus a head)', () => {
    const transfer = { base: { model: 'mobilenet', version: 1 } };
    expect(
      resolveImageColumns(spec({ task: 'classification', target: 'label', transfer }), schema),
    ).toEqual({ column: 'image', target: 'label' });
  });

  it('refuse a regression, a numeric or missing target, and other features, by name', () => {
    expect(() =>
      resolveImageColumns(
        spec({ task: 'regression', target: 'size', preset: 'cnn-small' }),
        schema,
      ),
    ).toThrow(/classifiers only/);
    expect(() =>
      resolveImageColumns(
        spec({ task: 'classification', target: 'size', preset: 'cnn-small' }),
        schema,
      ),
    ).toThrow(/target "size" must be a label column/);
    expect(() =>
      resolveImageColumns(
        spec({ task: 'classification', target: 'nope', preset: 'cnn-small' }),
        schema,
      ),
    ).toThrow(/target "nope"/);
    expect(() =>
      resolveImageColumns(
        spec({ task: 'classification', target: 'label', features: ['size'], preset: 'cnn-small' }),
        schema,
      ),
    ).toThrow(/only feature is its image column "image"/);
  });
});
