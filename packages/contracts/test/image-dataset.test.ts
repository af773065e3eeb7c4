import { describe, expect, it } from 'vitest';
import {
  datasetProfileSchema,
  datasetSchemaSchema,
  datasetVersionSchema,
  isDatasetRow,
  isCellRow,
  scalarColumns,
} from '../src/dataset';

describe('image columns in dataset schemas', () => {
  it('parses a stored tabular schema and profile unchanged', () => {
    const stored = {
      columns: [
        { name: 'x', type: 'numeric', nullable: false },
        { name: 'c', type: 'categorical', nullable: true, categories: ['a', 'b'] },
      ],
    };
    expect(datasetSchemaSchema.parse(stored)).toEqual(stored);
    expect(datasetProfileSchema.parse({ rowCount: 0, columns: [] })).toEqual({
      rowCount: 0,
      columns: [],
    });
  });

  it('takes an image column, and scalarColumns leaves it out', () => {
    const schema = datasetSchemaSchema.parse({
      columns: [
        { name: 'image', type: 'image', nullable: false },
        { name: 'label', type: 'categorical', nullable: false },
      ],
    });
    expect(scalarColumns(schema.columns).map((c) => c.name)).toEqual(['label']);
    // An image column has no categories: a typo'd key is refused, not kept.
    expect(
      datasetSchemaSchema.safeParse({
        columns: [{ name: 'image', type: 'image', nullable: false, categories: [] }],
      }).success,
    ).toBe(false);
  });

  it('tells image rows from scalar rows', () => {
    const cell = { sha256: 'f'.repeat(64), width: 2, height: 2, format: 'jpeg' };
    expect(isDatasetRow([cell, 'a', 1, null])).toBe(true);
    expect(isCellRow([cell, 'a'])).toBe(false);
    expect(isDatasetRow([{ a: 1 }])).toBe(false);
  });

  it('accepts the archive formats on a version', () => {
    expect(datasetVersionSchema.shape.format.parse('tar.gz')).toBe('tar.gz');
  });
});
