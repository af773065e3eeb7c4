import { describe, expect, it } from 'vitest';
import {
  AppError,
  canonicalRowLine,
  datasetSchemaSchema,
  describeDetails,
  formatPath,
  predictRequestSchema,
  trainingSpecSchema,
  zodIssuesToDetails,
} from '../src';

describe('training spec', () => {
  it('fills documented defaults', () => {
    const spec = trainingSpecSchema.parse({
      modelName: 'iris',
      dataset: { name: 'iris' },
      task: 'classification',
      target: 'species',
    });
    expect(spec.preset).toBe('mlp-small');
    expect(spec.seed).toBe(42);
    expect(spec.backend).toBe('auto');
    expect(spec.hyperparameters).toMatchObject({
      epochs: 100,
      batchSize: 32,
      testFraction: 0.2,
      earlyStoppingPatience: 10,
    });
  });

  it('names the bad field', () => {
    const result = trainingSpecSchema.safeParse({
      modelName: '../x',
      dataset: { name: 'iris' },
      task: 'clustering',
      target: 'y',
    });
    expect(result.success).toBe(false);
    const paths = zodIssuesToDetails(result.error!.issues).map((d) => d.path);
    expect(paths).toEqual(expect.arrayContaining(['modelName', 'task']));
  });
});

describe('dataset schema', () => {
  it('rejects duplicate column names', () => {
    const result = datasetSchemaSchema.safeParse({
      columns: [
        { name: 'a', type: 'numeric', nullable: false },
        { name: 'a', type: 'boolean', nullable: false },
      ],
    });
    expect(result.success).toBe(false);
  });

  it('canonicalises rows in column order with nulls for missing cells', () => {
    const columns = [
      { name: 'b', type: 'numeric' as const, nullable: true },
      { name: 'a', type: 'categorical' as const, nullable: false },
    ];
    expect(canonicalRowLine(columns, { a: 'x', b: 1.5 })).toBe('[1.5,"x"]\n');
    expect(canonicalRowLine(columns, { a: 'y' })).toBe('[null,"y"]\n');
  });
});

describe('predict request', () => {
  it('requires at least one record and plain values', () => {
    expect(predictRequestSchema.safeParse({ instances: [] }).success).toBe(false);
    expect(predictRequestSchema.safeParse({ instances: [{ a: { nested: 1 } }] }).success).toBe(
      false,
    );
    expect(
      predictRequestSchema.safeParse({ instances: [{ a: 1, b: 'x', c: true, d: null }] }).success,
    ).toBe(true);
  });
});

describe('errors', () => {
  it('maps codes to HTTP status and a stable body', () => {
    const err = new AppError('BAD_DATASET', 'row 3 is broken', [
      { row: 3, path: 'a', message: 'expected a number' },
    ]);
    expect(err.httpStatus).toBe(422);
    expect(err.toBody()).toEqual({
      error: {
        code: 'BAD_DATASET',
        message: 'row 3 is broken',
        details: [{ row: 3, path: 'a', message: 'expected a number' }],
      },
    });
    expect(new AppError('NOT_FOUND', 'x').toBody()).toEqual({
      error: { code: 'NOT_FOUND', message: 'x' },
    });
  });

  it('formats paths and details for people', () => {
    expect(formatPath(['instances', 2, 'sepal_length'])).toBe('instances[2].sepal_length');
    expect(formatPath([])).toBe('(root)');
    const details = Array.from({ length: 7 }, (_, i) => ({
      row: i + 1,
      path: 'a',
      message: 'bad',
    }));
    expect(describeDetails(details, 2)).toBe('row 1 a: bad; row 2 a: bad; and 5 more');
  });
});
