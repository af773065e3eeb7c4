import { describe, expect, it } from 'vitest';
import { AppError, parseLineageUri } from '../src';

describe('lineage uris', () => {
  it('reads model versions, dataset versions and run ids', () => {
    expect(parseLineageUri('models:/iris@champion')).toEqual({
      kind: 'model-version',
      ref: { model: 'iris', alias: 'champion' },
    });
    expect(parseLineageUri('models:/iris/3')).toEqual({
      kind: 'model-version',
      ref: { model: 'iris', version: 3 },
    });
    expect(parseLineageUri('iris.v2@12')).toEqual({
      kind: 'dataset-version',
      name: 'iris.v2',
      version: 12,
    });
    const id = '0b5c2f4e-6a43-4f8e-9a62-1c1f9a3c2d7e';
    expect(parseLineageUri(id)).toEqual({ kind: 'run', id });
  });

  it.each([
    ['models:/iris/Production', 'stages do not exist here'],
    ['iris@0', 'not a lineage subject'],
    ['iris@latest', 'not a lineage subject'],
    ['Iris@2', 'invalid dataset "Iris"'],
    ['short', 'not a lineage subject'],
    ['a b c d e f g', 'not a lineage subject'],
    ['x'.repeat(201), 'longer than 200'],
  ])('refuses %s naming the field', (uri, why) => {
    let err: unknown;
    try {
      parseLineageUri(uri, 'input.uri');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).message).toContain(why);
    expect((err as AppError).details?.[0]?.path).toBe('input.uri');
  });
});
